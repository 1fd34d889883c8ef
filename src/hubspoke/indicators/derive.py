"""Derive each indicator's inputs for one spoke over one period from a programme and its returns.

Programme structure (hosting, funding, posts, supervision) is read here
from model objects; what returns say is read by the figures engine
(:mod:`hubspoke.figures`, imported only when a derivation needs it, so that
importing this module stays free of pandas). Every input with no evidence
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
from collections.abc import Sequence
from typing import Any

from hubspoke.codes import FundingCondition
from hubspoke.errors import ModelError
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


# -- the three derivations -----------------------------------------------------------------


def embeddedness_inputs(
    programme: Programme, returns: Sequence[MonitoringReturn], spoke_id: str, period: Period
) -> EmbeddednessInputs:
    """Embeddedness inputs of one spoke over ``period``.

    Hosting fields come from :func:`hosting_in_force`; forums from the
    figures of ``multi_agency_meetings_attended``/``_held`` (returns reporting
    both); referrals from agencies and in all from the returns with a split
    by referral source (:func:`hubspoke.figures.facts.referrals`). An adapter:
    the returns are read by the figures engine (:mod:`hubspoke.figures`).
    """
    from hubspoke.figures.inputs import embeddedness_for, frames_of_returns, return_inputs_of

    spoke_of(programme, spoke_id)
    found = return_inputs_of(frames_of_returns(returns), period)
    return embeddedness_for(programme, spoke_id, period, found)


def funding_in_force(
    programme: Programme, spoke_id: str, period: Period
) -> tuple[FundingArrangement, ...]:
    """The spoke's funding arrangements in force during ``period``."""
    return programme.funding_during(spoke_id, period)


def has_condition(found: Sequence[FundingArrangement], condition: FundingCondition) -> bool | None:
    """Whether any arrangement in ``found`` carries ``condition``; None when there is none."""
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
    from hubspoke.figures.inputs import frames_of_returns, independence_for, return_inputs_of

    spoke_of(programme, spoke_id)
    found = return_inputs_of(frames_of_returns(returns), period)
    return independence_for(programme, spoke_id, period, found)


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
    found = funding_in_force(programme, spoke_id, period)
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
    found = funding_in_force(programme, spoke_id, period)
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
