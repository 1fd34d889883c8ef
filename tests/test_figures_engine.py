"""The figures engine: record frames, counted returns, source precedence, reconciliation, totals."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders_outcomes import FY15, case, programme, quarters, ret
from hubspoke.codes import ActivityKind
from hubspoke.errors import DataValidationError
from hubspoke.figures.counted import counted_returns
from hubspoke.figures.records import RecordFrames, schema
from hubspoke.figures.sources import reconciliation, return_figures
from hubspoke.figures.totals import COUNT_MEASURES, totals_by_service_period
from hubspoke.frames import cases_frame, values_frame
from hubspoke.indicators.outcomes import key_outcomes, key_outcomes_from_frames
from hubspoke.indicators.programme import score_programme, score_programme_from_frames
from hubspoke.measures import measure
from hubspoke.model import Activity, MonitoringReturn

Q1, Q2, Q3, Q4 = quarters(2015)


def _used(frames: RecordFrames, rid: int, m: str) -> tuple[str, float]:
    f = return_figures(frames)
    row = f[(f["return_id"] == rid) & (f["measure"] == m) & f["used"]]
    assert len(row) == 1
    return str(row["source"].iloc[0]), float(row["value"].iloc[0])


def _v(frame: pd.DataFrame, unit: str, m: str) -> float | None:
    rows = frame[(frame["unit_id"] == unit) & (frame["measure"] == m)]
    value = rows["value"].iloc[0]
    return None if value is pd.NA else float(value)


# -- RecordFrames ---------------------------------------------------------------------------


def test_record_frames_have_the_frames_columns_with_return_ids() -> None:
    rs = [
        ret("S1", Q1, values=[("referrals_received", 3)], cases=[case("C1"), case("C2")]),
        ret("S2", Q1, cases=[case("C3")]),
    ]
    frames = RecordFrames.from_returns(rs)
    assert frames.returns["return_id"].tolist() == [1, 2]
    assert list(frames.cases.columns) == ["return_id", *cases_frame([]).columns]
    assert list(frames.values.columns) == ["return_id", *values_frame([]).columns]
    assert frames.cases["return_id"].tolist() == [1, 1, 2]
    for kind in ("returns", "values", "cases", "activities", "outcomes"):
        got = {c: str(t) for c, t in getattr(frames, kind).dtypes.items()}
        assert got == {c: str(t) for c, t in schema(kind).items()}
        empty = getattr(RecordFrames.empty(), kind)
        assert {c: str(t) for c, t in empty.dtypes.items()} == got
    assert frames.select([2]).cases["case_id"].tolist() == ["C3"]
    assert frames.select([2]).returns["service_id"].tolist() == ["S2"]


def test_conform_casts_plain_columns_and_names_what_is_wrong() -> None:
    frames = RecordFrames.from_returns([ret("S1", Q1, cases=[case("C1", gender="1")])])
    plain = frames.cases.astype({"gender": "object", "return_id": "int64"})
    again = attrs.evolve(frames, cases=plain)
    pd.testing.assert_frame_equal(again.cases, frames.cases)
    with pytest.raises(DataValidationError, match=r"cases frame lacks column\(s\): gender"):
        attrs.evolve(frames, cases=plain.drop(columns=["gender"]))
    bad = plain.assign(gender=["no-such-code"])
    with pytest.raises(DataValidationError, match=r"cases\.gender: 'no-such-code'"):
        attrs.evolve(frames, cases=bad)
    with pytest.raises(DataValidationError, match="not the id of a return"):
        attrs.evolve(frames, cases=plain.assign(return_id=[9]))


# -- counted returns ------------------------------------------------------------------------


def test_counted_returns_resubmission_nesting_and_period() -> None:
    rs = [
        ret("S1", Q1, submitted_on=date(2015, 7, 20)),
        ret("S1", Q1, submitted_on=date(2015, 7, 10)),  # older resubmission: loses
        ret("S1", Q2),
        ret("S2", Q1),
        ret("S2", FY15),  # S2's quarter lies inside it
        ret("S3", quarters(2016)[0]),  # outside FY15
    ]
    frames = RecordFrames.from_returns(rs)
    got = counted_returns(frames.returns, FY15)
    assert got["return_id"].tolist() == [1, 3, 5]
    # same dates and date: replaces_earlier, then the later return id
    tied = [ret("S1", Q1), ret("S1", Q1, replaces_earlier=True), ret("S1", Q1)]
    ids = counted_returns(RecordFrames.from_returns(tied).returns, FY15)["return_id"]
    assert ids.tolist() == [2]


# -- sources and precedence -----------------------------------------------------------------


def test_reported_referrals_are_used_and_reconciled_with_case_records() -> None:
    cases = [case(f"C{i}", referral_date=date(2015, 8, 1)) for i in range(19)]
    r = ret("S12", Q2, values=[("referrals_received", 25)], cases=cases)
    frames = RecordFrames.from_returns([r])
    assert _used(frames, 1, "referrals_received") == ("reported", 25.0)
    rec = reconciliation(frames)
    row = rec[rec["measure"] == "referrals_received"].to_dict("records")
    assert len(row) == 1
    assert row[0]["message"] == (
        "S12 2015-16 Q2: referrals received: 25 reported, 19 from case records "
        "(6 more reported); the reported figure is used"
    )
    assert (row[0]["used_source"], row[0]["other_source"], row[0]["difference"]) == (
        "reported",
        "cases",
        6,
    )
    out = key_outcomes(programme(), [r], FY15)
    assert _v(out, "Northmoor Programme", "referrals_received") is None  # S12 is no spoke
    r1 = attrs.evolve(r, service_id="S1")
    assert _v(key_outcomes(programme(), [r1], FY15), "S1", "referrals_received") == 25


def test_group_reach_sent_only_by_gender_is_summed() -> None:
    r = ret(
        "S1",
        Q1,
        values=[
            ("young_people_group_reached", 20, {"gender": "2"}),
            ("young_people_group_reached", 16, {"gender": "1"}),
        ],
    )
    frames = RecordFrames.from_returns([r])
    assert _used(frames, 1, "young_people_group_reached") == ("breakdown:gender", 36.0)
    assert _v(key_outcomes(programme(), [r], FY15), "S1", "young_people_group_reached") == 36


def test_precedence_follows_the_catalogue() -> None:
    assert measure("referrals_received").sources == ("reported", "breakdown", "activities", "cases")
    assert measure("young_people_one_to_one").sources[0] == "cases"
    r = attrs.evolve(
        ret(
            "S1",
            Q1,
            values=[
                ("young_people_group_reached", 5, {"age_band": "13-15"}),
                ("young_people_group_reached", 7, {"gender": "1"}),
                ("young_people_one_to_one", 9),
                ("professionals_trained", 2, {"profession": "police"}),
            ],
            cases=[case("C1"), case("C2", support_type="group")],
        ),
        activities=(
            Activity(kind=ActivityKind.GROUP_WORK, attendees=11),
            Activity(kind=ActivityKind.PROFESSIONAL_TRAINING, attendees=4),
        ),
    )
    frames = RecordFrames.from_returns([r])
    # gender comes before age_band in DIMENSIONS
    assert _used(frames, 1, "young_people_group_reached") == ("breakdown:gender", 7.0)
    assert _used(frames, 1, "young_people_one_to_one") == ("cases", 1.0)
    assert _used(frames, 1, "professionals_trained") == ("breakdown:profession", 2.0)
    rec = reconciliation(frames)
    assert set(zip(rec["measure"], rec["other_source"], strict=True)) == {
        ("young_people_group_reached", "breakdown:age_band"),
        ("young_people_group_reached", "activities"),
        ("young_people_one_to_one", "reported"),
        ("professionals_trained", "activities"),
    }


# -- totals ---------------------------------------------------------------------------------


def test_totals_sum_to_the_programme_outcome() -> None:
    from test_outcomes import _programme, _returns

    p, rs = _programme(), _returns()
    from hubspoke.figures.inputs import frames_of_returns

    frames = frames_of_returns(rs)
    totals = totals_by_service_period(p, frames, FY15)
    outcomes = key_outcomes_from_frames(p, frames, FY15)
    for m in COUNT_MEASURES:
        if m == "young_people_one_to_one":
            continue  # a distinct count: see the module docstring
        got = totals.loc[totals["measure"] == m, "value"].sum()
        want = _v(outcomes, "Northmoor Programme", m)
        assert float(got) == (want or 0.0), m
    s1 = totals[(totals["service_id"] == "S1") & (totals["measure"] == "professionals_trained")]
    assert s1["source_note"].tolist() == [
        "from the breakdown by profession",
        "from activity records",
    ]


def test_frame_entry_points_equal_the_adapters() -> None:
    from builders_derive import derive_returns, funded_programme
    from hubspoke.figures.inputs import frames_of_returns

    p, rs = funded_programme(), derive_returns()
    a = score_programme(p, rs, FY15)
    b = score_programme_from_frames(p, frames_of_returns(rs), FY15)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.components, b.components)


# -- property: the engine equals a reference over objects, in any order ----------------------

_CODES = {"gender": ["1", "2"], "age_band": ["13-15", "16-17"]}


@st.composite
def _returns(draw: Any) -> list[MonitoringReturn]:
    out = []
    for q in (Q1, Q2, Q3, Q4):
        if not draw(st.booleans()):
            continue
        values: list[Any] = []
        if draw(st.booleans()):
            values.append(("young_people_group_reached", draw(st.integers(0, 30))))
        if draw(st.booleans()):
            dim = draw(st.sampled_from(sorted(_CODES)))
            for code in draw(st.sets(st.sampled_from(_CODES[dim]), min_size=1)):
                values.append(("young_people_group_reached", draw(st.integers(0, 9)), {dim: code}))
        if draw(st.booleans()):
            values.append(("referrals_received", draw(st.integers(0, 30))))
        ids = draw(st.lists(st.integers(0, 8), max_size=6))
        cases = [
            case(
                f"C{i}",
                referral_date=draw(st.sampled_from([None, q.start, date(2014, 1, 1)])),
                support_type=draw(st.sampled_from([None, "group", "one_to_one"])),
            )
            for i in ids
        ]
        acts = tuple(
            Activity(kind=ActivityKind.GROUP_WORK, attendees=n)
            for n in draw(st.lists(st.integers(0, 9), max_size=3))
        )
        out.append(attrs.evolve(ret("S1", q, values=values, cases=cases), activities=acts))
    return out


def _reference(r: MonitoringReturn, m: str) -> float | None:
    """The documented precedence, straight from one return's objects."""
    total = [v.value for v in r.values if v.measure == m and v.is_total]
    if total:
        return sum(total)
    for dim in ("gender", "age_band"):
        split = [v.value for v in r.values if v.measure == m and v.dimensions == (dim,)]
        if split:
            return sum(split)
    if m == "young_people_group_reached":
        acts = [a.attendees for a in r.activities if a.kind is ActivityKind.GROUP_WORK]
        if acts:
            return float(sum(acts))
    if m == "referrals_received" and any(c.referral_date for c in r.cases):
        return float(
            len(
                {
                    c.case_id
                    for c in r.cases
                    if c.referral_date and r.period.contains(c.referral_date)
                }
            )
        )
    return None


@settings(max_examples=60, deadline=None)
@given(_returns(), st.randoms(use_true_random=False))
def test_engine_equals_the_object_reference_in_any_order(
    rs: list[MonitoringReturn], rng: random.Random
) -> None:
    frames = RecordFrames.from_returns(rs)
    figures = return_figures(frames)
    used = figures[figures["used"].to_numpy(dtype=bool)]
    for i, r in enumerate(rs, start=1):
        for m in ("young_people_group_reached", "referrals_received"):
            row = used[(used["return_id"] == i) & (used["measure"] == m)]
            want = _reference(r, m)
            assert (float(row["value"].iloc[0]) if len(row) else None) == want
    shuffled = [
        attrs.evolve(
            r,
            values=tuple(rng.sample(r.values, len(r.values))),
            cases=tuple(rng.sample(r.cases, len(r.cases))),
        )
        for r in rs
    ]
    rng.shuffle(shuffled)
    p = programme()
    a = key_outcomes(p, rs, FY15)
    b = key_outcomes(p, shuffled, FY15)
    pd.testing.assert_frame_equal(a, b)
    for m in ("young_people_group_reached", "referrals_received"):
        refs = [x for x in (_reference(r, m) for r in rs) if x is not None]
        assert _v(a, "S1", m) == (sum(refs) if refs else None)
    assert np.isfinite(a["completeness"].astype("float64").fillna(0)).all()
