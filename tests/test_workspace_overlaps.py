"""Workspace edges (issue 10): periods that would count days twice, file names not in UTF-8."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.model import MonitoringReturn
from hubspoke.periods import date_range, financial_quarter, financial_year, parse_period
from hubspoke.workspace import ImportOutcome, SourceFile, Workspace
from hubspoke.workspace.supersession import overlap_problem
from workspace_fixtures import FakeReport, a_return, programme, write_file

Q1 = financial_quarter(2015, 1)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    opened = Workspace.open(tmp_path / "w.hubspoke")
    opened.set_programme(programme())
    return opened


def _store(ws: Workspace, tmp_path: Path, name: str, *returns: MonitoringReturn) -> ImportOutcome:
    source = SourceFile.read(write_file(tmp_path / name, name))
    rows = sum(r.record_count for r in returns)
    report = FakeReport(returns=returns, rows_read=rows, rows_imported=rows)
    return ws.store_report(source, report)


def test_a_period_one_day_short_of_a_stored_quarter_is_refused(
    ws: Workspace, tmp_path: Path
) -> None:
    first = _store(ws, tmp_path, "q1.csv", a_return("SP-NM1", Q1))
    assert first.status == "imported"
    short = date_range(date(2015, 4, 1), date(2015, 6, 29))
    outcome = _store(ws, tmp_path, "short.csv", a_return("SP-NM1", short, referrals=99))
    assert outcome.status == "rejected"
    assert outcome.rows_imported == 0
    (d,) = [x for x in outcome.diagnostics if x.code == "overlapping-period"]
    assert "counted twice" in d.message
    assert d.location.file == "short.csv"
    (current,) = ws.returns()
    assert current.period == Q1  # the quarter alone stays current; no second figure


def test_standard_periods_inside_each_other_are_stored(ws: Workspace, tmp_path: Path) -> None:
    year = financial_year(2015)
    _store(ws, tmp_path, "q1.csv", a_return("SP-NM1", Q1))
    outcome = _store(ws, tmp_path, "year.csv", a_return("SP-NM1", year))
    assert outcome.status == "imported"
    other = _store(
        ws, tmp_path, "nm2.csv", a_return("SP-NM2", date_range(date(2015, 4, 1), date(2015, 6, 29)))
    )
    assert other.status == "imported"  # another service's dates never conflict


@pytest.mark.parametrize(
    ("new", "held", "allowed"),
    [
        ("2015-16 Q1", "2015-16 Q1", True),
        ("2015-16 Q1", "2015-16 Q2", True),
        ("2015-16 Q1", "2015-16", True),
        ("2015-16", "2015-16 Q3", True),
        ("2015-04-01 to 2015-06-29", "2015-16 Q1", False),
        ("2015-05-01 to 2015-07-31", "2015-16 Q1", False),
        ("2015-05-01 to 2015-07-31", "2015-16", False),
    ],
)
def test_the_overlap_rule(new: str, held: str, allowed: bool) -> None:
    problem = overlap_problem(parse_period(new), parse_period(held))
    assert (problem is None) is allowed


def test_a_file_name_that_is_not_utf8_is_imported_and_shown(tmp_path: Path) -> None:
    root = Path(__file__).parents[1]
    name = os.fsdecode(b"values-\xff-S12.csv")  # a byte no UTF-8 text holds
    target = tmp_path / name
    shutil.copyfile(root / "examples" / "returns" / "values-S12-2015-16-Q2.csv", target)
    workspace = str(tmp_path / "w.hubspoke")
    programme = str(root / "examples" / "programme.json")
    result = CliRunner().invoke(main, ["import", programme, str(target), "-w", workspace])
    assert result.exit_code == 0, result.output
    assert "values-\ufffd-S12.csv" in result.output
    with Workspace.open(workspace) as ws:
        assert ws.imports()["file_name"].tolist()[-1] == "values-\ufffd-S12.csv"
    again = CliRunner().invoke(main, ["validate", str(target), "--json"])
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE returns SET period_start = 'garbage'",
        "UPDATE return_cases SET referral_date = '2015-13-45'",
    ],
)
def test_a_workspace_damaged_outside_hubspoke_gives_a_message(
    ws: Workspace, tmp_path: Path, damage: str
) -> None:
    _store(ws, tmp_path, "q1.csv", a_return("SP-NM1", Q1, cases=3))
    ws.close()
    conn = sqlite3.connect(ws.path)
    conn.execute(damage)
    conn.commit()
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    for command in (["score", "--period", "2015-16"], ["report", "--out", str(tmp_path / "r")]):
        result = CliRunner().invoke(main, [*command[:1], "-w", str(ws.path), *command[1:]])
        assert result.exit_code == 1, result.output
        assert "the workspace is damaged" in result.output
        assert "Traceback" not in result.output
