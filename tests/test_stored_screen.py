"""What a plugin hands back is screened before storing: plausibility and personal data.

Built-in importers check every cell; a plugin may not. The pipeline drops
each implausible or personal record with a located error and never stores it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

from hubspoke.codes import ActivityKind, GoalStatus
from hubspoke.diagnostics import Severity
from hubspoke.model import (
    Activity,
    CaseRecord,
    DataValue,
    MonitoringReturn,
    OutcomeRecord,
    Provenance,
)
from hubspoke.periods import parse_period
from hubspoke.plugins import LoadResult
from hubspoke.plugins.registry import Registry
from hubspoke.validation import FileReport, validate_file
from hubspoke.workspace import SourceFile, Workspace
from plugin_fakes import FakeImporter, plugin_of

Q1 = parse_period("2015-16 Q1")
PROVENANCE = Provenance(
    source_file="x.csv", sha256="0" * 64, importer="careless", importer_version="1"
)
FAKE_NHS = "943 476 5919"  # the NHS's own published test number


def _return(**records: Any) -> MonitoringReturn:
    return MonitoringReturn(service_id="S07", period=Q1, provenance=PROVENANCE, **records)


def _validate(tmp_path: Path, ret: MonitoringReturn) -> FileReport:
    path = tmp_path / "x.csv"
    path.write_text("anything\n", encoding="utf-8")
    n = ret.record_count

    def load(_p: Path, _o: object) -> LoadResult:
        return LoadResult(
            returns=(ret,), diagnostics=(), rows_read=n, rows_imported=n, rows_rejected=0
        )

    registry = Registry.from_plugins(
        [("careless", plugin_of("careless", FakeImporter("careless", 0.9, load=load)))]
    )
    return validate_file(path, registry=registry)


def test_implausible_and_personal_records_are_not_stored(tmp_path: Path) -> None:
    ret = _return(
        values=(
            DataValue(measure="referrals_received", value=12),
            DataValue(measure="referrals_received", value=2e7, breakdown={"gender": "2"}),
        ),
        cases=(
            CaseRecord(case_id="Case-0042", referral_date=date(2015, 4, 9)),
            CaseRecord(case_id="9434765919"),  # an NHS number with a valid check digit
            CaseRecord(case_id="Case-0043", referral_date=date(2150, 1, 1)),
        ),
        activities=(Activity(kind=ActivityKind.GROUP_WORK, attendees=20_000_000),),
        outcomes=(
            OutcomeRecord(
                case_id="Case-0042",
                instrument="goals",
                on=date(2015, 5, 1),
                goal=f"call her on {FAKE_NHS}",
                goal_status=GoalStatus("met"),
            ),
        ),
    )
    report = _validate(tmp_path, ret)
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (7, 2, 5)
    codes = sorted(d.code for d in report.diagnostics if d.severity is Severity.ERROR)
    assert codes == [
        "count-too-large",
        "count-too-large",
        "date-out-of-window",
        "personal-data",
        "personal-data",
    ]
    (kept,) = report.returns
    assert [v.value for v in kept.values] == [12]
    assert [c.case_id for c in kept.cases] == ["Case-0042"]
    assert (kept.activities, kept.outcomes) == ((), ())
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert "5919" not in " ".join(str(d) for d in errors)
    assert all(d.location.path for d in errors)


def test_a_submission_date_outside_the_window_drops_the_return(tmp_path: Path) -> None:
    ret = attrs.evolve(
        _return(values=(DataValue(measure="referrals_received", value=3),)),
        submitted_on=date(9999, 12, 31),
    )
    report = _validate(tmp_path, ret)
    assert report.returns == ()
    assert (report.rows_imported, report.rows_rejected) == (0, 1)
    (d,) = report.diagnostics
    assert (d.code, d.location.path) == ("date-out-of-window", "$.submitted_on")


def test_nothing_screened_out_reaches_the_workspace(tmp_path: Path) -> None:
    ret = _return(
        cases=(CaseRecord(case_id="Case-0042"), CaseRecord(case_id="Testname.Example")),
    )
    report = _validate(tmp_path, ret)
    path = tmp_path / "x.csv"
    with Workspace.open(tmp_path / "w.hubspoke") as ws:
        outcome = ws.store_report(SourceFile.read(path), report)
        assert (outcome.rows_imported, outcome.rows_rejected) == (1, 1)
        cases = ws.record_frames(kinds=("cases",))["cases"]
    assert cases["case_id"].tolist() == ["Case-0042"]


@pytest.mark.parametrize("name", ["hubspoke-cases", "hubspoke-values"])
def test_clean_built_in_samples_pass_the_screen_untouched(name: str) -> None:
    samples = Path(__file__).parents[1] / "examples" / "returns"
    sample = {
        "hubspoke-cases": samples / "cases-S14-2015-16.csv",
        "hubspoke-values": samples / "values-S12-2015-16-Q2.csv",
    }[name]
    report = validate_file(sample)
    assert report.rows_rejected == 0
    assert not [d for d in report.diagnostics if d.severity.value == "error"]
