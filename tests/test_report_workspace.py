"""The report built from a real workspace, and the ``hubspoke report`` command."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.periods import financial_quarter
from hubspoke.privacy.rounding import published_total
from hubspoke.privacy.suppression import MARKER, TOTAL
from hubspoke.report.build import build_report, render_report
from hubspoke.report.from_workspace import report_data_from_workspace
from hubspoke.workspace import SourceFile, Workspace
from workspace_fixtures import SPOKES, FakeReport, a_return, programme, write_file

STAMP = datetime(2016, 5, 1, 9, 30, tzinfo=UTC)
TODAY = date(2016, 6, 30)
#: Referrals per spoke and quarter (SP-AL1 misses Q4); small ones must be suppressed.
REFERRALS = {
    ("SP-NM1", 1): 14,
    ("SP-NM1", 2): 3,
    ("SP-NM1", 3): 22,
    ("SP-NM1", 4): 17,
    ("SP-NM2", 1): 9,
    ("SP-NM2", 2): 11,
    ("SP-NM2", 3): 8,
    ("SP-NM2", 4): 30,
    ("SP-AL1", 1): 12,
    ("SP-AL1", 2): 2,
    ("SP-AL1", 3): 19,
}


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    path = folder / "evaluation.hubspoke"
    with Workspace.open(path, clock=lambda: STAMP) as ws:
        ws.set_programme(programme())
        for n, ((spoke, quarter), referrals) in enumerate(REFERRALS.items()):
            period = financial_quarter(2015, quarter)
            ret = a_return(
                spoke,
                period,
                referrals=referrals,
                submitted_on=period.end,
                cases=8,
                seed=n,
            )
            source = SourceFile.read(write_file(folder / f"{spoke}-Q{quarter}.csv", f"{n}"))
            ws.store_report(source, FakeReport(returns=(ret,), rows_read=1, rows_imported=1))
    return path


def test_report_data_comes_from_the_workspace(ws_path: Path) -> None:
    with Workspace.open(ws_path) as ws:
        data = report_data_from_workspace(ws, None, today=TODAY)
        cases = ws.cases_frame()
    assert data.programme_name == "Alder and Northmoor Programme"
    assert set(data.spokes["spoke_id"]) == set(SPOKES)
    assert len(data.provenance) == len(REFERRALS)
    assert "case_id" not in data.field_completeness.columns
    report = render_report(data)
    by_name = {t.name: t for t in report.tables}
    quarterly = by_name["by_period_referrals_received"].cells
    assert quarterly.loc[TOTAL, TOTAL] == published_total(REFERRALS.values())
    assert list(quarterly.columns[:4]) == [financial_quarter(2015, q).label for q in (1, 2, 3, 4)]
    assert MARKER in quarterly.to_numpy()
    for value in quarterly.to_numpy().ravel():
        assert not (isinstance(value, int) and 1 <= value <= 5)
    # No case identifier reaches the page.
    for case_id in cases["case_id"].astype(str):
        assert case_id not in report.html
    # The missing return shows as missing.
    status = by_name["returns_status"].cells
    assert status.loc[TOTAL, "Missing"] == 1
    assert "Received on time" in status.columns  # the register's words (issue 9)


def test_report_command_writes_the_report_and_exports(ws_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "published"
    result = CliRunner().invoke(
        main,
        ["report", "--workspace", str(ws_path), "--out", str(out), "--today", "2016-06-30"],
    )
    assert result.exit_code == 0, result.output
    assert "Report:" in result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Alder and Northmoor Programme" in html
    with (out / "exports" / "by_period_referrals_received.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[-1][0] == TOTAL
    assert rows[-1][-1] == str(published_total(REFERRALS.values()))
    assert any(MARKER in row for row in rows)


def test_report_command_with_min_cell_one_shows_more(ws_path: Path, tmp_path: Path) -> None:
    with Workspace.open(ws_path) as ws:
        data = report_data_from_workspace(ws, "2015-16", today=TODAY)
    strict = render_report(data, min_cell=10).tables
    loose = render_report(data, min_cell=1).tables
    hidden = {t.name: (t.cells == MARKER).to_numpy().sum() for t in strict}
    shown = {t.name: (t.cells == MARKER).to_numpy().sum() for t in loose}
    assert hidden["by_period_referrals_received"] > shown["by_period_referrals_received"]
    assert build_report(data, tmp_path / "r").exists()


def test_report_command_explains_a_bad_workspace(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-workspace.hubspoke"
    bogus.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["report", "--workspace", str(bogus), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code in (1, 2)
    assert "error:" in result.output
    assert "Traceback" not in result.output
