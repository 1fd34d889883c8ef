"""Tests for hubspoke.frames: fixed dtypes, empty frames, and the returns round trip."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspoke import frames
from hubspoke.codes import ActivityKind, PlacementType, code_list
from hubspoke.errors import DataValidationError
from hubspoke.measures import DIMENSIONS
from hubspoke.model import (
    Activity,
    CaseRecord,
    DataValue,
    Hub,
    LocalArea,
    MonitoringReturn,
    OutcomeRecord,
    Programme,
    Provenance,
    Spoke,
)
from hubspoke.periods import financial_quarter, financial_year
from strategies import monitoring_returns, programmes

RECORD_FRAMES: list[Callable[[list[MonitoringReturn]], pd.DataFrame]] = [
    frames.values_frame,
    frames.cases_frame,
    frames.activities_frame,
    frames.outcomes_frame,
]
STRUCTURE_FRAMES: list[Callable[[Programme], pd.DataFrame]] = [
    frames.spokes_frame,
    frames.hubs_frame,
    frames.hosting_frame,
    frames.funding_frame,
    frames.posts_frame,
    frames.occupancies_frame,
    frames.supervision_frame,
    frames.expected_returns_frame,
]


def _return() -> MonitoringReturn:
    return MonitoringReturn(
        service_id="S1",
        period=financial_quarter(2015, 2),
        provenance=Provenance(
            source_file="q2.csv", sha256="0f" * 32, importer="csv", importer_version="1"
        ),
        values=(
            DataValue(measure="referrals_received", value=7),
            DataValue(
                measure="referrals_received",
                breakdown={"gender": "2", "age_band": "13-15"},
                value=3,
            ),
        ),
        cases=(
            CaseRecord(case_id="Case-0042", gender="2", age=14, age_band="13-15"),
            CaseRecord(case_id="Case-0043", sexuality="declined", looked_after=True),
        ),
        activities=(Activity(kind=ActivityKind.PROFESSIONAL_TRAINING, attendees=12, hours=3.5),),
        outcomes=(
            OutcomeRecord(
                case_id="Case-0042", instrument="Outcome Star", on=date(2015, 8, 1), score=4.0
            ),
        ),
    )


def _dtype_names(frame: pd.DataFrame) -> dict[str, str]:
    return {str(c): str(t) for c, t in frame.dtypes.items()}


def test_values_frame_columns_and_dtypes() -> None:
    frame = frames.values_frame([_return()])
    assert list(frame.columns) == [
        *frames.VALUES_KEYS,
        *DIMENSIONS,
        *frames.VALUES_TAIL,
    ]
    dtypes = _dtype_names(frame)
    assert dtypes["service_id"] == "string"
    assert dtypes["period_start"] == frames.DATE_DTYPE
    assert dtypes["value"] == "Float64"
    assert frame["gender"].dtype == "category"
    assert list(frame["gender"].cat.categories) == list(code_list("gender").values)
    assert frame["gender"].isna().tolist() == [True, False]
    assert frame["gender"].tolist()[1] == "2"
    assert frame["source_sha256"].tolist() == ["0f" * 32] * 2


def test_cases_frame_keeps_declined_apart_from_missing() -> None:
    frame = frames.cases_frame([_return()])
    assert str(frame["age"].dtype) == "Int64"
    assert str(frame["looked_after"].dtype) == "boolean"
    assert frame["sexuality"].isna().tolist() == [True, False]
    assert frame["sexuality"].iloc[1] == "declined"
    assert frame["age"].isna().tolist() == [False, True]


@pytest.mark.parametrize("make", RECORD_FRAMES, ids=lambda f: f.__name__)
def test_empty_record_frames_have_the_same_columns_and_dtypes(
    make: Callable[[list[MonitoringReturn]], pd.DataFrame],
) -> None:
    empty = make([])
    full = make([_return()])
    assert len(empty) == 0
    assert _dtype_names(empty) == _dtype_names(full)
    for name in empty.columns:
        if full[name].dtype == "category":
            assert list(empty[name].cat.categories) == list(full[name].cat.categories)


EMPTY_STRUCTURE = {f.__name__: _dtype_names(f(Programme(name="Empty"))) for f in STRUCTURE_FRAMES}


@settings(max_examples=30)  # whole programmes are costly to generate
@given(programmes())
def test_structure_frames_have_fixed_dtypes(p: Programme) -> None:
    for make in STRUCTURE_FRAMES:
        assert _dtype_names(make(p)) == EMPTY_STRUCTURE[make.__name__], make.__name__
    assert len(frames.spokes_frame(p)) == len(p.spokes)
    assert len(frames.hosting_frame(p)) == len(p.hosting)


def test_no_object_columns_anywhere() -> None:
    made = [f([_return()]) for f in RECORD_FRAMES]
    made += [f(Programme(name="Empty")) for f in STRUCTURE_FRAMES]
    for frame in made:
        assert "object" not in _dtype_names(frame).values()


def test_spokes_frame_takes_phase_from_the_hub() -> None:
    hub = Hub(
        id="H1",
        organisation="Alder Trust",
        service_name="Alder",
        region="North",
        phase=2,
        manager_post_funded=False,
    )
    area = LocalArea(code="E06000001", name="Northmoor")
    spoke = Spoke(
        id="S1",
        hub_id="H1",
        area=area,
        placement=PlacementType.NEW_LOCAL_AUTHORITY,
        planned_start=date(2016, 4, 1),
    )
    orphan = attrs.evolve(spoke, id="S2", hub_id="H9")
    frame = frames.spokes_frame(Programme(name="P", hubs=(hub,), spokes=(spoke, orphan)))
    assert frame["phase"].tolist()[0] == 2
    assert frame["phase"].isna().tolist() == [False, True]


def test_out_of_range_date_is_a_clear_error() -> None:
    r = attrs.evolve(
        _return(), cases=(CaseRecord(case_id="Case-1", referral_date=date(1215, 6, 15)),)
    )
    with pytest.raises(DataValidationError, match="referral_date: the date 1215-06-15"):
        frames.cases_frame([r])


def _strip(r: MonitoringReturn) -> MonitoringReturn:
    """What the frames carry of a return: records, not the envelope or case reviews."""
    return attrs.evolve(
        r,
        submitted_on=None,
        provenance=None,
        replaces_earlier=False,
        cases=tuple(attrs.evolve(c, reviews=()) for c in r.cases),
    )


@settings(max_examples=50)  # four frames and back per example
@given(
    st.lists(
        monitoring_returns(max_records=2),
        max_size=3,
        unique_by=lambda r: (r.service_id, r.period.label, r.period.start, r.period.end),
    )
)
def test_returns_round_trip_through_frames(rs: list[MonitoringReturn]) -> None:
    expected = [_strip(r) for r in rs if r.record_count]
    back = frames.returns_from_frames(
        frames.values_frame(rs),
        frames.cases_frame(rs),
        frames.activities_frame(rs),
        frames.outcomes_frame(rs),
    )
    key: Callable[[MonitoringReturn], Any] = lambda r: (r.service_id, r.period.sort_key)  # noqa: E731
    assert sorted(back, key=key) == sorted(expected, key=key)


def test_returns_from_frames_groups_by_service_and_period_in_first_seen_order() -> None:
    a = _return()
    b = attrs.evolve(a, service_id="S2")
    c = attrs.evolve(a, period=financial_year(2015))
    back = frames.returns_from_frames(values=frames.values_frame([b, a, c]))
    assert [(r.service_id, r.period.label) for r in back] == [
        ("S2", "2015-16 Q2"),
        ("S1", "2015-16 Q2"),
        ("S1", "2015-16"),
    ]
    assert back[1].values == a.values
    assert back[1].cases == ()


def test_returns_from_frames_reports_bad_rows_with_their_position() -> None:
    values = frames.values_frame([_return()])
    values.loc[1, "value"] = -1.0
    with pytest.raises(DataValidationError, match=r"values row 1: .*value"):
        frames.returns_from_frames(values=values)


def test_returns_from_frames_names_missing_columns() -> None:
    cases = frames.cases_frame([_return()]).drop(columns=["gender"])
    with pytest.raises(DataValidationError, match="cases frame lacks column"):
        frames.returns_from_frames(cases=cases)


def test_returns_from_frames_of_nothing_is_empty() -> None:
    assert frames.returns_from_frames() == ()
    assert frames.returns_from_frames(*(f([]) for f in RECORD_FRAMES)) == ()


def test_funding_frame_has_a_flag_per_condition() -> None:
    from hubspoke.codes import FundingCondition

    frame = frames.funding_frame(Programme(name="Empty"))
    for condition in FundingCondition:
        assert str(frame[condition.value].dtype) == "boolean"


def test_returns_from_plain_frames_built_by_hand() -> None:
    """Plain numpy/str columns work too; columns beyond the keys are breakdown dimensions."""
    values = pd.DataFrame(
        {
            "service_id": ["S1", "S1"],
            "period_label": ["2015-16", "2015-16"],
            "period_start": pd.to_datetime(["2015-04-01", "2015-04-01"]),
            "period_end": pd.to_datetime(["2016-03-31", "2016-03-31"]),
            "measure": ["referrals_received", "referrals_received"],
            "gender": [None, "1"],
            "value": [10, 4],
        }
    )
    (back,) = frames.returns_from_frames(values=values)
    assert back.period == financial_year(2015)
    assert back.values == (
        DataValue(measure="referrals_received", value=10),
        DataValue(measure="referrals_received", breakdown={"gender": "1"}, value=4),
    )
