"""Supersession by kind of record: a values file does not wipe the cases sent separately."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import attrs
import pytest

from hubspoke.model import MonitoringReturn
from hubspoke.periods import financial_quarter
from hubspoke.workspace import SourceFile, Workspace
from hubspoke.workspace.supersession import fill, kinds_of, plan
from workspace_fixtures import FakeReport, a_return, programme, write_file

Q1 = financial_quarter(2015, 1)


def values_only(referrals: float, submitted: date | None = None) -> MonitoringReturn:
    full = a_return("SP-NM1", Q1, referrals=referrals, submitted_on=submitted)
    return attrs.evolve(full, activities=())


def cases_only(n: int, submitted: date | None = None, seed: int = 0) -> MonitoringReturn:
    full = a_return("SP-NM1", Q1, cases=n, submitted_on=submitted, seed=seed)
    return attrs.evolve(full, values=(), activities=())


# -- the pure rule ----------------------------------------------------------------------


def test_fill_takes_only_the_kinds_the_base_lacks() -> None:
    merged, taken = fill(values_only(5), cases_only(3))
    assert taken == ("cases",)
    assert (len(merged.values), len(merged.cases)) == (2, 3)
    assert kinds_of(merged) == ("values", "cases")
    assert fill(values_only(5), values_only(9)) == (values_only(5), ())


def test_a_new_return_with_the_same_kinds_replaces_plainly() -> None:
    decided = plan(values_only(7), values_only(5), "old.csv")
    assert (decided.current, decided.history, decided.note) == (values_only(7), None, None)


def test_a_marked_resubmission_replaces_everything() -> None:
    marked = attrs.evolve(values_only(7), replaces_earlier=True)
    decided = plan(marked, a_return("SP-NM1", Q1, cases=4), "old.json")
    assert decided.current == marked
    assert decided.note is None


def test_an_older_return_adds_only_what_the_current_lacks() -> None:
    later = values_only(7, date(2015, 7, 20))
    earlier = a_return("SP-NM1", Q1, referrals=5, cases=2, submitted_on=date(2015, 7, 1))
    decided = plan(earlier, later, "later.csv")
    assert decided.history == earlier
    assert decided.current is not None
    assert decided.current.values == later.values  # the later figures stay
    assert decided.current.cases == earlier.cases
    assert decided.note is not None
    assert "cases and activities were added" in decided.note


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
