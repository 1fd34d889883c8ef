"""Records handed back as frames: checked at the door, read column-wise, stored as they are."""

from __future__ import annotations

from pathlib import Path

import attrs
import pandas as pd
import pytest

from hubspoke.errors import PluginContractError
from hubspoke.periods import financial_quarter
from hubspoke.plugins.contract import LoadOptions, LoadResult
from hubspoke.plugins.record_frames import RETURN_INDEX, record_schema
from hubspoke.rules import check_return
from hubspoke.rules.returns import check_case_frame
from hubspoke.validation import validate_file
from hubspoke.workspace import SourceFile, Workspace
from hubspoke_importers.cases import CasesImporter
from workspace_fixtures import FakeReport, a_return, programme

Q1 = financial_quarter(2015, 1)
HEADER = "service,period,case_id,referral_date,risk_at_referral,gender,age,closed_on\n"
ROWS = (
    "S01,2015-16 Q1,C-1,05/04/2015,high,girl,14,\n"
    "S01,2015-16 Q1,C-2,07/05/2015,medium,boy,15,30/07/2015\n"  # closed after the quarter
    "S01,2015-16 Q2,C-1,05/04/2015,low,girl,14,\n"
    "S02,2015-16 Q1,C-9,09/06/2015,,,,\n"
)


def _load(tmp_path: Path, text: str = HEADER + ROWS) -> LoadResult:
    path = tmp_path / "cases.csv"
    path.write_text(text, encoding="utf-8")
    return CasesImporter().load(path, options=LoadOptions())


def test_the_cases_importer_builds_no_record_objects(tmp_path: Path) -> None:
    result = _load(tmp_path)
    assert all(not r.cases for r in result.returns)
    frame = result.record_frames["cases"]
    assert len(frame) == result.rows_imported == 4
    assert result.record_counts() == [2, 1, 1]
    assert list(frame.columns) == [RETURN_INDEX, *record_schema("cases")]
    full = result.materialised_returns()
    assert [len(r.cases) for r in full] == [2, 1, 1]
    assert full[0].cases[1].case_id == "C-2"


def test_frame_checks_say_what_object_checks_say(tmp_path: Path) -> None:
    result = _load(tmp_path)
    full = result.materialised_returns()
    from_objects = [d for k, r in enumerate(full) for d in check_return(r, path=f"$.returns[{k}]")]
    from_frame = check_case_frame(
        result.record_frames["cases"],
        result.returns,
        paths=[f"$.returns[{k}]" for k in range(len(result.returns))],
    )
    assert from_frame == from_objects
    assert [d.code for d in from_frame] == ["date-outside-period"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns=["case_id"]), "lacks column"),
        (lambda f: f.assign(return_index=7), "must name one of"),
        (lambda f: f.assign(gender="girl"), "not one of the column's codes"),
    ],
)
def test_a_bad_record_frame_is_a_contract_error(
    tmp_path: Path, change: object, message: str
) -> None:
    good = _load(tmp_path)
    broken = change(good.record_frames["cases"])  # type: ignore[operator]
    with pytest.raises(PluginContractError, match=message):
        LoadResult(
            returns=good.returns,
            diagnostics=good.diagnostics,
            rows_read=good.rows_read,
            rows_imported=good.rows_imported,
            rows_rejected=good.rows_rejected,
            record_frames={"cases": broken},
        )


def test_frames_and_objects_store_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    report = validate_file(path, options=LoadOptions())
    assert report.record_frames
    stored = []
    for name, as_frames in (("frames", True), ("objects", False)):
        with Workspace.open(tmp_path / f"{name}.hubspoke") as ws:
            source = SourceFile.read(path)
            if as_frames:
                ws.store_report(source, report)
            else:
                fake = FakeReport(
                    importer=report.importer,
                    returns=report.materialised_returns(),
                    rows_read=report.rows_read,
                    rows_imported=report.rows_imported,
                )
                ws.store_report(source, fake)
            cases = ws.record_frames()["cases"].drop(columns=["return_id"])
            stored.append(cases)
            history = ws.history()
            assert history["cases"].tolist() == [2, 1, 1]
    pd.testing.assert_frame_equal(stored[0], stored[1])


def test_a_frame_return_merges_with_an_earlier_values_return(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.hubspoke") as ws:
        ws.set_programme(programme())
        values_only = attrs.evolve(a_return("SP-NM1", Q1, referrals=5), activities=())
        src = tmp_path / "v.csv"
        src.write_text("values", encoding="utf-8")
        ws.store_report(SourceFile.read(src), FakeReport(returns=(values_only,)))
        cases_path = tmp_path / "cases.csv"
        cases_path.write_text(
            "service,period,case_id,referral_date\nSP-NM1,2015-16 Q1,C-1,05/04/2015\n",
            encoding="utf-8",
        )
        outcome = ws.import_file(cases_path)
        assert outcome.status == "merged"
        (current,) = ws.returns()
        assert (len(current.values), len(current.cases)) == (2, 1)
        assert any(d.code == "kept-earlier-records" for d in outcome.diagnostics)
