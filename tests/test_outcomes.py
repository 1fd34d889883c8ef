"""The six key outcome measures and their roll-ups: a hand-computed programme."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import attrs
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders_derive import shuffle_all
from builders_outcomes import (
    FY14,
    FY15,
    Post,
    PostRole,
    case,
    expected,
    funding,
    hosting,
    programme,
    quarters,
    ret,
    spoke,
)
from hubspoke.codes import (
    ActivityKind,
    FundingSourceKind,
    GoalStatus,
    LineManagement,
    PlacementType,
)
from hubspoke.indicators.change import Instrument
from hubspoke.indicators.outcomes import COLUMNS, DTYPES, key_outcomes
from hubspoke.model import Activity, MonitoringReturn, OutcomeRecord, Programme

Q1, Q2, Q3, Q4 = quarters(2015)
IND = FundingSourceKind.INDEPENDENT_CHARITABLE


def _programme() -> Programme:
    return programme(
        spokes=(
            spoke("S1", "H1", "E06000901", "Alderbrook"),
            spoke("S2", "H1", "E06000902", "Fernby", start=date(2014, 4, 1)),
            spoke(
                "S3",
                "H2",
                "E06000903",
                "Gorsedale",
                placement=PlacementType.NEW_AREA_IN_HUB_AUTHORITY,
            ),
        ),
        funding=(
            # S1: unbroken to 30 Jun 2018, 456 days (14.98 months) beyond the grant's end
            funding("FA-1", "S1", "F-ALDER", IND, 100_000, date(2015, 4, 1), date(2017, 3, 31)),
            funding(
                "FA-2",
                "S1",
                "F-BIRCH",
                FundingSourceKind.STATUTORY_CONTRACT,
                50_000,
                date(2017, 4, 1),
                date(2018, 6, 30),
            ),
            # S2: a gap in April-May 2017, so nothing unbroken beyond the grant
            funding("FA-3", "S2", "F-ALDER", IND, 100_000, date(2015, 4, 1), date(2017, 3, 31)),
            funding("FA-4", "S2", "F-CEDAR", IND, 90_000, date(2017, 6, 1), date(2019, 3, 31)),
        ),
        hosting=(
            hosting(
                "HA-1",
                "S1",
                date(2015, 4, 1),
                colocation_days=5.0,
                records_access=True,
                host_in_recruitment=True,
            ),
            hosting(
                "HA-2",
                "S2",
                date(2014, 4, 1),
                formal_agreement=False,
                colocation_days=0.0,
                desk_access=False,
                it_access=False,
                line_management=LineManagement.HOST,
            ),
        ),
        posts=(
            Post(id="P1", spoke_id="S1", role=PostRole.SPOKE_WORKER, fte=0.5, start=FY15.start),
            # 183 of FY15's 366 days: average FTE 0.5
            Post(
                id="P2", spoke_id="S2", role=PostRole.SPOKE_WORKER, fte=1.0, start=date(2015, 10, 1)
            ),
        ),
        expected_returns=(
            *(expected("S1", q) for q in (Q1, Q2, Q3, Q4)),
            expected("S2", FY15),
            expected("S2", FY14),  # outside the period: not counted
            *(expected("S3", q) for q in (Q1, Q2, Q3, Q4)),
        ),
    )


def _prof(pid: str, on: date, score: float) -> OutcomeRecord:
    return OutcomeRecord(
        case_id=pid, instrument="confidence", on=on, score=score, subject="professional"
    )


def _scale(cid: str, instrument: str, on: date, score: float) -> OutcomeRecord:
    return OutcomeRecord(case_id=cid, instrument=instrument, on=on, score=score)


def _goal(cid: str, goal: str, on: date, status: GoalStatus) -> OutcomeRecord:
    return OutcomeRecord(case_id=cid, instrument="goals", goal=goal, on=on, goal_status=status)


def _returns() -> list[MonitoringReturn]:
    q1 = ret(
        "S1",
        Q1,
        values=[
            ("young_people_group_reached", 20),
            ("professionals_trained", 5, {"profession": "police"}),
            ("professionals_trained", 3, {"profession": "health"}),
            ("agencies_reached", 3),
            ("hours_direct_work", 80),
            ("hours_training", 10),
            ("hours_other_duties", 10),
        ],
        cases=[
            case(
                "C1",
                referral_date=date(2015, 5, 1),
                referral_source="6",
                support_type="one_to_one",
                risk_at_referral="high",
            ),
            case(
                "C2",
                referral_date=date(2015, 6, 1),
                referral_source="1A",
                risk_at_referral="medium",
                risk_latest="medium",
                missing_before=2,
                missing_after=2,
            ),
            case("C3", support_type="group", risk_at_referral="low", risk_latest="high"),
        ],
    )
    q1 = attrs.evolve(
        q1,
        outcomes=(
            _prof("P-01", date(2015, 5, 1), 2),
            _prof("P-02", date(2015, 5, 1), 3),
            _prof("P-03", date(2015, 5, 1), 1),  # never rated again: no pair
            _scale("C1", "example_wellbeing", date(2015, 5, 1), 10),
            _scale("C2", "example_wellbeing", date(2015, 5, 1), 10),
            _scale("C3", "example_wellbeing", date(2015, 5, 1), 15),
            _scale("C1", "local_scale", date(2015, 5, 1), 3),
            _goal("C1", "school", date(2015, 5, 1), GoalStatus.NOT_MET),
            _goal("C1", "friends", date(2015, 5, 1), GoalStatus.NOT_MET),
            _goal("C2", "safe", date(2015, 6, 1), GoalStatus.PARTLY_MET),
        ),
    )
    q2 = ret(
        "S1",
        Q2,
        values=[
            ("young_people_one_to_one", 99),  # the return has case records: never added
            ("referrals_received", 5),
        ],
        cases=[
            case(
                "C1",
                risk_at_referral="high",
                risk_latest="medium",
                missing_before=4,
                missing_after=1,
            ),
            case("C4", risk_at_referral="high", risk_latest="not_recorded"),
        ],
    )
    q2 = attrs.evolve(
        q2,
        activities=(
            Activity(kind=ActivityKind.GROUP_WORK, attendees=6),
            Activity(kind=ActivityKind.TALK_TO_YOUNG_PEOPLE, attendees=4),
            Activity(
                kind=ActivityKind.PROFESSIONAL_TRAINING, audience_profession="police", attendees=4
            ),
            Activity(kind=ActivityKind.PROFESSIONAL_TRAINING, attendees=2),
        ),
        outcomes=(
            _prof("P-01", date(2015, 9, 1), 4),
            _prof("P-02", date(2015, 6, 1), 3),
            _scale("C1", "example_wellbeing", date(2015, 9, 1), 20),
            _scale("C2", "example_wellbeing", date(2015, 9, 1), 12),
            _scale("C3", "example_wellbeing", date(2015, 9, 1), 5),
            _scale("C1", "local_scale", date(2015, 9, 1), 5),
            _goal("C1", "school", date(2015, 9, 1), GoalStatus.MET),
        ),
    )
    q3 = ret("S1", Q3, values=[("young_people_one_to_one", 7)])
    s2 = ret(
        "S2",
        FY15,
        values=[
            ("young_people_one_to_one", 4),
            ("referrals_received", 6),
            ("hours_direct_work", 10),
            ("hours_other_duties", 90),
        ],
    )
    s2_before = ret("S2", FY14, values=[("young_people_one_to_one", 1)])
    return [q1, q2, q3, s2, s2_before]


@pytest.fixture(scope="module")
def outcomes() -> pd.DataFrame:
    return key_outcomes(_programme(), _returns(), FY15)


def _get(frame: pd.DataFrame, unit: str, measure: str) -> dict[str, Any]:
    rows = frame[(frame["unit_id"] == unit) & (frame["measure"] == measure)]
    assert len(rows) == 1, (unit, measure)
    return {str(k): v for k, v in rows.to_dict("records")[0].items()}


def _v(frame: pd.DataFrame, unit: str, measure: str) -> float | None:
    value = _get(frame, unit, measure)["value"]
    return None if value is None or value is pd.NA else float(value)


def test_shape_and_dtypes(outcomes: pd.DataFrame) -> None:
    assert tuple(outcomes.columns) == COLUMNS
    assert {c: str(t) for c, t in outcomes.dtypes.items()} == DTYPES
    assert list(dict.fromkeys(outcomes["unit_id"])) == [
        "S1",
        "S2",
        "S3",
        "H1",
        "H2",
        "phase-1",
        "phase-2",
        "Northmoor Programme",
    ]


def test_outcomes_1_to_3(outcomes: pd.DataFrame) -> None:
    assert _v(outcomes, "S1", "sustainable_funding") == 1.0
    assert _v(outcomes, "S2", "sustainable_funding") == 0.0
    assert _v(outcomes, "S3", "sustainable_funding") is None  # no funding recorded
    prog = _get(outcomes, "Northmoor Programme", "sustainable_funding")
    assert (prog["numerator"], prog["denominator"], prog["value"]) == (1, 2, 0.5)
    assert prog["note"] == "1 of 3 spokes have no funding recorded"
    # S1: (0.2 + 0.2 + 0.15 + 0.15 + 0.15 x 1/2) / 0.85 = 0.91; S2: every component 0
    assert _v(outcomes, "S1", "embedded") == 1.0
    assert _v(outcomes, "S2", "embedded") == 0.0
    assert _v(outcomes, "S3", "embedded") is None
    # S1 hub-managed and 90 of 100 hours on CSE; S2 host-managed; S3 unknown
    assert _v(outcomes, "S1", "distinct_identity") == 1.0
    assert _v(outcomes, "S2", "distinct_identity") == 0.0
    assert _v(outcomes, "H1", "distinct_identity") == 0.5
    assert _v(outcomes, "H2", "distinct_identity") is None


def test_outcome_4_reach(outcomes: pd.DataFrame) -> None:
    # S1: distinct one-to-one cases C1, C2 (Q1) and C1, C4 (Q2) = 3 (C3 is group only);
    # Q3 has no case records: its aggregate 7 is added; Q2's aggregate 99 is not
    row = _get(outcomes, "S1", "young_people_one_to_one")
    assert row["value"] == 10
    assert "fell back to aggregate counts" in row["note"]
    assert _v(outcomes, "S1", "young_people_one_to_one_per_fte") == 20  # 10 / 0.5 FTE
    assert _v(outcomes, "S1", "young_people_group_reached") == 30  # 20 + (6 + 4) from activities
    assert _v(outcomes, "S1", "referrals_received") == 7  # C1, C2 by date in Q1; 5 in Q2
    prog = "Northmoor Programme"
    assert _v(outcomes, prog, "young_people_one_to_one") == 14
    assert _v(outcomes, prog, "young_people_one_to_one_per_fte") == 14  # 14 / (0.5 + 0.5)
    assert _v(outcomes, prog, "young_people_one_to_one_change") == 13  # FY14: S2 reported 1
    assert _v(outcomes, prog, "new_areas") == 2  # S3 is a new area inside its hub's authority
    assert _v(outcomes, "S3", "new_areas") == 0
    assert _v(outcomes, prog, "new_areas_change") == 1  # only S2 ran in FY14


def test_outcome_5_partner_skills(outcomes: pd.DataFrame) -> None:
    assert _v(outcomes, "S1", "professionals_trained") == 14  # 5 + 3, then 4 + 2 from activities
    assert _v(outcomes, "S1", "professionals_trained:police") == 9
    assert _v(outcomes, "S1", "professionals_trained:health") == 3
    assert _v(outcomes, "S1", "professionals_trained:not_recorded") == 2
    assert _v(outcomes, "S1", "agencies_reached") == 3
    # P-01 2 -> 4, P-02 3 -> 3, P-03 has one rating only
    change = _get(outcomes, "S1", "confidence_change")
    assert (change["value"], change["denominator"]) == (1.0, 2)
    assert _v(outcomes, "S1", "confidence_improved") == 0.5


def test_outcome_6_young_people(outcomes: pd.DataFrame) -> None:
    # C1 high -> medium (fell), C2 medium -> medium, C3 low -> high; C4 latest not recorded
    for measure in ("risk_fell", "risk_stayed", "risk_rose"):
        row = _get(outcomes, "S1", measure)
        assert (row["numerator"], row["denominator"]) == (1, 3)
    missing = _get(outcomes, "S1", "missing_episodes_change")
    assert (missing["value"], missing["denominator"]) == (-3, 2)  # (1 + 2) - (4 + 2)
    # example_wellbeing: sd 6, r 0.8, so reliable change needs |x2 - x1| > 7.44
    assert _v(outcomes, "S1", "distance:example_wellbeing") == pytest.approx(2 / 3)
    assert _v(outcomes, "S1", "reliably_improved:example_wellbeing") == pytest.approx(1 / 3)
    assert _v(outcomes, "S1", "reliably_deteriorated:example_wellbeing") == pytest.approx(1 / 3)
    local = _get(outcomes, "S1", "distance:local_scale")
    assert local["value"] == 2
    assert "reliability unknown" in local["note"]
    assert (outcomes["measure"] == "reliably_improved:local_scale").sum() == 0
    for status in ("met", "partly_met", "not_met"):
        assert _v(outcomes, "S1", f"goals_{status}") == pytest.approx(1 / 3)


def test_own_instrument_catalogue() -> None:
    strict = Instrument(name="local_scale", sd=0.5, reliability=0.9)
    frame = key_outcomes(_programme(), _returns(), FY15, instruments=[strict])
    # 3 -> 5 with sd 0.5, r 0.9: RCI = 2 / (0.5 x 1.414 x 0.316) = 8.9
    assert _v(frame, "S1", "reliably_improved:local_scale") == 1.0
    assert _v(frame, "S1", "distance:example_wellbeing") == pytest.approx(2 / 3)
    assert (frame["measure"] == "reliably_improved:example_wellbeing").sum() == 0


def test_roll_up_completeness(outcomes: pd.DataFrame) -> None:
    got = {
        unit: (r["returns_received"], r["returns_expected"], r["completeness"])
        for unit in ("S1", "S2", "S3", "H1", "H2", "phase-1", "Northmoor Programme")
        for r in [_get(outcomes, unit, "embedded")]
    }
    assert got["S1"] == (3, 4, 0.75)
    assert got["S2"] == (1, 1, 1.0)
    assert got["S3"] == (0, 4, 0.0)
    assert got["H1"] == (4, 5, 0.8)
    assert got["phase-1"] == (4, 5, 0.8)
    assert got["Northmoor Programme"][:2] == (4, 9)


@given(st.randoms(use_true_random=False))
def test_record_order_never_changes_outcomes(rng: random.Random) -> None:
    p, rs = _programme(), _returns()
    p2, rs2 = shuffle_all(rng, p, rs)
    pd.testing.assert_frame_equal(key_outcomes(p, rs, FY15), key_outcomes(p2, rs2, FY15))


@given(st.lists(st.booleans(), min_size=5, max_size=5))
def test_completeness_stays_in_unit_interval(keep: list[bool]) -> None:
    rs = [r for r, k in zip(_returns(), keep, strict=True) if k]
    frame = key_outcomes(_programme(), rs, FY15)
    known = frame["completeness"].dropna()
    assert ((known >= 0) & (known <= 1)).all()
    assert (frame["returns_received"] <= frame["returns_expected"]).all()


def test_roll_ups_pool_cases_rather_than_average_spokes() -> None:
    rs = [
        ret(
            "S1",
            Q1,
            cases=[
                case("C1", risk_at_referral="high", risk_latest="low"),
                case("C2", risk_at_referral="low", risk_latest="low"),
                case("C3", risk_at_referral="low", risk_latest="medium"),
            ],
        ),
        ret("S2", Q1, cases=[case("C1", risk_at_referral="medium", risk_latest="low")]),
    ]
    frame = key_outcomes(_programme(), rs, FY15)
    fell = _get(frame, "H1", "risk_fell")
    # 2 of the hub's 4 cases fell (pooled), not the mean of 1/3 and 1/1
    assert (fell["numerator"], fell["denominator"], fell["value"]) == (2, 4, 0.5)
    assert _v(frame, "H2", "risk_fell") is None


def test_outcome_1_uses_each_spokes_own_grant_end() -> None:
    """A spoke's programme grant ends with its own funded period, not the programme's last one.

    S2's grant ends 31 Mar 2016 (its end date) and a contract runs unbroken to
    30 Jun 2017 (15 months on): sustained, although the programme-wide
    grant_end (31 Mar 2017) would leave only 3 months.
    """
    base = _programme()
    s2 = attrs.evolve(base.spoke("S2"), planned_end=date(2016, 3, 31))
    prog = attrs.evolve(
        base,
        spokes=tuple(s2 if s.id == "S2" else s for s in base.spokes),
        funding=(
            funding("FA-3", "S2", "F-ALDER", IND, 100_000, date(2014, 4, 1), date(2016, 3, 31)),
            funding(
                "FA-4",
                "S2",
                "F-BIRCH",
                FundingSourceKind.STATUTORY_CONTRACT,
                60_000,
                date(2016, 4, 1),
                date(2017, 6, 30),
            ),
        ),
    )
    frame = key_outcomes(prog, [], FY15)
    assert _v(frame, "S2", "sustainable_funding") == 1.0
    shorter = attrs.evolve(
        prog, funding=(*prog.funding[:1], attrs.evolve(prog.funding[1], end=date(2017, 1, 31)))
    )
    assert _v(key_outcomes(shorter, [], FY15), "S2", "sustainable_funding") == 0.0
