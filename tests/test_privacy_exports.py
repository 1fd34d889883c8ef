"""Tests for hubspoke.privacy.exports: no exported cell can start a formula."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from hubspoke.privacy.exports import (
    FORMULA_STARTS,
    neutralise_cell,
    write_csv,
    write_parquet,
    write_xlsx,
)

# Text that often starts like a formula, plus arbitrary text.
_risky = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(FORMULA_STARTS),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=15),
)
_plain = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=15)
_cell = st.one_of(_risky, _plain, st.integers(-1000, 1000), st.none())

HOSTILE = ['=HYPERLINK("http://example.invalid","x")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n_cols = draw(st.integers(1, 4))
    n_rows = draw(st.integers(0, 6))
    headers = draw(
        st.lists(st.one_of(_risky, _plain), min_size=n_cols, max_size=n_cols, unique=True)
    )
    data = {h: [draw(_cell) for _ in range(n_rows)] for h in headers}
    return pd.DataFrame(data, columns=headers)


def _is_risky(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


@pytest.mark.parametrize("text", HOSTILE)
def test_risky_text_gets_a_quote(text: str) -> None:
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, 3.5, 0, None, "Northmoor", "", "'=already quoted"])
def test_other_values_are_unchanged(value: object) -> None:
    assert neutralise_cell(value) == value


@given(frame=frames())
def test_csv_cells_never_start_a_formula(
    tmp_path_factory: pytest.TempPathFactory, frame: pd.DataFrame
) -> None:
    path = write_csv(frame, tmp_path_factory.mktemp("csv") / "out.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == len(frame) + 1
    for row in rows:
        for text in row:
            if _is_risky(text):
                # Only a number written by us may start with "-".
                assert text.startswith("-")
                float(text)


@given(frame=frames())
def test_xlsx_cells_are_never_formulas(
    tmp_path_factory: pytest.TempPathFactory, frame: pd.DataFrame
) -> None:
    path = write_xlsx(frame, tmp_path_factory.mktemp("xlsx") / "out.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    for cell in cells:
        assert cell.data_type != "f"
        if isinstance(cell.value, str):
            assert not _is_risky(cell.value)


def test_xlsx_keeps_numbers_as_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"spoke": ["=Northmoor", "Eastvale"], "referrals": [12, -3]})
    sheet = load_workbook(write_xlsx(frame, tmp_path / "t.xlsx")).active
    assert sheet is not None
    assert [c.value for c in sheet["A"]] == ["spoke", "'=Northmoor", "Eastvale"]
    assert [c.value for c in sheet["B"]] == ["referrals", 12, -3]


def test_parquet_round_trips_neutralised_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"spoke": ["@Northmoor", "Eastvale"], "referrals": [12, "[c]"]})
    back = pd.read_parquet(write_parquet(frame, tmp_path / "t.parquet"))
    assert list(back["spoke"]) == ["'@Northmoor", "Eastvale"]
    assert list(back["referrals"]) == ["12", "[c]"]
