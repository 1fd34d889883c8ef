"""Acceptance: regressions found while auditing by hand.

- A published export column of whole numbers with blank cells kept its
  numbers as ints (``59``), not floats (``59.0``), and text in it is still
  neutralised.
- ``hubspoke returns`` lists periods left to right in time, not in the order
  the first service happened to have them.
- ``hubspoke score | head`` ends quietly instead of printing
  "error: cannot use: Broken pipe".
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import click
import pandas as pd
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.cli._common import friendly_errors
from hubspoke.cli.returns import status_table
from hubspoke.privacy.exports import neutralise_frame, write_csv

counts = st.lists(st.one_of(st.none(), st.integers(0, 10**6)), min_size=1, max_size=8)


@given(column=counts)
def test_whole_numbers_with_blanks_stay_whole_in_csv(column: list[int | None]) -> None:
    frame = pd.DataFrame(
        {"row": [f"S{i:02d}" for i in range(len(column))], "count": column}, dtype=object
    )
    out = neutralise_frame(frame)
    assert list(out["count"]) == column


def test_published_csv_cells_are_written_as_typed(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"row": ["S01 Eastmere", "=HYPERLINK()", "Total"], "Q1": [59, None, 59]}, dtype=object
    )
    path = write_csv(frame, tmp_path / "t.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["row", "Q1"], ["S01 Eastmere", "59"], ["'=HYPERLINK()", ""], ["Total", "59"]]


def _row(service: str, label: str, due: str) -> dict[str, object]:
    return {
        "service_id": service,
        "period_label": label,
        "due_on": due,
        "status": "on_time",
        "submitted_on": due,
        "days_late": None,
    }


def test_returns_grid_orders_periods_by_due_date() -> None:
    rows = [
        _row("S01", "2014-15", "2015-04-30"),
        _row("S01", "2015-16", "2016-04-30"),
        _row("S02", "2013-14", "2014-04-30"),
        _row("S09", "2015-16 Q1", "2015-07-30"),
        _row("S09", "2015-16 Q2", "2015-10-30"),
    ]
    header = re.split(r"\s{2,}", status_table(rows, width=200).splitlines()[0])
    assert header == ["service", "2013-14", "2014-15", "2015-16 Q1", "2015-16 Q2", "2015-16"]


def test_a_closed_pipe_is_not_reported_as_an_error() -> None:
    @click.command()
    @friendly_errors
    def talk() -> None:
        click.echo("first line")
        raise BrokenPipeError(32, "Broken pipe")

    result = CliRunner().invoke(talk, [])
    assert result.exit_code == 0
    assert "Broken pipe" not in result.stderr
    assert "error" not in result.stderr
