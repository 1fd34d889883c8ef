"""Hypothesis: built-in importers never crash on bad input and always reconcile.

Arbitrary bytes give a LoadResult or FileImportError, nothing else; a clean
sample with random cells replaced by junk still reconciles, with an error
naming a row for every rejected row.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspoke.diagnostics import Severity
from hubspoke.errors import FileImportError
from hubspoke.plugins.contract import Importer, LoadOptions, LoadResult
from hubspoke_importers import hubspoke_register_importers

SAMPLES = Path(__file__).resolve().parents[1] / "examples" / "returns"
IMPORTERS: dict[str, Importer] = {i.name: i for i in hubspoke_register_importers()}
CSV_SAMPLES = {
    "hubspoke-values": "values-S12-2015-16-Q2.csv",
    "hubspoke-cases": "cases-S14-2015-16.csv",
    "annual-summary-csv": "annual-S02-2014-15.csv",
}
JUNK = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.sampled_from(
        ["", "-1", "2.5", "31/02/2015", "04/25/2015", "hgh", "x@y.org", "LS6 1AB", '"', ";", "1,2"]
    ),
)


def check(result: LoadResult) -> None:
    assert result.rows_read == result.rows_imported + result.rows_rejected
    located = [
        d
        for d in result.diagnostics
        if d.severity is Severity.ERROR
        and (d.location.row is not None or d.location.path is not None)
    ]
    assert len(located) >= result.rows_rejected
    assert sum(result.record_counts()) == result.rows_imported


def load_or_refuse(importer: Importer, path: Path) -> None:
    try:
        result = importer.load(path, options=LoadOptions())
    except FileImportError:
        return
    if importer.name != "hubspoke-json":
        check(result)


@settings(max_examples=20)
@given(name=st.sampled_from(sorted(IMPORTERS)), data=st.binary(max_size=600))
def test_arbitrary_bytes_never_crash(
    tmp_path_factory: pytest.TempPathFactory, name: str, data: bytes
) -> None:
    importer = IMPORTERS[name]
    path = tmp_path_factory.mktemp("bytes") / f"return{importer.extensions[0]}"
    path.write_bytes(data)
    load_or_refuse(importer, path)


@settings(max_examples=20)
@given(
    name=st.sampled_from(sorted(CSV_SAMPLES)),
    seed=st.integers(0, 10_000),
    junk=st.lists(JUNK, min_size=1, max_size=6),
)
def test_csv_samples_with_corrupted_cells_reconcile(
    tmp_path_factory: pytest.TempPathFactory, name: str, seed: int, junk: list[str]
) -> None:
    rng = random.Random(seed)
    rows = list(csv.reader(io.StringIO((SAMPLES / CSV_SAMPLES[name]).read_text("utf-8"))))
    for value in junk:
        row = rows[rng.randrange(1, len(rows))]
        if row:
            row[rng.randrange(len(row))] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = tmp_path_factory.mktemp("cells") / "return.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    load_or_refuse(IMPORTERS[name], path)


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000), junk=st.lists(JUNK, min_size=1, max_size=5))
def test_workbook_with_corrupted_cells_reconciles(
    tmp_path_factory: pytest.TempPathFactory, seed: int, junk: list[str]
) -> None:
    rng = random.Random(seed)
    wb = openpyxl.load_workbook(SAMPLES / "quarterly-S21-2015-16-Q3.xlsx")
    sheets = ["Referrals", "Young people", "Activities", "Outcomes"]
    for value in junk:
        ws = wb[rng.choice(sheets)]
        ws.cell(row=rng.randrange(4, 9), column=rng.randrange(1, ws.max_column + 1), value=value)
    path = tmp_path_factory.mktemp("book") / "return.xlsx"
    wb.save(path)
    load_or_refuse(IMPORTERS["hubspoke-quarterly-xlsx"], path)
