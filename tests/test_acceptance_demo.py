"""Acceptance: ``hubspoke demo`` end to end on the bundled example programme.

The README's main command: a fresh workspace, every example return imported
(the deliberately flawed ones reported with their reasons), every spoke
scored, and a self-contained report whose totals equal the imported values.
The demo runs once per module (about 20 s).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.periods import parse_period
from hubspoke.workspace import Workspace

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FLAWED = sorted(p.name for p in (EXAMPLES / "returns").glob("flawed-*"))
PERIOD = "2016-17"
SECTIONS = ("overview", "outcomes", "indicators", "trends", "data-quality", "provenance")
#: Anything that would make the page fetch something from outside itself.
EXTERNAL = ("http:", "https:", "src=", "<script", "<link", "@import", "url(")
ROWS = re.compile(r"Rows: ([\d,]+) read = ([\d,]+) imported \+ ([\d,]+) rejected")
TREND_MEASURES = ("referrals_received", "young_people_one_to_one", "professionals_trained")


@dataclass(frozen=True)
class DemoRun:
    exit_code: int
    stdout: str
    stderr: str
    out: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    out = tmp_path_factory.mktemp("demo") / "tmp"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--today", "2026-01-01"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return DemoRun(result.exit_code, result.stdout, result.stderr, out)


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def test_demo_succeeds_and_says_where_the_report_is(demo: DemoRun) -> None:
    assert demo.exit_code == 0, demo.stdout + demo.stderr
    report = demo.out / "report" / "report.html"
    workspace = demo.out / "workspace.sqlite"
    assert report.is_file()
    assert workspace.is_file()
    assert f"Report:    {report}" in demo.stdout
    assert f"Workspace: {workspace}" in demo.stdout
    assert "Traceback" not in demo.stdout + demo.stderr


def test_rows_read_equal_rows_imported_plus_rejected(demo: DemoRun) -> None:
    match = ROWS.search(demo.stdout)
    assert match is not None, demo.stdout
    read, imported, rejected = (_count(g) for g in match.groups())
    assert read == imported + rejected
    assert imported > 0
    assert rejected > 0  # the flawed examples lose rows, and say so


def test_summary_names_every_flawed_file_with_a_reason(demo: DemoRun) -> None:
    assert FLAWED, "examples/returns/ should hold deliberately flawed returns"
    assert "Files with problems" in demo.stdout
    lines = {name: [ln for ln in demo.stdout.splitlines() if name in ln] for name in FLAWED}
    for name, found in lines.items():
        assert len(found) == 1, (name, demo.stdout)
        # "<file>: <status>, N of M rows rejected; K errors, e.g. <reason>"
        assert re.search(r": (imported|rejected|superseded), \d+ of \d+ rows rejected", found[0])
        reason = found[0].split("e.g.", 1)[1].strip()
        assert len(reason) > 10, found[0]
    # At least one flawed file is refused outright, not just trimmed.
    assert any(": rejected," in ln[0] for ln in lines.values()), demo.stdout
    counts = re.search(r"Imported (\d+) files: .*?(\d+) rejected", demo.stdout)
    assert counts is not None and int(counts.group(2)) >= 1


def test_summary_table_has_every_phase_and_indicator(demo: DemoRun) -> None:
    table = demo.stdout.split(f"Indicators for {PERIOD}", 1)[1]
    header = table.splitlines()[1]
    for indicator in ("embeddedness", "independence", "sustainability"):
        assert indicator in header
    phases = [ln.split()[0] for ln in table.splitlines()[2:5]]
    assert phases == ["1", "2", "3"]


def test_report_is_self_contained_with_every_section(demo: DemoRun) -> None:
    html = (demo.out / "report" / "report.html").read_text(encoding="utf-8")
    lowered = html.lower()
    for token in EXTERNAL:
        assert token not in lowered, token
    for section in SECTIONS:
        assert f'<section id="{section}"' in html, section
    assert lowered.count("<svg") >= 6


def _published_grand_total(demo: DemoRun, measure: str) -> int:
    path = demo.out / "report" / "exports" / f"by_period_{measure}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-1] == "Total" and rows[-1][0] == "Total"
    return int(rows[-1][-1])  # a large grand total is never suppressed


def test_report_totals_equal_the_sums_of_the_imported_values(demo: DemoRun) -> None:
    period = parse_period(PERIOD)
    with Workspace.open(demo.out / "workspace.sqlite") as ws:
        values = ws.values_frame()
    dims = [
        c
        for c in values.columns
        if c
        not in {
            "service_id",
            "period_label",
            "period_start",
            "period_end",
            "measure",
            "value",
            "source_sha256",
        }
    ]
    inside = (pd.to_datetime(values["period_start"]) >= pd.Timestamp(period.start)) & (
        pd.to_datetime(values["period_end"]) <= pd.Timestamp(period.end)
    )
    totals = values[inside & values[dims].isna().all(axis=1)]
    for measure in TREND_MEASURES:
        imported = totals.loc[totals["measure"] == measure, "value"].astype("float64").sum()
        assert imported > 0, measure
        assert _published_grand_total(demo, measure) == int(imported), measure


def test_published_exports_hold_no_float_artefacts_or_formulas(demo: DemoRun) -> None:
    for path in sorted((demo.out / "report" / "exports").glob("by_period_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not re.fullmatch(r"\d+\.0", cell), (path.name, row)
                    assert not cell.startswith(("=", "+", "-", "@")), (path.name, row)
