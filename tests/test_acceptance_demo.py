"""Acceptance: ``hubspoke demo`` end to end on the bundled example programme.

The README's main command: a fresh workspace, every example return imported
(the deliberately flawed ones reported with their reasons), every spoke
scored, and a self-contained report whose totals equal the imported values.
The demo runs once per module (about 20 s).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.periods import parse_period
from hubspoke.privacy.rounding import published_total
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
        assert re.search(
            r": (imported|rejected|superseded|merged|history), \d+ of \d+ rows rejected", found[0]
        )
        reason = found[0].split("e.g.", 1)[1].strip()
        assert len(reason) > 10, found[0]
    # At least one flawed file is refused outright, not just trimmed.
    assert any(": rejected," in ln[0] for ln in lines.values()), demo.stdout
    counts = re.search(r"Imported (\d+) files: .*?(\d+) rejected", demo.stdout)
    assert counts is not None
    assert int(counts.group(2)) >= 1


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
    assert rows[0][-1] == "Total"
    assert rows[-1][0] == "Total"
    return int(rows[-1][-1])  # a large grand total is never suppressed


def test_report_totals_equal_the_figures_of_the_counted_returns(demo: DemoRun) -> None:
    # the report's grand totals are the figures used per counted return (one derivation):
    # a quarter inside an annual return of the same spoke is not added twice
    with Workspace.open(demo.out / "workspace.sqlite") as ws:
        figures = ws.figures_by_return(parse_period(PERIOD))
    for measure in TREND_MEASURES:
        used = published_total(figures.loc[figures["measure"] == measure, "value"])
        assert used > 0, measure
        assert _published_grand_total(demo, measure) == used, measure


def test_published_counts_are_whole_numbers(demo: DemoRun) -> None:
    for path in sorted((demo.out / "report" / "exports").glob("by_period_*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not re.fullmatch(r"\d+\.0", cell), (path.name, row)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_no_exported_cell_starts_a_formula(demo: DemoRun) -> None:
    exports = sorted((demo.out / "report" / "exports").glob("*"))
    assert {p.suffix for p in exports} >= {".csv", ".xlsx"}
    for path in (p for p in exports if p.suffix == ".csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    risky = cell.startswith(("=", "+", "-", "@", "\t", "\r"))
                    assert not risky or _is_number(cell), (path.name, row)
    for path in (p for p in exports if p.suffix == ".xlsx"):
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for sheet_row in sheet.iter_rows():
                for entry in sheet_row:
                    assert entry.data_type != "f", (path.name, entry.coordinate)


def test_the_analysis_example_runs_on_the_demo_workspace(demo: DemoRun, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "analysis.py"),
            str(demo.out / "workspace.sqlite"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for indicator in ("embeddedness", "independence", "sustainability"):
        assert indicator in done.stdout
    [chart] = tmp_path.glob("*.svg")
    root = ElementTree.fromstring(chart.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")
    assert "Field completeness" in done.stdout


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_score_json_has_every_spoke_and_the_six_outcomes(demo: DemoRun) -> None:
    code, out, _ = _cli(
        "score", "-w", str(demo.out / "workspace.sqlite"), "--period", PERIOD, "--json"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["rubric_version"] == "1"
    spokes = {row["spoke_id"] for row in doc["scores"]}
    assert len(spokes) == 53
    programme = [row for row in doc["outcomes"] if row["level"] == "programme"]
    assert {row["outcome"] for row in programme} == {1, 2, 3, 4, 5, 6}
    for row in programme:
        assert 0.0 <= row["completeness"] <= 1.0
        assert row["returns_received"] <= row["returns_expected"]


def test_score_with_a_stricter_rubric_file(demo: DemoRun, tmp_path: Path) -> None:
    rubric = tmp_path / "strict.toml"
    rubric.write_text('version = "audit-strict"\nmin_coverage = 0.99\n', encoding="utf-8")
    code, out, _ = _cli(
        "score", "-w", str(demo.out / "workspace.sqlite"), "--period", PERIOD,
        "--rubric", str(rubric), "--json",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert doc["rubric_version"] == "audit-strict"
    assert {row["rubric_version"] for row in doc["scores"]} == {"audit-strict"}
    for row in doc["scores"]:
        assert (row["value"] is None) == (row["coverage"] < 0.99), row
    assert any(row["value"] is None for row in doc["scores"])


def test_a_rubric_file_with_a_typo_names_the_key(demo: DemoRun, tmp_path: Path) -> None:
    rubric = tmp_path / "typo.toml"
    rubric.write_text('version = "x"\nmin_coverge = 0.5\n', encoding="utf-8")
    code, out, err = _cli(
        "score", "-w", str(demo.out / "workspace.sqlite"), "--rubric", str(rubric)
    )
    assert code == 1
    assert out == ""
    assert "min_coverge" in err


def test_importing_an_example_again_changes_nothing(demo: DemoRun) -> None:
    sample = EXAMPLES / "returns" / "values-S12-2015-16-Q2.csv"
    ws = str(demo.out / "workspace.sqlite")
    code, out, _ = _cli("import", str(sample), "-w", ws, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["summary"] == {
        "imported": 0,
        "merged": 0,
        "superseded": 0,
        "history": 0,
        "unchanged": 1,
        "rejected": 0,
    }
    [report] = doc["files"]
    assert report["status"] == "unchanged"
