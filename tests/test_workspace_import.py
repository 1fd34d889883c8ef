"""Workspace.import_file through the real importers: idempotence, rejection, frames out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from hubspoke.periods import financial_quarter
from hubspoke.serialization import dumps_returns
from hubspoke.workspace import Workspace, dump_content
from workspace_fixtures import SPOKES, a_return, programme, write_file

Q1, Q2 = financial_quarter(2015, 1), financial_quarter(2015, 2)
STAMP = datetime(2016, 5, 1, 9, 30, tzinfo=UTC)

VALUES_CSV = """service,period,measure,value,gender
SP-NM2,2015-16 Q2,referrals_received,14,
SP-NM2,2015-16 Q2,referrals_received,9,Female
SP-NM2,2015-16 Q2,referrals_received,5,Male
SP-NM2,2015-16 Q2,referrals_received,lots,Male
"""

FLAWED_CSV = """service,period,measure,value
SP-XX,2015-16 Q3,nonsense,abc
"""


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "w.hubspoke", clock=lambda: STAMP) as opened:
        opened.set_programme(programme())
        yield opened


def test_importing_the_same_file_twice_leaves_identical_content(
    ws: Workspace, tmp_path: Path
) -> None:
    returns = [a_return(s, Q1, cases=3, seed=i) for i, s in enumerate(SPOKES)]
    path = write_file(tmp_path / "q1.json", dumps_returns(returns))
    first = ws.import_file(path)
    before = dump_content(ws.path)
    second = ws.import_file(path)
    assert (first.status, second.status) == ("imported", "unchanged")
    assert (second.rows_read, second.importer) == (3, "hubspoke-json")
    assert dump_content(ws.path) == before


def test_a_copy_under_another_name_is_the_same_file(ws: Workspace, tmp_path: Path) -> None:
    text = dumps_returns([a_return("SP-NM1", Q1)])
    ws.import_file(write_file(tmp_path / "q1.json", text))
    before = dump_content(ws.path)
    outcome = ws.import_file(write_file(tmp_path / "copy of q1.json", text))
    assert outcome.status == "unchanged"
    assert "'q1.json'" in outcome.message
    assert outcome.path == tmp_path / "copy of q1.json"
    assert dump_content(ws.path) == before


def test_rejected_rows_are_reported_and_the_rest_stored(ws: Workspace, tmp_path: Path) -> None:
    outcome = ws.import_file(write_file(tmp_path / "values.csv", VALUES_CSV))
    assert outcome.status == "imported"
    assert (outcome.rows_read, outcome.rows_imported, outcome.rows_rejected) == (4, 3, 1)
    (error,) = outcome.errors
    assert error.location.row == 5
    values = ws.values_frame()
    assert sorted(values["value"].tolist()) == [5.0, 9.0, 14.0]
    history = ws.imports()
    assert history["errors"].tolist() == [1]


def test_a_flawed_file_is_rejected_and_twice_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = write_file(tmp_path / "flawed.csv", FLAWED_CSV)
    first = ws.import_file(path)
    assert first.status == "rejected"
    assert {d.code for d in first.errors} == {"unknown-service", "unknown-measure", "not-a-number"}
    before = dump_content(ws.path)
    second = ws.import_file(path)
    assert second.status == "rejected"
    assert dump_content(ws.path) == before
    assert ws.returns() == ()


def test_frames_come_from_current_returns_only(ws: Workspace, tmp_path: Path) -> None:
    ws.import_file(
        write_file(tmp_path / "a.json", dumps_returns([a_return("SP-NM1", Q1, cases=4)]))
    )
    ws.import_file(
        write_file(tmp_path / "b.json", dumps_returns([a_return("SP-NM1", Q1, cases=2, seed=7)]))
    )
    cases = ws.cases_frame()
    assert len(cases) == 2
    assert set(cases["case_id"]) == {"Case-007-00000", "Case-007-00001"}
    assert len(ws.activities_frame()) == 1
    assert ws.outcomes_frame().empty
    values = ws.values_frame()
    assert values["source_sha256"].nunique() == 1


def test_returns_status_judges_lateness_by_the_first_submission(
    ws: Workspace, tmp_path: Path
) -> None:
    on_time = a_return("SP-NM1", Q1, submitted_on=date(2015, 7, 10))
    correction = a_return("SP-NM1", Q1, referrals=12, submitted_on=date(2015, 9, 1))
    ws.import_file(write_file(tmp_path / "a.json", dumps_returns([on_time])))
    assert ws.import_file(write_file(tmp_path / "b.json", dumps_returns([correction]))).status == (
        "superseded"
    )
    status = ws.returns_status(date(2015, 11, 15)).set_index(["service_id", "period_label"])
    assert status.loc[("SP-NM1", "2015-16 Q1"), "status"] == "on_time"
    assert status.loc[("SP-NM2", "2015-16 Q1"), "status"] == "missing"
    assert status.loc[("SP-NM1", "2015-16 Q3"), "status"] == "not_due"


def test_returns_status_from_columns_equals_the_full_returns(ws: Workspace, tmp_path: Path) -> None:
    from hubspoke.indicators.quality import reporting

    for i, s in enumerate(SPOKES):
        late = a_return(
            s, Q1, cases=2, seed=i, submitted_on=date(2015, 7, 20) + timedelta(days=6 * i)
        )
        ws.import_file(write_file(tmp_path / f"{s}.json", dumps_returns([late])))
    ws.import_file(
        write_file(tmp_path / "fix.json", dumps_returns([a_return("SP-NM1", Q1, referrals=3)]))
    )
    today = date(2016, 2, 1)
    full = reporting(ws.programme(), ws.returns(include_superseded=True), today)
    pd.testing.assert_frame_equal(ws.returns_status(today), full)
    # the undated correction does not make SP-NM1's dated first submission undated
    assert set(full["status"].astype(str)) == {"on_time", "late", "missing", "not_due"}


def test_scores_cover_every_active_spoke(ws: Workspace, tmp_path: Path) -> None:
    returns = [a_return(s, q, cases=3, seed=i) for i, s in enumerate(SPOKES) for q in (Q1, Q2)]
    ws.import_file(write_file(tmp_path / "all.json", dumps_returns(returns)))
    result = ws.scores("2015-16")
    assert set(result.scores["spoke_id"]) == set(SPOKES)
    assert set(result.scores["indicator"]) == {"embeddedness", "independence", "sustainability"}
    outcomes = ws.key_outcomes("2015-16")
    programme_rows = outcomes[outcomes["level"] == "programme"]
    assert set(programme_rows["outcome"].tolist()) == {1, 2, 3, 4, 5, 6}
    reached = programme_rows.set_index("measure").loc["young_people_one_to_one", "value"]
    assert reached == 9  # three distinct cases per spoke, the same ids in both quarters
    assert isinstance(result.scores, pd.DataFrame)
