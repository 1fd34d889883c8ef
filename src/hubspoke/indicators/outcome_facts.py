"""The evidence behind the six key outcome measures, gathered per spoke.

A :class:`SpokeFacts` holds one spoke's raw counts, sums and score pairs
for a period, not yet divided, so that roll-ups to hub, phase and programme
pool the evidence (a share over all cases in a hub, never a mean of spokes'
shares). They are computed for every spoke at once from record frames by
:func:`hubspoke.figures.spokes.spoke_facts_from_frames`;
:func:`spoke_facts` is the adapter for model objects.
:mod:`hubspoke.indicators.outcomes` turns facts into rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from hubspoke.indicators.rubric import Rubric
from hubspoke.model import MonitoringReturn, Programme, Spoke, overlap_days
from hubspoke.periods import Period

if TYPE_CHECKING:
    import numpy as np

NOT_RECORDED = "not_recorded"


@attrs.frozen(kw_only=True)
class Sourced:
    """A count with how it was found: returns read from case records, aggregates, activities."""

    value: float | None = None
    from_cases: int = 0
    from_aggregates: int = 0
    from_activities: int = 0
    #: The part of ``value`` taken from aggregate figures (young people given one-to-one support).
    aggregate_value: float = 0.0


@attrs.frozen(kw_only=True)
class Reach:
    """Outcome 4 evidence of one spoke over one period (None: no evidence)."""

    active: bool
    area_code: str | None
    one_to_one: Sourced
    group_reached: Sourced
    referrals: Sourced
    fte: float | None


@attrs.frozen(kw_only=True, eq=False)
class ScorePairs:
    """First and latest scores of subjects on one instrument (equal-length float arrays)."""

    first: np.ndarray[Any, Any]
    latest: np.ndarray[Any, Any]

    def __len__(self) -> int:
        return len(self.first)


@attrs.frozen(kw_only=True)
class Partners:
    """Outcome 5 evidence: professionals by profession, agencies, confidence pairs."""

    trained: Sourced
    trained_by: Mapping[str, float]
    awareness: Sourced
    awareness_by: Mapping[str, float]
    agencies: float | None
    confidence: ScorePairs


@attrs.frozen(kw_only=True)
class YoungPeople:
    """Outcome 6 evidence: risk change, missing episodes, scale pairs, latest goal statuses.

    ``risk`` counts cases (latest record each) with both levels ranked whose
    risk ``fell``, ``stayed`` or ``rose``; ``missing`` is ``(cases, episodes
    before, episodes after)`` over cases with both counts; ``goals`` counts
    the latest status of each goal (``met``, ``partly_met``, ``not_met``).
    """

    risk: Mapping[str, int]
    missing: tuple[int, int, int]
    scales: Mapping[str, ScorePairs]
    goals: Mapping[str, int]


@attrs.frozen(kw_only=True)
class SpokeFacts:
    """Everything the six outcome measures need about one spoke over one period."""

    spoke_id: str
    hub_id: str
    phase: int | None
    funded_months_beyond_grant: float | None
    embeddedness: float | None
    line_management: str | None
    cse_focus: float | None
    reach: Reach
    reach_before: Reach
    partners: Partners
    young_people: YoungPeople


# -- outcome 1 ------------------------------------------------------------------------------


def months_funded_beyond(programme: Programme, spoke_id: str, after: date) -> float | None:
    """Months of unbroken funding for the spoke from the day after ``after``.

    0 when funding stops by ``after`` (or leaves a gap on the next day); None
    when the programme records no funding for the spoke at all.
    """
    spans = sorted((f.start, f.end) for f in programme.funding if f.spoke_id == spoke_id)
    if not spans:
        return None
    reach = after
    for start, end in spans:
        if start > reach + timedelta(days=1):
            break  # a gap: spans are sorted by start, so no later one closes it
        reach = max(reach, end)
    return (reach - after).days * 12 / 365.25


# -- outcome 4 ------------------------------------------------------------------------------


def one_to_one(returns: Sequence[MonitoringReturn]) -> Sourced:
    """Young people given one-to-one support in ``returns`` (all of them, as given).

    Returns with case records count distinct case ids (support one-to-one,
    both or not given) pooled across them; the others add their
    ``young_people_one_to_one`` figure. An adapter over
    :func:`hubspoke.figures.facts.one_to_one`; pass one service's returns.
    """
    from hubspoke.figures.facts import all_returns_evidence
    from hubspoke.figures.facts import one_to_one as engine
    from hubspoke.figures.records import RecordFrames

    found = engine(all_returns_evidence(RecordFrames.from_returns(returns)))
    if found.empty:
        return Sourced()
    return Sourced(
        value=float(found["value"].sum()),
        from_cases=int(found["from_cases"].sum()),
        from_aggregates=int(found["from_aggregates"].sum()),
        from_activities=int(found["from_activities"].sum()),
    )


def average_fte(programme: Programme, spoke_id: str, period: Period) -> float | None:
    """The spoke's posts' FTE averaged over the period's days; None when no post exists in it."""
    posts = [p for p in programme.posts_of(spoke_id) if overlap_days(p, period)]
    if not posts:
        return None
    return math.fsum(p.fte * overlap_days(p, period) for p in posts) / period.days


# -- one spoke ------------------------------------------------------------------------------


def spoke_facts(
    programme: Programme,
    returns: Sequence[MonitoringReturn],
    spoke: Spoke,
    period: Period,
    rubric: Rubric,
    confidence: frozenset[str],
) -> SpokeFacts:
    """Gather every outcome's evidence for one spoke over ``period`` (an adapter, see module)."""
    from hubspoke.figures.inputs import frames_of_returns
    from hubspoke.figures.spokes import spoke_facts_from_frames

    (found,) = spoke_facts_from_frames(
        programme, frames_of_returns(returns), [spoke], period, rubric, confidence
    )
    return found
