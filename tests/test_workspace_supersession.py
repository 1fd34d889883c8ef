"""Supersession by kind of record: a values file does not wipe the cases sent separately."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import attrs
import pytest

from hubspoke.model import MonitoringReturn
from hubspoke.periods import financial_quarter
from hubspoke.workspace import SourceFile, Workspace
from hubspoke.workspace.supersession import Submission, kinds_of, plan
from workspace_fixtures import FakeReport, a_return, programme, write_file

Q1 = financial_quarter(2015, 1)


def values_only(referrals: float, submitted: date | None = None) -> MonitoringReturn:
    full = a_return("SP-NM1", Q1, referrals=referrals, submitted_on=submitted)
    return attrs.evolve(full, activities=())


def cases_only(n: int, submitted: date | None = None, seed: int = 0) -> MonitoringReturn:
    full = a_return("SP-NM1", Q1, cases=n, submitted_on=submitted, seed=seed)
    return attrs.evolve(full, values=(), activities=())


# -- the pure rule ----------------------------------------------------------------------


def _sub(ret: MonitoringReturn) -> Submission:
    return Submission.of(ret)


def test_kinds_of_names_the_record_kinds_a_return_carries() -> None:
    assert kinds_of(values_only(5)) == ("values",)
    assert kinds_of(a_return("SP-NM1", Q1, referrals=5, cases=2)) == (
        "values",
        "cases",
        "activities",
    )


def test_a_new_return_with_the_same_kinds_replaces_plainly() -> None:
    decided = plan(_sub(values_only(7)), _sub(values_only(5)), "old.csv")
    assert (decided.current, decided.history, decided.note) == ({"values": "new"}, False, None)


def test_a_new_return_keeps_the_kinds_it_lacks_from_the_current_one() -> None:
    decided = plan(_sub(values_only(7)), _sub(cases_only(3)), "the return from 'c.csv'")
    assert decided.current == {"values": "new", "cases": "current"}
    assert decided.note is not None
    assert "kept the cases of the return from 'c.csv'" in decided.note


def test_a_marked_resubmission_replaces_everything() -> None:
    marked = attrs.evolve(values_only(7), replaces_earlier=True)
    decided = plan(_sub(marked), _sub(a_return("SP-NM1", Q1, cases=4)), "old.json")
    assert decided.current == {"values": "new"}
    assert decided.note is None


def test_an_older_return_adds_only_what_the_current_lacks() -> None:
    later = values_only(7, date(2015, 7, 20))
    earlier = a_return("SP-NM1", Q1, referrals=5, cases=2, submitted_on=date(2015, 7, 1))
    decided = plan(_sub(earlier), _sub(later), "later.csv")
    assert decided.history
    # the later figures stay; the earlier return only fills the kinds the later one lacks
    assert decided.current == {"values": "current", "cases": "new", "activities": "new"}
    assert decided.note is not None
    assert "cases and activities were added" in decided.note


def test_an_older_return_with_nothing_new_is_history_only() -> None:
    decided = plan(
        _sub(values_only(5, date(2015, 7, 1))), _sub(values_only(7, date(2015, 7, 20))), "l.csv"
    )
    assert (decided.current, decided.history) == (None, True)


# -- through the workspace ---------------------------------------------------------------


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    opened = Workspace.open(tmp_path / "w.hubspoke")
    opened.set_programme(programme())
    return opened


def _store(ws: Workspace, path: Path, ret: MonitoringReturn) -> object:
    return ws.store_report(SourceFile.read(write_file(path, path.name)), FakeReport(returns=(ret,)))


def test_values_and_cases_files_for_one_quarter_are_both_kept(
    ws: Workspace, tmp_path: Path
) -> None:
    _store(ws, tmp_path / "cases.csv", cases_only(4))
    outcome = _store(ws, tmp_path / "values.csv", values_only(11))
    assert outcome.status == "superseded"  # type: ignore[attr-defined]
    assert [d.code for d in outcome.diagnostics] == ["kept-earlier-records"]  # type: ignore[attr-defined]
    (current,) = ws.returns()
    assert (len(current.values), len(current.cases)) == (2, 4)
    assert len(ws.cases_frame()) == 4
    history = ws.history()
    assert history["current"].tolist() == [False, True]
    assert history[["values", "cases"]].values.tolist() == [[0, 4], [2, 4]]
    ws.close()


def test_a_resubmitted_cases_file_replaces_the_cases_only(ws: Workspace, tmp_path: Path) -> None:
    _store(ws, tmp_path / "values.csv", values_only(11))
    _store(ws, tmp_path / "cases.csv", cases_only(4))
    _store(ws, tmp_path / "cases-fixed.csv", cases_only(3, seed=9))
    (current,) = ws.returns()
    assert [v.value for v in current.values] == [11.0, 11.0]
    assert {c.case_id for c in current.cases} == {f"Case-009-{i:05d}" for i in range(3)}
    assert len(ws.returns(include_superseded=True)) == 3
    ws.close()
