"""Fixtures of the derivation tests: a spoke whose funding, hosting and staffing change in FY15.

Shared with the programme-scoring tests; also the record shufflers used by
the "record order never changes a result" properties.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import attrs

from builders_outcomes import (
    FY15,
    Occupancy,
    Post,
    PostRole,
    Qualification,
    SupervisionKind,
    SupervisionSession,
    case,
    funding,
    hosting,
    programme,
    quarters,
    ret,
)
from hubspoke.codes import FundingCondition, FundingSourceKind, LineManagement
from hubspoke.model import MonitoringReturn, Programme
from hubspoke.periods import date_range, financial_year

Q1, Q2, Q3, Q4 = quarters(2015)


def funded_programme() -> Programme:
    """S1 moves from an Alder Trust grant to a Birch Council contract on 1 Jan 2016.

    Alder: GBP 36,500 over 2015 (365 days, GBP 100 a day), 275 days inside FY15.
    Birch: GBP 36,600 over 2016 (366 days, GBP 100 a day), 91 days inside FY15,
    with a referral mandate.
    """
    return programme(
        funding=(
            funding(
                "FA-1",
                "S1",
                "F-ALDER",
                FundingSourceKind.INDEPENDENT_CHARITABLE,
                36_500,
                date(2015, 1, 1),
                date(2015, 12, 31),
            ),
            funding(
                "FA-2",
                "S1",
                "F-BIRCH",
                FundingSourceKind.STATUTORY_CONTRACT,
                36_600,
                date(2016, 1, 1),
                date(2016, 12, 31),
                conditions=(FundingCondition.REFERRAL_MANDATE,),
            ),
        ),
        hosting=(
            hosting("HA-1", "S1", date(2015, 1, 1), date(2015, 10, 31)),
            hosting(
                "HA-2",
                "S1",
                date(2015, 11, 1),
                colocation_days=5.0,
                formal_agreement=False,
                line_management=LineManagement.SHARED,
                host_in_recruitment=True,
            ),
        ),
        posts=(
            Post(id="P1", spoke_id="S1", role=PostRole.SPOKE_WORKER, fte=1.0, start=FY15.start),
            Post(id="P2", spoke_id="S2", role=PostRole.SPOKE_WORKER, fte=0.5, start=FY15.start),
        ),
        occupancies=(
            # filled Apr-Jun (91 days), vacant Jul-Sep (92 days), filled Oct-Mar (183 days)
            Occupancy(
                post_id="P1",
                worker_id="W-0001",
                start=date(2015, 4, 1),
                end=date(2015, 6, 30),
                qualification=Qualification.SOCIAL_WORK,
                transferred_from_hub=True,
            ),
            Occupancy(
                post_id="P1",
                worker_id="W-0002",
                start=date(2015, 10, 1),
                qualification=Qualification.YOUTH_WORK,
                transferred_from_hub=False,
            ),
        ),
        supervision=tuple(
            SupervisionSession(post_id="P1", on=d, kind=SupervisionKind.CLINICAL)
            for d in (
                date(2015, 3, 31),  # before the period
                date(2015, 5, 1),
                date(2015, 6, 1),
                date(2016, 3, 31),
                date(2016, 4, 1),  # after the period
            )
        ),
    )


def derive_returns() -> list[MonitoringReturn]:
    return [
        ret(
            "S1",
            Q1,
            values=[
                ("multi_agency_meetings_attended", 3),
                ("multi_agency_meetings_held", 4),
                ("hours_direct_work", 30),
                ("hours_training", 10),
                ("hours_other_duties", 10),
            ],
            cases=[
                case(
                    "C1",
                    referral_date=date(2015, 5, 1),
                    referral_source="6",
                    risk_at_referral="high",
                ),
                case(
                    "C2",
                    referral_date=date(2015, 6, 1),
                    referral_source="1A",
                    risk_at_referral="low",
                ),
                # referred before Q1: not a Q1 referral, still a case
                case(
                    "C3",
                    referral_date=date(2015, 3, 1),
                    referral_source="2A",
                    risk_at_referral="medium",
                    risk_latest="not_recorded",
                ),
            ],
        ),
        ret(
            "S1",
            Q2,
            values=[
                ("multi_agency_meetings_attended", 2),
                ("multi_agency_meetings_held", 2),
                ("referrals_received", 4, {"referral_source": "5A"}),
                ("referrals_received", 1, {"referral_source": "10"}),
                ("hours_direct_work", 20),  # no other-duties figure: not paired, left out
            ],
        ),
        ret(
            "S1",
            Q3,
            values=[
                ("multi_agency_meetings_attended", 5),  # no "held": left out
                ("referrals_received", 9),  # total only, no source: says nothing by source
                ("hours_direct_work", 10),
                ("hours_other_duties", 5),
            ],
        ),
        ret(
            "S1",
            Q4,
            values=[("multi_agency_meetings_attended", 1), ("multi_agency_meetings_held", 3)],
            cases=[
                case("C1", risk_at_referral="high", risk_latest="medium"),
                case("C4", risk_at_referral="not_recorded"),
                case("C5", risk_latest="high"),
            ],
        ),
        # outside the period, and only partly inside it: neither counts
        ret(
            "S1",
            financial_year(2014),
            values=[("multi_agency_meetings_attended", 50), ("multi_agency_meetings_held", 50)],
        ),
        ret(
            "S1",
            date_range(date(2016, 3, 1), date(2016, 4, 30)),
            values=[("multi_agency_meetings_attended", 50), ("multi_agency_meetings_held", 50)],
        ),
        # another spoke's return never counts for S1
        ret(
            "S2",
            Q1,
            values=[("multi_agency_meetings_attended", 7), ("multi_agency_meetings_held", 7)],
        ),
    ]


def _shuffled(rng: random.Random, items: tuple[object, ...] | list[object]) -> tuple[object, ...]:
    out = list(items)
    rng.shuffle(out)
    return tuple(out)


def _shuffle_return(rng: random.Random, r: MonitoringReturn) -> MonitoringReturn:
    return attrs.evolve(
        r,
        values=_shuffled(rng, r.values),
        cases=_shuffled(rng, r.cases),
        activities=_shuffled(rng, r.activities),
        outcomes=_shuffled(rng, r.outcomes),
    )


def shuffle_all(
    rng: random.Random, p: Programme, returns: list[MonitoringReturn]
) -> tuple[Programme, list[MonitoringReturn]]:
    """The same programme and returns with every collection in another order."""
    changes: dict[str, Any] = {
        f: _shuffled(rng, getattr(p, f))
        for f in (
            "spokes",
            "hubs",
            "hosting",
            "funding",
            "posts",
            "occupancies",
            "supervision",
            "expected_returns",
            "funders",
        )
    }
    p2 = attrs.evolve(p, **changes)
    rs = [_shuffle_return(rng, r) for r in returns]
    rng.shuffle(rs)
    return p2, rs
