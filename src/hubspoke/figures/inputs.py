"""Indicator inputs for every active spoke from record frames (the returns side column-wise).

Programme structure (hosting, funding, posts) is read per spoke from the
:class:`~hubspoke.model.Programme` (a few objects per spoke); everything read
from returns comes from :mod:`hubspoke.figures.facts`, computed for all
services at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pandas as pd

from hubspoke.codes import FundingCondition
from hubspoke.figures.facts import (
    Evidence,
    evidence,
    latest_case_outcomes,
    once_per_evidence,
    paired_totals,
    referrals,
)
from hubspoke.figures.records import RecordFrames
from hubspoke.indicators.derive import (
    CSE_HOURS_MEASURES,
    FORUMS_ATTENDED,
    FORUMS_HELD,
    OTHER_HOURS_MEASURE,
    funding_in_force,
    has_condition,
    hosting_in_force,
    sustainability_inputs,
)
from hubspoke.indicators.inputs import EmbeddednessInputs, IndependenceInputs
from hubspoke.model import MonitoringReturn, Programme
from hubspoke.periods import Period


def frames_of_returns(returns: Sequence[MonitoringReturn]) -> RecordFrames:
    """:class:`RecordFrames` of the current returns (one per service and dates) of ``returns``.

    Used by the object-taking adapters: resubmissions are resolved first by
    :func:`hubspoke.indicators.evidence.current_returns`, whose tie-break
    does not depend on the order of ``returns``.
    """
    from hubspoke.indicators.evidence import current_returns

    return RecordFrames.from_returns(current_returns(returns))


def _pairs(frame: pd.DataFrame, a: str, b: str) -> dict[str, tuple[float, float]]:
    return {
        str(k): (float(x), float(y))
        for k, x, y in zip(frame.index, frame[a], frame[b], strict=True)
    }


@attrs.frozen(kw_only=True)
class ReturnInputs:
    """What the returns of one period say, per service: the indicators' returns-based inputs."""

    forums: Mapping[str, tuple[float, float]]
    referrals: Mapping[str, tuple[float, float]]
    risk: Mapping[str, tuple[int, int]]
    hours: Mapping[str, tuple[float, float]]


def return_inputs(ev: Evidence) -> ReturnInputs:
    """:class:`ReturnInputs` for every service of ``ev`` (derived once per evidence)."""
    found: ReturnInputs = once_per_evidence(ev, "return_inputs", _return_inputs)
    return found


def _return_inputs(ev: Evidence) -> ReturnInputs:
    mix = latest_case_outcomes(ev)
    return ReturnInputs(
        forums=_pairs(paired_totals(ev, [FORUMS_ATTENDED], [FORUMS_HELD]), "a", "b"),
        referrals=_pairs(referrals(ev), "agency", "total"),
        risk={
            str(k): (int(below), int(known))
            for k, below, known in zip(
                mix.index, mix["risk_below_high"], mix["risk_known"], strict=True
            )
        },
        hours=_pairs(paired_totals(ev, CSE_HOURS_MEASURES, (OTHER_HOURS_MEASURE,)), "a", "b"),
    )


def embeddedness_for(
    programme: Programme, spoke_id: str, period: Period, found: ReturnInputs
) -> EmbeddednessInputs:
    """Embeddedness inputs of one spoke: hosting from the programme, the rest from ``found``."""
    host = hosting_in_force(programme, spoke_id, period)
    forums = found.forums.get(spoke_id)
    refs = found.referrals.get(spoke_id)
    return EmbeddednessInputs(
        formal_agreement=None if host is None else host.formal_agreement,
        colocation_days=None if host is None else host.colocation_days,
        systems_access=None if host is None else host.systems_access,
        forums_attended=None if forums is None else round(forums[0]),
        forums_held=None if forums is None else round(forums[1]),
        referrals_from_agencies=None if refs is None else round(refs[0]),
        referrals_total=None if refs is None else round(refs[1]),
        host_in_recruitment=None if host is None else host.host_in_recruitment,
    )


def independence_for(
    programme: Programme, spoke_id: str, period: Period, found: ReturnInputs
) -> IndependenceInputs:
    """Independence inputs of one spoke: funding and hosting from the programme."""
    funds = funding_in_force(programme, spoke_id, period)
    host = hosting_in_force(programme, spoke_id, period)
    mix = found.risk.get(spoke_id)
    hours = found.hours.get(spoke_id)
    independent = math.fsum(f.amount_during(period) for f in funds if f.source.independent)
    total = math.fsum(f.amount_during(period) for f in funds)
    return IndependenceInputs(
        independent_funding=independent if funds else None,
        total_funding=total if funds else None,
        line_management=None if host is None else host.line_management.value,
        referral_mandate=has_condition(funds, FundingCondition.REFERRAL_MANDATE),
        time_limited_work=has_condition(funds, FundingCondition.TIME_LIMITED_WORK),
        cases_below_high_risk=None if mix is None else mix[0],
        cases_total=None if mix is None else mix[1],
        cse_hours=None if hours is None else hours[0],
        total_hours=None if hours is None else hours[0] + hours[1],
    )


def inputs_for(
    programme: Programme, spoke_id: str, period: Period, indicator: str, found: ReturnInputs
) -> Any:
    """The inputs of ``indicator`` for one spoke."""
    if indicator == "embeddedness":
        return embeddedness_for(programme, spoke_id, period, found)
    if indicator == "independence":
        return independence_for(programme, spoke_id, period, found)
    return sustainability_inputs(programme, (), spoke_id, period)


def return_inputs_of(frames: RecordFrames, period: Period) -> ReturnInputs:
    """:func:`return_inputs` of ``frames`` over ``period``."""
    return return_inputs(evidence(frames, period))
