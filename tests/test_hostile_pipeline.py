"""Nothing a later command cannot read is ever stored: import every hostile file written by
these tests into one workspace (with good returns beside them), then run score and report.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import attrs
from click.testing import CliRunner

import hostile_files as h
from hubspoke.cli import main
from hubspoke.limits import MAX_CELL_CHARS
from hubspoke.model import ExpectedReturn
from hubspoke.periods import parse_period
from hubspoke.serialization import dumps_programme
from importer_fixtures import fictional_programme


def _hostile_files(folder: Path) -> list[Path]:
    folder.mkdir()
    return [
        h.values_csv(
            folder,
            [
                "S01,2015-16 Q1,referrals_received,40,",
                "S01,2015-16 Q1,referrals_received,9223372036854775808,2",
                "S01,2015-16 Q1,referrals_received,9e18,1",
                f'S01,2015-16 Q1,referrals_received,4,"{h.FAKE_NAME}"',
            ],
            name="values-huge.csv",
        ),
        h.cases_csv(
            folder,
            [
                h.GOOD_CASE,
                "S01,2015-16,S01-C0002,07/04/2999,police,F,14",
                "S01,2015-16,9434765919,07/04/2015,police,F,14",
                f"S01,2015-16,{'A' * (MAX_CELL_CHARS + 1)},07/04/2015,police,F,14",
            ],
            name="cases-hostile.csv",
        ),
        h.json_returns(
            folder,
            [
                h.json_return(submitted_on="9999-12-31"),
                h.json_return(
                    values=[{"measure": "referrals_received", "breakdown": {}, "value": 15.5}]
                ),
                h.json_return(
                    values=[
                        {"measure": "referrals_received", "breakdown": {}, "value": 40},
                        {"measure": "referrals_received", "breakdown": {}, "value": 40},
                    ]
                ),
                h.json_return(
                    period={"start": "2015-07-01", "end": "2015-09-30", "label": "2015-16 Q2"},
                    values=[{"measure": "referrals_received", "breakdown": {}, "value": 12}],
                ),
            ],
            name="returns-hostile.json",
        ),
        h.write(
            folder / "surrogate.json",
            '{"hubspoke": "returns", "version": 1, "returns": [{"service_id": "S\\ud800"}]}',
        ),
        h.workbook(
            folder,
            name="dates.xlsx",
            about=[("Service id", "S01"), ("Period", "2015-16 Q3"), ("Submitted on", "20/01/2016")],
            young_people=[
                ["S01-C0009", date(2999, 1, 1), "F", 14],
                ["S01-C0010", "01/10/2015", "F", 15],
            ],
        ),
        h.workbook(folder, name="decoy.xlsx", extra_sheets=[("Young people.", "visible")]),
    ]


def test_score_and_report_work_after_importing_every_hostile_file(tmp_path: Path) -> None:
    programme = tmp_path / "programme.json"
    quarters = [parse_period(f"2015-16 Q{q}") for q in (1, 2, 3, 4)]
    expected = [ExpectedReturn(service_id="S01", period=p, due_on=p.end) for p in quarters]
    with_expected = attrs.evolve(fictional_programme(), expected_returns=tuple(expected))
    programme.write_text(dumps_programme(with_expected), encoding="utf-8")
    workspace = tmp_path / "w.db"
    runner = CliRunner()
    files = _hostile_files(tmp_path / "in")
    done = runner.invoke(
        main, ["import", str(programme), *map(str, files), "-w", str(workspace), "--json"]
    )
    assert done.exit_code in (0, 1), (done.output, done.exception)
    document = json.loads(done.stdout)
    for file in document["files"]:
        assert file["rows_read"] == file["rows_imported"] + file["rows_rejected"], file
    text = done.output
    for secret in (h.FAKE_NAME, "9434765919", "A" * 200):
        assert secret not in text
    score = runner.invoke(main, ["score", "-w", str(workspace), "--period", "2015-16"])
    assert score.exit_code == 0, score.output
    out = tmp_path / "report"
    report = runner.invoke(
        main, ["report", "-w", str(workspace), "--out", str(out), "--period", "2015-16"]
    )
    assert report.exit_code == 0, report.output
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert h.FAKE_NAME not in html
