"""Derive each indicator's inputs for one spoke over one period from a programme and its returns.

Pure functions over model objects (no pandas). Every input with no evidence
is None (missing), never 0; the one exception is ``months_funded_ahead``,
which the rubric defines as 0 when no funding ends after the period. Which
returns count follows :mod:`hubspoke.indicators.evidence`. Record order
never changes a result: wherever one record is picked, it is picked by an
explicit order.

Units: money GBP; months are average months (``days * 12 / 365.25``);
hours as reported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from hubspoke.codes import AGENCY_REFERRAL_SOURCES, RISK_ORDER, FundingCondition
from hubspoke.errors import ModelError
from hubspoke.indicators.evidence import (
    latest_cases,
    measure_total,
    referrals_in,
    returns_for,
)
from hubspoke.indicators.inputs import (
    EmbeddednessInputs,
    IndependenceInputs,
    SustainabilityInputs,
)
from hubspoke.model import (
    FundingArrangement,
    HostingArrangement,
    MonitoringReturn,
    Programme,
    Spoke,
    overlap_days,
)
from hubspoke.periods import Period

DAYS_PER_MONTH = 365.25 / 12
"""Average days in a month: months everywhere are ``days / DAYS_PER_MONTH``."""

CSE_HOURS_MEASURES = ("hours_direct_work", "hours_training")
OTHER_HOURS_MEASURE = "hours_other_duties"
FORUMS_ATTENDED = "multi_agency_meetings_attended"
FORUMS_HELD = "multi_agency_meetings_held"


def days_to_months(days: float) -> float:
    """Average months in ``days`` (``days * 12 / 365.25``)."""
    return days * 12 / 365.25


def spoke_of(programme: Programme, spoke_id: str) -> Spoke:
    """The spoke with this id; :class:`~hubspoke.errors.ModelError` naming it if none."""
    for spoke in programme.spokes:
        if spoke.id == spoke_id:
            return spoke
    raise ModelError("Programme", "spokes", f"has no spoke {spoke_id!r}", spoke_id)


def spoke_active(spoke: Spoke, period: Period) -> bool:
    """True when the spoke runs on at least one day of ``period`` (start to end, open end)."""
    return spoke.start <= period.end and (spoke.end is None or spoke.end >= period.start)


# -- hosting --------------------------------------------------------------------------------


def hosting_in_force(
    programme: Programme, spoke_id: str, period: Period
) -> HostingArrangement | None:
    """The hosting arrangement in force for most days of ``period``.

    Ties go to the latest start, then the greatest id; None when none is in force.
    """
    found = programme.hosting_during(spoke_id, period)
    if not found:
        return None
    return max(found, key=lambda h: (overlap_days(h, period), h.start, h.id))


# -- returns --------------------------------------------------------------------------------


def _paired_totals(
    returns: Iterable[MonitoringReturn], first: Sequence[str], second: Sequence[str]
) -> tuple[float, float] | None:
    """Sum ``first`` and ``second`` measure groups over returns that report both; None if none.

    A return contributes only when it reports at least one measure of each
    group (a missing measure within a reported group counts 0), so a ratio
    is never formed from a numerator and a denominator of different returns.
    """
    a_parts: list[float] = []
    b_parts: list[float] = []
    seen = False
    for ret in returns:
        a = [v for v in (measure_total(ret, m) for m in first) if v is not None]
        b = [v for v in (measure_total(ret, m) for m in second) if v is not None]
        if a and b:
            seen = True
            a_parts += a
            b_parts += b
    return (math.fsum(a_parts), math.fsum(b_parts)) if seen else None


def _whole(value: float) -> int:
    return round(value)


def referrals(returns: Iterable[MonitoringReturn]) -> tuple[int, int] | None:
    """``(from agencies, total)`` referrals over ``returns`` (case records first; see evidence)."""
    agency: list[float] = []
    total: list[float] = []
    seen = False
    for ret in returns:
        found = referrals_in(ret)
        if found is None:
            continue
        seen = True
        total.append(found[0])
        agency += [n for code, n in found[1].items() if code in AGENCY_REFERRAL_SOURCES]
    return (_whole(math.fsum(agency)), _whole(math.fsum(total))) if seen else None


def risk_mix(returns: Iterable[MonitoringReturn]) -> tuple[int, int] | None:
    """``(cases below high risk, cases with a known risk)`` over distinct cases; None if no cases.

    A case's risk is its latest level, else its level at referral; "not
    recorded" levels are treated as absent, and cases with no known level are
    left out of both counts.
    """
    cases = latest_cases(returns)
    if not cases:
        return None
    below = known = 0
    for case in cases.values():
        level = next(
            (x for x in (case.risk_latest, case.risk_at_referral) if x in RISK_ORDER), None
        )
        if level is None:
            continue
        known += 1
        below += level != "high"
    return below, known


# -- the three derivations -----------------------------------------------------------------


def embeddedness_inputs(
    programme: Programme, returns: Sequence[MonitoringReturn], spoke_id: str, period: Period
) -> EmbeddednessInputs:
    """Embeddedness inputs of one spoke over ``period``.

    Hosting fields come from :func:`hosting_in_force`; forums from the totals
    of ``multi_agency_meetings_attended``/``_held`` (returns reporting both);
    referrals from :func:`referrals`.
    """
    spoke_of(programme, spoke_id)
    rets = returns_for(returns, spoke_id, period)
    host = hosting_in_force(programme, spoke_id, period)
    forums = _paired_totals(
        rets, ["multi_agency_meetings_attended"], ["multi_agency_meetings_held"]
    )
    refs = referrals(rets)
    return EmbeddednessInputs(
        formal_agreement=None if host is None else host.formal_agreement,
        colocation_days=None if host is None else host.colocation_days,
        systems_access=None if host is None else host.systems_access,
        forums_attended=None if forums is None else _whole(forums[0]),
        forums_held=None if forums is None else _whole(forums[1]),
        referrals_from_agencies=None if refs is None else refs[0],
        referrals_total=None if refs is None else refs[1],
        host_in_recruitment=None if host is None else host.host_in_recruitment,
    )


def _funding_in_force(
    programme: Programme, spoke_id: str, period: Period
) -> tuple[FundingArrangement, ...]:
    return programme.funding_during(spoke_id, period)


def _has_condition(found: Sequence[FundingArrangement], condition: FundingCondition) -> bool | None:
    if not found:
        return None
    return any(condition in f.conditions for f in found)


def independence_inputs(
    programme: Programme, returns: Sequence[MonitoringReturn], spoke_id: str, period: Period
) -> IndependenceInputs:
    """Independence inputs of one spoke over ``period``.

    Funding is the spoke's arrangements prorated by days of overlap
    (:meth:`~hubspoke.model.FundingArrangement.amount_during`); conditions
    count when any arrangement in force carries them. Line management comes
    from the hosting in force; risk mix from case records; CSE focus from the
    hours measures (``hours_direct_work + hours_training`` against those plus
    ``hours_other_duties``, returns reporting both sides).
    """
    spoke_of(programme, spoke_id)
    rets = returns_for(returns, spoke_id, period)
    found = _funding_in_force(programme, spoke_id, period)
    host = hosting_in_force(programme, spoke_id, period)
    mix = risk_mix(rets)
    hours = _paired_totals(rets, CSE_HOURS_MEASURES, (OTHER_HOURS_MEASURE,))
    independent = math.fsum(f.amount_during(period) for f in found if f.source.independent)
    total = math.fsum(f.amount_during(period) for f in found)
    return IndependenceInputs(
        independent_funding=independent if found else None,
        total_funding=total if found else None,
        line_management=None if host is None else host.line_management.value,
        referral_mandate=_has_condition(found, FundingCondition.REFERRAL_MANDATE),
        time_limited_work=_has_condition(found, FundingCondition.TIME_LIMITED_WORK),
        cases_below_high_risk=None if mix is None else mix[0],
        cases_total=None if mix is None else mix[1],
        cse_hours=None if hours is None else hours[0],
        total_hours=None if hours is None else hours[0] + hours[1],
    )


def months_funded_ahead(programme: Programme, spoke_id: str, period: Period) -> float:
    """Months from the period's end to the latest end of the spoke's funding (0 if none later)."""
    ends = [f.end for f in programme.funding if f.spoke_id == spoke_id]
    latest = max(ends, default=None)
    if latest is None or latest <= period.end:
        return 0.0
    return days_to_months((latest - period.end).days)


def funding_by_funder(
    programme: Programme, spoke_id: str, period: Period
) -> tuple[float, ...] | None:
    """Amounts in force during ``period`` summed per funder, ordered by funder id; None if none."""
    found = _funding_in_force(programme, spoke_id, period)
    if not found:
        return None
    per: dict[str, list[float]] = {}
    for f in found:
        per.setdefault(f.funder_id, []).append(f.amount_during(period))
    return tuple(math.fsum(per[k]) for k in sorted(per))


def supervision_sessions(programme: Programme, spoke_id: str, period: Period) -> int | None:
    """Supervision sessions of the spoke's post holders in ``period``.

    None when the programme keeps no supervision log for any of the spoke's
    posts at any date (no evidence), so an unkept log never reads as zero
    supervision.
    """
    post_ids = {p.id for p in programme.posts_of(spoke_id)}
    if not any(s.post_id in post_ids for s in programme.supervision):
        return None
    return len(programme.supervision_during(spoke_id, period))


def sustainability_inputs(
    programme: Programme, returns: Sequence[MonitoringReturn], spoke_id: str, period: Period
) -> SustainabilityInputs:
    """Sustainability inputs of one spoke over ``period``.

    Post months from :meth:`~hubspoke.model.Programme.post_days` (None when
    no post exists in the period); ``manager_funded`` from the hub;
    ``longest_funding_months`` is the longest arrangement in force.
    ``returns`` is accepted for a uniform signature; no sustainability
    input is read from returns.
    """
    spoke = spoke_of(programme, spoke_id)
    found = _funding_in_force(programme, spoke_id, period)
    existed, filled = programme.post_days(spoke_id, period)
    # Overlapping occupancies (a validation error of the programme) could make
    # filled exceed existed; a post cannot be more than full.
    filled = min(filled, existed)
    hub = next((h for h in programme.hubs if h.id == spoke.hub_id), None)
    return SustainabilityInputs(
        months_funded_ahead=months_funded_ahead(programme, spoke_id, period),
        funding_by_funder=funding_by_funder(programme, spoke_id, period),
        post_months_filled=days_to_months(filled) if existed else None,
        post_months=days_to_months(existed) if existed else None,
        supervision_sessions=supervision_sessions(programme, spoke_id, period),
        period_months=period.months,
        manager_funded=None if hub is None else hub.manager_post_funded,
        longest_funding_months=max((f.months for f in found), default=None),
    )


def __getattr__(name: str) -> Any:
    # ``inputs_frame`` is documented as part of this module's interface but
    # needs pandas; it lives in :mod:`hubspoke.indicators.programme` and is
    # imported only when asked for, so importing this module stays pandas-free.
    if name == "inputs_frame":
        from hubspoke.indicators.programme import inputs_frame

        return inputs_frame
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
