"""Data quality: field completeness, reporting, reconciliations (hand-computed)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

import attrs
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders_outcomes import FY15, case, expected, programme, quarters, ret
from hubspoke.errors import DataValidationError
from hubspoke.frames import cases_frame, values_frame
from hubspoke.indicators.quality import (
    completeness_messages,
    field_completeness,
    reconcile_annual_quarters,
    reconcile_cases_aggregates,
    reporting,
    reporting_rates,
)
from hubspoke.model import MonitoringReturn, Programme

Q1, Q2, Q3, Q4 = quarters(2015)
Value = tuple[str, float] | tuple[str, float, dict[str, str]]
Check = Callable[[list[MonitoringReturn]], pd.DataFrame]


def _case_returns() -> list[MonitoringReturn]:
    return [
        ret(
            "S1",
            Q1,
            cases=[
                case(
                    "C1",
                    gender="2",
                    ethnicity="REFU",
                    sexuality="declined",
                    age=14,
                    referral_source="10",
                    risk_at_referral="high",
                ),
                case(
                    "C2",
                    gender="0",
                    age_band="not_recorded",
                    referral_source="6",
                    risk_at_referral="not_recorded",
                ),
                case(
                    "C3", gender="1", ethnicity="WBRI", sexuality="heterosexual", age_band="13-15"
                ),
            ],
        ),
        ret("S2", Q1, cases=[case("C9", gender="2")]),
    ]


def _row(frame: pd.DataFrame, **where: str) -> dict[str, object]:
    mask = pd.Series(True, index=frame.index)
    for k, v in where.items():
        mask &= frame[k] == v
    rows = frame[mask].to_dict("records")
    assert len(rows) == 1, where
    return {str(k): v for k, v in rows[0].items()}


def test_field_completeness_keeps_declined_and_not_recorded_apart() -> None:
    got = field_completeness(cases_frame(_case_returns()))
    assert list(got.columns) == [
        "service_id",
        "field",
        "records",
        "known",
        "declined",
        "not_recorded",
        "missing",
        "completeness",
    ]
    counts = {
        r["field"]: (r["known"], r["declined"], r["not_recorded"], r["missing"])
        for r in got[got["service_id"] == "S1"].to_dict("records")
    }
    assert counts == {
        "gender": (2, 0, 1, 0),
        "ethnicity": (1, 1, 0, 1),
        "sexuality": (1, 1, 0, 1),
        "age": (2, 0, 1, 0),  # C1 by age, C3 by band; C2's band is "not recorded"
        "referral_source": (1, 0, 1, 1),  # "10" (unknown) is not recorded
        "risk_level": (1, 0, 1, 1),
    }
    ethnicity = _row(got, service_id="S1", field="ethnicity")
    assert ethnicity["completeness"] == pytest.approx(1 / 3)
    messages = completeness_messages(got)
    assert "S1: ethnicity known for 1 of 3 records (1 declined, 1 missing)" in messages
    assert "S2: gender known for 1 of 1 records" in messages


def test_field_completeness_needs_its_columns() -> None:
    with pytest.raises(DataValidationError, match="lacks column"):
        field_completeness(pd.DataFrame({"service_id": ["S1"]}))


def _reporting_setup() -> tuple[Programme, list[MonitoringReturn]]:
    p = programme(
        expected_returns=(*(expected("S1", q) for q in (Q1, Q2, Q3, Q4)), expected("S2", FY15))
    )
    rs = [
        ret("S1", Q1, submitted_on=date(2015, 7, 20)),  # due 30 Jul: on time, timely
        ret("S1", Q1, submitted_on=date(2015, 9, 1)),  # a resubmission: the first one counts
        ret("S1", Q2, submitted_on=date(2015, 11, 15)),  # due 30 Oct: 16 days late
        ret("S2", FY15),  # received, date unknown
    ]
    return p, rs


def test_reporting_statuses() -> None:
    p, rs = _reporting_setup()
    got = reporting(p, rs, today=date(2016, 2, 1))
    assert list(got.columns) == [
        "service_id",
        "period_label",
        "due_on",
        "status",
        "label",
        "submitted_on",
        "days_late",
    ]
    statuses = [(r["period_label"], r["status"], r["days_late"]) for r in got.to_dict("records")]
    assert statuses[:4] == [
        ("2015-16 Q1", "on_time", None),
        ("2015-16 Q2", "late", 16),
        ("2015-16 Q3", "missing", 2),  # due 30 Jan 2016, two days before today
        ("2015-16 Q4", "not_due", None),
    ]
    s2 = _row(got, service_id="S2")
    # no submission date: received, but nothing says it was on time (issue 9)
    assert (s2["status"], s2["label"]) == ("undated", "received (date unknown)")
    assert s2["submitted_on"] is pd.NaT


def test_reporting_rates_count_exactly() -> None:
    p, rs = _reporting_setup()
    got = reporting_rates(p, rs, today=date(2016, 2, 1))
    s1 = _row(got, service_id="S1")
    assert (s1["due"], s1["received"], s1["late"], s1["missing"]) == (3, 2, 1, 1)
    assert s1["reporting_rate"] == pytest.approx(2 / 3)
    assert (s1["timely"], s1["dated"], s1["timeliness"]) == (1, 2, 0.5)
    assert s1["message"] == (
        "S1: 1 of 3 expected returns missing; 1 of 2 received late; "
        "1 of 2 received within 30 days of the period's end"
    )
    everything = _row(got, service_id="all")
    assert (everything["due"], everything["received"], everything["missing"]) == (4, 3, 1)
    assert _row(got, service_id="S2")["message"] == "S2: all 1 expected return received"


def _annual_and_quarters() -> list[MonitoringReturn]:
    q_values: list[list[Value]] = [
        [
            ("referrals_received", 10),
            ("referrals_received", 1, {"gender": "2"}),
            ("young_people_one_to_one", 5),
        ],
        [
            ("referrals_received", 10),
            ("referrals_received", 1, {"gender": "2"}),
            ("young_people_one_to_one", 6),
        ],
        [
            ("referrals_received", 10),
            ("referrals_received", 1, {"gender": "2"}),
            ("young_people_one_to_one", 4),
        ],
        [
            ("referrals_received", 8),
            ("referrals_received", 2, {"gender": "2"}),
            ("young_people_one_to_one", 3),
        ],
    ]
    rs = [ret("S1", q, values=v) for q, v in zip((Q1, Q2, Q3, Q4), q_values, strict=True)]
    rs.append(
        ret(
            "S1",
            FY15,
            values=[
                ("referrals_received", 40),
                ("referrals_received", 5, {"gender": "2"}),
                ("young_people_one_to_one", 12),
            ],
        )
    )
    rs += [
        ret(
            "S2",
            Q1,
            values=[
                ("young_people_one_to_one", 6),
                ("professionals_trained", 6),
                ("agencies_reached", 3),
            ],
        ),
        ret("S2", Q2, values=[("professionals_trained", 6), ("agencies_reached", 3)]),
        ret(
            "S2",
            FY15,
            values=[
                ("young_people_one_to_one", 5),
                ("professionals_trained", 10),
                ("agencies_reached", 10),
            ],
        ),
    ]
    return rs


def test_annual_totals_against_quarters() -> None:
    got = reconcile_annual_quarters(values_frame(_annual_and_quarters()))
    found = [(r["service_id"], r["measure"], r["breakdown"]) for r in got.to_dict("records")]
    assert found == [
        ("S1", "referrals_received", "total"),  # 40 vs 10 + 10 + 10 + 8 = 38
        ("S2", "professionals_trained", "total"),  # 10 below the 2 quarters' 12
        ("S2", "young_people_one_to_one", "total"),  # distinct 5 below a quarter's 6
    ]
    first = _row(got, service_id="S1", measure="referrals_received")
    assert first["difference"] == 2
    assert first["message"] == (
        "S1 referrals_received (total) 2015-16: annual 40 but its 4 quarters sum to 38"
    )
    # S1's distinct 12 lies within [6, 18]; gender=2 matches; S2's agencies are incomplete
    assert got.attrs["summary"] == "3 of 6 annual totals disagree with their quarters"


def test_annual_check_turns_positive_when_all_agree() -> None:
    rs = [ret("S1", q, values=[("referrals_received", 1)]) for q in (Q1, Q2, Q3, Q4)]
    rs.append(ret("S1", FY15, values=[("referrals_received", 4)]))
    got = reconcile_annual_quarters(values_frame(rs))
    assert got.empty
    assert got.attrs["summary"] == "all 1 annual total agree with their quarters"


def _cases_and_aggregates() -> list[MonitoringReturn]:
    return [
        ret(
            "S1",
            Q1,
            values=[("young_people_one_to_one", 2), ("referrals_received", 3)],
            cases=[
                case("C1", support_type="one_to_one", referral_date=date(2015, 4, 10)),
                case("C2", referral_date=date(2015, 1, 10)),  # referred before Q1
                case("C3", support_type="group", referral_date=date(2015, 5, 10)),
            ],
        ),
        ret("S1", Q2, cases=[case("C1")]),  # no aggregates: nothing to compare
    ]


def test_cases_against_aggregates() -> None:
    rs = _cases_and_aggregates()
    got = reconcile_cases_aggregates(values_frame(rs), cases_frame(rs))
    assert [(r["check"], r["from_cases"], r["aggregate"]) for r in got.to_dict("records")] == [
        ("referrals_received", 2, 3)  # C1 and C3 referred in Q1; one-to-one 2 = 2 agrees
    ]
    assert got["message"].tolist() == [
        "S1 2015-16 Q1: 2 distinct cases referred in the period in case records "
        "but referrals_received is 3"
    ]
    assert got.attrs["summary"] == ("1 of 2 comparisons of case records with aggregates disagree")


def _shuffled_returns(rng: random.Random, rs: list[MonitoringReturn]) -> list[MonitoringReturn]:
    out = [
        attrs.evolve(
            r,
            values=tuple(rng.sample(r.values, len(r.values))),
            cases=tuple(rng.sample(r.cases, len(r.cases))),
        )
        for r in rs
    ]
    rng.shuffle(out)
    return out


# Each example rebuilds frames and runs every check twice: a few orders suffice.
@settings(max_examples=15)
@given(st.randoms(use_true_random=False))
def test_record_order_never_changes_quality(rng: random.Random) -> None:
    rs = _annual_and_quarters() + _cases_and_aggregates() + _case_returns()
    rs2 = _shuffled_returns(rng, rs)
    checks: list[Check] = [
        lambda x: field_completeness(cases_frame(x)),
        lambda x: reconcile_annual_quarters(values_frame(x)),
        lambda x: reconcile_cases_aggregates(values_frame(x), cases_frame(x)),
    ]
    for check in checks:
        pd.testing.assert_frame_equal(check(rs), check(rs2))
    p, reported = _reporting_setup()
    pd.testing.assert_frame_equal(
        reporting_rates(p, reported, date(2016, 2, 1)),
        reporting_rates(p, _shuffled_returns(rng, reported), date(2016, 2, 1)),
    )


def test_no_input_gives_empty_results_and_says_so() -> None:
    empty_values, empty_cases = values_frame([]), cases_frame([])
    assert field_completeness(empty_cases).empty
    annual = reconcile_annual_quarters(empty_values)
    assert annual.empty
    assert annual.attrs["summary"].startswith("no annual total has quarters")
    cases = reconcile_cases_aggregates(empty_values, empty_cases)
    assert cases.empty
    assert cases.attrs["checked"] == 0
    assert reporting_rates(programme(), [], date(2016, 1, 1)).empty
