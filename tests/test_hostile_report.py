"""The published report under hostile input (issue 10): file names never printed, written
whole or not at all, no stale exports, charts showing nothing the tables suppress.
"""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import attrs
import pandas as pd
import pytest
from click.testing import CliRunner

import hostile_files as h
from hubspoke.cli import main
from hubspoke.errors import ReportError
from hubspoke.model import ExpectedReturn
from hubspoke.periods import parse_period
from hubspoke.privacy.exports import write_xlsx
from hubspoke.report import build
from hubspoke.report.build import build_report
from hubspoke.report.tables import completeness_shares
from hubspoke.serialization import dumps_programme
from importer_fixtures import fictional_programme
from report_sample import sample_report_data


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_file_names_are_never_printed_only_a_short_hash_and_the_format(tmp_path: Path) -> None:
    programme = tmp_path / "programme.json"
    quarters = [parse_period(f"2015-16 Q{q}") for q in range(1, 5)]
    expected = [ExpectedReturn(service_id="S01", period=p, due_on=p.end) for p in quarters]
    programme.write_text(
        dumps_programme(attrs.evolve(fictional_programme(), expected_returns=tuple(expected))),
        encoding="utf-8",
    )
    name = f"{h.FAKE_NAME} born 2003-02-01 NHS {h.FAKE_NHS}.csv"
    values = h.values_csv(tmp_path, ["S01,2015-16 Q1,referrals_received,40,"], name=name)
    workspace = tmp_path / "w.hubspoke"
    runner = CliRunner()
    done = runner.invoke(main, ["import", str(programme), str(values), "-w", str(workspace)])
    assert done.exit_code == 0, done.output
    out = tmp_path / "out"
    done = runner.invoke(
        main, ["report", "-w", str(workspace), "--out", str(out), "--today", "2016-06-30"]
    )
    assert done.exit_code == 0, done.output
    published = (out / "report.html").read_text(encoding="utf-8")
    for part in (h.FAKE_NAME, "Testname", h.FAKE_NHS, "2003-02-01", name):
        assert part not in published
    sha = hashlib.sha256(values.read_bytes()).hexdigest()
    assert f"file {sha[:8]} (" in published
    for export in (out / "exports").glob("*.csv"):
        assert "Testname" not in export.read_text(encoding="utf-8-sig")


def test_a_report_failing_part_way_leaves_the_previous_one_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build_report(sample_report_data(), out)
    before = _tree(out)
    calls = 0
    real = write_xlsx

    def fills_the_disk(*args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "write_xlsx", fills_the_disk)
    with pytest.raises(ReportError, match="disk is full"):
        build_report(sample_report_data(), out)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no partial folder left


def test_a_failed_report_from_the_command_line_says_so_and_keeps_the_earlier_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build_report(sample_report_data(), out)
    before = _tree(out)

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build, "write_csv", no_space)
    with pytest.raises(ReportError) as caught:
        build_report(sample_report_data(), out)
    assert "earlier report there is unchanged" in str(caught.value)
    assert _tree(out) == before


def test_a_second_report_into_the_same_folder_leaves_no_stale_exports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_report(sample_report_data(), out)
    written = set(_tree(out))
    stale = out / "exports" / "by_period_a_table_no_longer_published.csv"
    stale.write_text("Service,Total\nS01,3\n", encoding="utf-8")
    (out / "notes.txt").write_text("the evaluator's own file", encoding="utf-8")
    build_report(sample_report_data(), out)
    assert not stale.exists()
    assert set(_tree(out)) == written | {"notes.txt"}  # other files are left alone


def test_the_completeness_heat_map_never_shows_a_share_that_reveals_a_suppressed_count() -> None:
    completeness = pd.DataFrame(
        {
            "service_id": ["S01", "S02", "S03"],
            "field": ["gender"] * 3,
            "records": [40, 40, 40],
            "known": [39, 3, 20],
            "declined": [0, 0, 10],
            "not_recorded": [0, 0, 10],
            "missing": [1, 37, 0],
        }
    )
    _, _, grid = completeness_shares(completeness, {}, min_cell=5)
    assert grid == [[None], [None], [0.5]]  # 0.975 of 40 would say 1 missing; 0.075 says 3 known
