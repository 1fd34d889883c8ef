"""Supersession by kind of record: a values file does not wipe the cases sent separately."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import attrs
import pytest

from hubspoke.model import MonitoringReturn
from hubspoke.periods import financial_quarter
from hubspoke.workspace import SourceFile, Workspace
from hubspoke.workspace.supersession import (
    FigureKey,
    Version,
    effect,
    fold,
    kinds_of,
    order,
    order_decides,
)
from workspace_fixtures import FakeReport, a_return, programme, write_file

Q1 = financial_quarter(2015, 1)


def values_only(referrals: float, submitted: date | None = None) -> MonitoringReturn:
    full = a_return("SP-NM1", Q1, referrals=referrals, submitted_on=submitted)
    return attrs.evolve(full, activities=())


def cases_only(n: int, submitted: date | None = None, seed: int = 0) -> MonitoringReturn:
    full = a_return("SP-NM1", Q1, cases=n, submitted_on=submitted, seed=seed)
    return attrs.evolve(full, values=(), activities=())


# -- the pure rule ----------------------------------------------------------------------


def _v(
    seq: int,
    on: date | None = None,
    figures: dict[FigureKey, float] | None = None,
    cases: int = 0,
    replaces: bool = False,
) -> Version:
    return Version(
        seq=seq,
        submitted_on=on,
        replaces_earlier=replaces,
        figures=figures or {},
        counts={"cases": cases},
        name=f"'file{seq}'",
    )


REACH: FigureKey = ("young_people_group_reached", ())
TRAINED: FigureKey = ("professionals_trained", ())


def test_kinds_of_names_the_record_kinds_a_return_carries() -> None:
    assert kinds_of(values_only(5)) == ("values",)
    assert kinds_of(a_return("SP-NM1", Q1, referrals=5, cases=2)) == (
        "values",
        "cases",
        "activities",
    )


def test_a_correction_replaces_only_the_figures_it_carries() -> None:
    original = _v(1, date(2015, 7, 10), {REACH: 30, TRAINED: 12})
    fix = _v(2, date(2015, 7, 20), {REACH: 31})
    versions = {1: original, 2: fix}
    before, after = fold([original]), fold([original, fix])
    assert after.figures == {REACH: 2, TRAINED: 1}
    done = effect("S12 2015-16 Q1", fix, versions, before, after)
    assert done.status == "merged"
    assert done.replaced == ("young_people_group_reached: 30 -> 31",)
    assert done.kept == ("professionals_trained",)
    assert "replaced 1 item (young_people_group_reached: 30 -> 31)" in done.message


def test_dates_decide_not_import_order() -> None:
    late_fix = _v(1, date(2015, 7, 20), {REACH: 31})
    original = _v(2, date(2015, 7, 10), {REACH: 30, TRAINED: 12})
    after = fold([late_fix, original])
    assert after.figures == {REACH: 1, TRAINED: 2}
    done = effect("x", original, {1: late_fix, 2: original}, fold([late_fix]), after)
    assert done.status == "merged"  # it added a figure; its reach stays history
    assert done.added == ("professionals_trained",)
    assert done.overridden == ("young_people_group_reached",)


def test_an_older_resubmission_with_nothing_new_is_history() -> None:
    later = _v(1, date(2015, 7, 20), {REACH: 31})
    older = _v(2, date(2015, 7, 1), {REACH: 29})
    after = fold([later, older])
    done = effect("x", older, {1: later, 2: older}, fold([later]), after)
    assert done.status == "history"
    assert "stored as history" in done.message
    assert after.single({1: later, 2: older}) == 1


def test_cases_are_replaced_as_a_kind_and_values_kept() -> None:
    values, cases, fix = _v(1, None, {REACH: 3}), _v(2, None, cases=4), _v(3, None, cases=2)
    assert fold([values, cases, fix]).kinds == {"cases": 3}
    assert fold([values, cases, fix]).figures == {REACH: 1}


def test_a_marked_resubmission_replaces_everything() -> None:
    first = _v(1, date(2015, 7, 1), {REACH: 3, TRAINED: 4}, cases=5)
    marked = _v(2, date(2015, 7, 9), {REACH: 9}, replaces=True)
    after = fold([first, marked])
    assert (after.figures, after.kinds) == ({REACH: 2}, {})
    done = effect("x", marked, {1: first, 2: marked}, fold([first]), after)
    assert done.status == "superseded"
    assert done.dropped == ("professionals_trained", "the cases")


def test_undated_submissions_keep_their_import_places() -> None:
    a, b, c = _v(1, date(2015, 7, 20)), _v(2, None), _v(3, date(2015, 7, 1))
    assert [v.seq for v in order([a, b, c])] == [3, 2, 1]
    assert order_decides([a, b, c], b)
    assert order_decides([a, b, c], a)
    assert not order_decides([a, c], c)
    assert order_decides([a, _v(4, date(2015, 7, 20))], a)


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
    assert outcome.status == "merged"  # type: ignore[attr-defined]
    assert [d.code for d in outcome.diagnostics] == [  # type: ignore[attr-defined]
        "kept-earlier-records",
        "order-decided",  # neither file says when it was submitted
    ]
    (current,) = ws.returns()
    assert (len(current.values), len(current.cases)) == (2, 4)
    assert len(ws.cases_frame()) == 4
    history = ws.history()
    # both submissions as received, and the merged current return
    assert history["current"].tolist() == [False, False, True]
    assert history[["values", "cases"]].values.tolist() == [[0, 4], [2, 0], [2, 4]]
    ws.close()


def test_a_resubmitted_cases_file_replaces_the_cases_only(ws: Workspace, tmp_path: Path) -> None:
    _store(ws, tmp_path / "values.csv", values_only(11))
    _store(ws, tmp_path / "cases.csv", cases_only(4))
    _store(ws, tmp_path / "cases-fixed.csv", cases_only(3, seed=9))
    (current,) = ws.returns()
    assert [v.value for v in current.values] == [11.0, 11.0]
    assert {c.case_id for c in current.cases} == {f"Case-009-{i:05d}" for i in range(3)}
    # three submissions and the merged current return
    assert len(ws.returns(include_superseded=True)) == 4
    ws.close()
