"""Deriving indicator inputs from a programme and its returns: hand-computed examples."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders_derive import derive_returns, funded_programme, shuffle_all
from builders_outcomes import (
    FY15,
    hosting,
    programme,
    quarters,
    ret,
)
from hubspoke.errors import ModelError
from hubspoke.indicators.derive import (
    embeddedness_inputs,
    hosting_in_force,
    independence_inputs,
    sustainability_inputs,
)

Q1, Q2, Q3, Q4 = quarters(2015)
M = 12 / 365.25  # months per day


def test_embeddedness_inputs_hand_computed() -> None:
    got = embeddedness_inputs(funded_programme(), derive_returns(), "S1", FY15)
    # HA-1 is in force 1 Apr-31 Oct (214 days), HA-2 1 Nov-31 Mar (152): HA-1 wins
    assert got.formal_agreement is True
    assert got.colocation_days == 3.0
    assert got.systems_access == 2
    assert got.host_in_recruitment is False
    # attended/held from returns reporting both: Q1 3/4, Q2 2/2, Q4 1/3
    assert (got.forums_attended, got.forums_held) == (6, 9)
    # Q1 cases: C1 (police, agency), C2 (self) referred in Q1; Q2 aggregates 4 (5A) + 1 (10)
    assert (got.referrals_from_agencies, got.referrals_total) == (5, 7)


def test_independence_inputs_charitable_to_statutory_mid_period() -> None:
    got = independence_inputs(funded_programme(), derive_returns(), "S1", FY15)
    assert got.independent_funding == pytest.approx(27_500)  # 275 days x GBP 100
    assert got.total_funding == pytest.approx(27_500 + 9_100)  # + 91 days x GBP 100
    assert got.referral_mandate is True
    assert got.time_limited_work is False
    assert got.line_management == "hub"
    # distinct cases, latest record: C1 medium (Q4), C2 low, C3 medium (latest not recorded,
    # so the referral level), C4 no known level (left out), C5 high
    assert (got.cases_below_high_risk, got.cases_total) == (3, 4)
    # Q1: 30 + 10 of 50; Q3: 10 of 15 (training missing counts 0); Q2 unpaired
    assert (got.cse_hours, got.total_hours) == (50.0, 65.0)


def test_sustainability_inputs_vacancy_and_supervision() -> None:
    p = funded_programme()
    got = sustainability_inputs(p, derive_returns(), "S1", FY15)
    assert got.months_funded_ahead == pytest.approx(275 * M)  # 31 Mar 2016 -> 31 Dec 2016
    assert got.funding_by_funder == pytest.approx((27_500, 9_100))  # Alder, Birch by id
    assert got.post_months == pytest.approx(366 * M)
    assert got.post_months_filled == pytest.approx((91 + 183) * M)
    assert got.supervision_sessions == 3
    assert got.period_months == pytest.approx(366 * M)
    assert got.manager_funded is True
    assert got.longest_funding_months == pytest.approx(366 * M)
    other = sustainability_inputs(p, [], "S2", FY15)
    assert other.supervision_sessions is None  # no log kept for S2's post: missing, not 0
    assert other.post_months_filled == 0.0  # the post exists but was never filled


def test_no_evidence_is_missing_not_zero() -> None:
    p = programme()
    e = embeddedness_inputs(p, [], "S3", FY15)
    i = independence_inputs(p, [], "S3", FY15)
    s = sustainability_inputs(p, [], "S3", FY15)
    assert all(v is None for v in attrs.astuple(e))
    assert all(v is None for v in attrs.astuple(i))
    assert s.months_funded_ahead == 0.0  # the rubric's "0 if none"
    assert s.manager_funded is False
    assert s.period_months == pytest.approx(366 * M)
    rest = attrs.evolve(s, months_funded_ahead=None, manager_funded=None, period_months=None)
    assert all(v is None for v in attrs.astuple(rest))


def test_hosting_tie_goes_to_latest_start() -> None:
    p = programme(
        hosting=(
            hosting("HA-1", "S1", date(2015, 1, 1), date(2015, 9, 30)),  # 183 days of FY15
            hosting("HA-2", "S1", date(2015, 10, 1), colocation_days=5.0),  # 183 days
        )
    )
    found = hosting_in_force(p, "S1", FY15)
    assert found is not None
    assert found.id == "HA-2"


def test_resubmission_and_nested_returns_count_once() -> None:
    p = programme()
    first = ret(
        "S1",
        Q4,
        values=[("multi_agency_meetings_attended", 1), ("multi_agency_meetings_held", 3)],
        submitted_on=date(2016, 4, 10),
    )
    again = ret(
        "S1",
        Q4,
        values=[("multi_agency_meetings_attended", 3), ("multi_agency_meetings_held", 3)],
        submitted_on=date(2016, 4, 20),
    )
    got = embeddedness_inputs(p, [again, first], "S1", FY15)
    assert (got.forums_attended, got.forums_held) == (3, 3)
    annual = ret(
        "S1",
        FY15,
        values=[("multi_agency_meetings_attended", 8), ("multi_agency_meetings_held", 10)],
    )
    got = embeddedness_inputs(p, [first, annual], "S1", FY15)
    assert (got.forums_attended, got.forums_held) == (8, 10)  # the quarter lies inside it


def test_unknown_spoke_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="no spoke 'S9'"):
        embeddedness_inputs(programme(), [], "S9", FY15)


@given(st.randoms(use_true_random=False))
def test_record_order_never_changes_inputs(rng: random.Random) -> None:
    p, rs = funded_programme(), derive_returns()
    p2, rs2 = shuffle_all(rng, p, rs)
    for derive in (embeddedness_inputs, independence_inputs, sustainability_inputs):
        assert derive(p2, rs2, "S1", FY15) == derive(p, rs, "S1", FY15)


def test_derivation_modules_do_not_import_pandas() -> None:
    code = (
        "import sys\n"
        "import hubspoke.indicators.derive, hubspoke.indicators.evidence\n"
        "import hubspoke.indicators.change, hubspoke.indicators.outcome_facts\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
        "from hubspoke.indicators.derive import inputs_frame\n"
        "assert 'pandas' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
