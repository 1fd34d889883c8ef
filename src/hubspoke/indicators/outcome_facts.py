"""The evidence behind the six key outcome measures, gathered per spoke (pure Python).

:func:`spoke_facts` reads one spoke's programme structure and counted
returns (:mod:`hubspoke.indicators.evidence`) into a :class:`SpokeFacts`:
raw counts and pairs, not yet divided, so that roll-ups to hub, phase and
programme pool the evidence (a share over all cases in a hub, never a mean
of spokes' shares). :mod:`hubspoke.indicators.outcomes` turns facts into rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

import attrs

from hubspoke.codes import RISK_ORDER, ActivityKind, PlacementType
from hubspoke.indicators.derive import (
    embeddedness_inputs,
    hosting_in_force,
    independence_inputs,
    spoke_active,
)
from hubspoke.indicators.evidence import (
    ONE_TO_ONE_SUPPORT,
    latest_cases,
    measure_by,
    measure_or_breakdown_total,
    measure_total,
    referrals_in,
    returns_for,
)
from hubspoke.indicators.rubric import Rubric
from hubspoke.indicators.scoring import score_embeddedness
from hubspoke.model import MonitoringReturn, OutcomeRecord, Programme, Spoke, overlap_days
from hubspoke.periods import Period

GROUP_KINDS = frozenset({ActivityKind.GROUP_WORK, ActivityKind.TALK_TO_YOUNG_PEOPLE})
NOT_RECORDED = "not_recorded"


@attrs.frozen(kw_only=True)
class Sourced:
    """A count with how it was found: returns read from case records, aggregates, activities."""

    value: float | None = None
    from_cases: int = 0
    from_aggregates: int = 0
    from_activities: int = 0


@attrs.frozen(kw_only=True)
class Reach:
    """Outcome 4 evidence of one spoke over one period (None: no evidence)."""

    active: bool
    area_code: str | None
    one_to_one: Sourced
    group_reached: Sourced
    referrals: Sourced
    fte: float | None


@attrs.frozen(kw_only=True)
class Partners:
    """Outcome 5 evidence: professionals by profession, agencies, confidence pairs."""

    trained: Sourced
    trained_by: Mapping[str, float]
    awareness: Sourced
    awareness_by: Mapping[str, float]
    agencies: float | None
    confidence: tuple[tuple[float, float], ...]


@attrs.frozen(kw_only=True)
class YoungPeople:
    """Outcome 6 evidence: risk pairs, missing episodes, scale pairs, latest goal statuses."""

    risk: tuple[tuple[str, str], ...]
    missing: tuple[tuple[int, int], ...]
    scales: Mapping[str, tuple[tuple[float, float], ...]]
    goals: tuple[str, ...]


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


def _sourced(parts: Iterable[tuple[float | None, str]]) -> Sourced:
    found = [(v, how) for v, how in parts if v is not None]
    if not found:
        return Sourced()
    return Sourced(
        value=math.fsum(v for v, _ in found),
        from_cases=sum(how == "cases" for _, how in found),
        from_aggregates=sum(how == "aggregates" for _, how in found),
        from_activities=sum(how == "activities" for _, how in found),
    )


def one_to_one(returns: Sequence[MonitoringReturn]) -> Sourced:
    """Young people given one-to-one support: distinct case ids where case records exist.

    A return with case records counts its one-to-one cases (support type
    one-to-one, both or not given), pooled by distinct ``case_id`` across the
    period; a return without case records adds its ``young_people_one_to_one``
    total. Never both for the same return.
    """
    ids = {c.case_id for r in returns for c in r.cases if c.support_type in ONE_TO_ONE_SUPPORT}
    case_returns = sum(bool(r.cases) for r in returns)
    aggregates = _sourced(
        (measure_total(r, "young_people_one_to_one"), "aggregates") for r in returns if not r.cases
    )
    if not case_returns:
        return aggregates
    return Sourced(
        value=len(ids) + (aggregates.value or 0.0),
        from_cases=case_returns,
        from_aggregates=aggregates.from_aggregates,
    )


def _activity_attendees(ret: MonitoringReturn, kinds: Iterable[ActivityKind]) -> float | None:
    wanted = frozenset(kinds)
    found = [a.attendees for a in ret.activities if a.kind in wanted]
    return float(sum(found)) if found else None


def _aggregate_or_activities(
    ret: MonitoringReturn, measure: str, kinds: Iterable[ActivityKind], dimension: str | None = None
) -> tuple[float | None, str]:
    total = (
        measure_total(ret, measure)
        if dimension is None
        else measure_or_breakdown_total(ret, measure, dimension)
    )
    if total is not None:
        return total, "aggregates"
    return _activity_attendees(ret, kinds), "activities"


def referral_count(ret: MonitoringReturn) -> tuple[float | None, str]:
    """Referrals one return reports: dated case records first, else ``referrals_received``."""
    if any(c.referral_date is not None for c in ret.cases):
        found = referrals_in(ret)
        return (None if found is None else found[0]), "cases"
    return measure_or_breakdown_total(ret, "referrals_received", "referral_source"), "aggregates"


def average_fte(programme: Programme, spoke_id: str, period: Period) -> float | None:
    """The spoke's posts' FTE averaged over the period's days; None when no post exists in it."""
    posts = [p for p in programme.posts_of(spoke_id) if overlap_days(p, period)]
    if not posts:
        return None
    return math.fsum(p.fte * overlap_days(p, period) for p in posts) / period.days


def reach(
    programme: Programme, returns: Sequence[MonitoringReturn], spoke: Spoke, period: Period
) -> Reach:
    """Outcome 4 evidence of ``spoke`` over ``period``."""
    rets = returns_for(returns, spoke.id, period)
    active = spoke_active(spoke, period)
    new_area = spoke.placement is PlacementType.NEW_LOCAL_AUTHORITY
    return Reach(
        active=active,
        area_code=spoke.area.code if active and new_area else None,
        one_to_one=one_to_one(rets),
        group_reached=_sourced(
            _aggregate_or_activities(r, "young_people_group_reached", GROUP_KINDS) for r in rets
        ),
        referrals=_sourced(referral_count(r) for r in rets),
        fte=average_fte(programme, spoke.id, period),
    )


# -- outcome 5 ------------------------------------------------------------------------------


def _by_profession(
    rets: Sequence[MonitoringReturn], measure: str, kind: ActivityKind
) -> dict[str, float]:
    parts: dict[str, list[float]] = {}
    for r in rets:
        split = measure_by(r, measure, "profession")
        if split is None and measure_total(r, measure) is None:
            split = {}
            for a in r.activities:
                if a.kind is kind:
                    code = a.audience_profession or NOT_RECORDED
                    split[code] = split.get(code, 0.0) + a.attendees
        for code, n in (split or {}).items():
            parts.setdefault(code, []).append(n)
    return {code: math.fsum(parts[code]) for code in sorted(parts)}


def first_and_latest(records: Iterable[OutcomeRecord]) -> tuple[float, float] | None:
    """``(first score, latest score)`` of one subject on one instrument; None without a pair.

    A pair needs scores on at least two different dates. Records are ordered
    by date, then score, so a second score on the same day never depends on
    record order.
    """
    scored = sorted((r.on, score) for r in records if (score := r.score) is not None)
    if len(scored) < 2 or scored[0][0] == scored[-1][0]:
        return None
    return scored[0][1], scored[-1][1]


def _pairs(
    rets: Sequence[MonitoringReturn], subject: str, instruments: frozenset[str] | None
) -> dict[str, tuple[tuple[float, float], ...]]:
    groups: dict[tuple[str, str], list[OutcomeRecord]] = {}
    for r in rets:
        for o in r.outcomes:
            if o.subject != subject or o.score is None:
                continue
            if instruments is not None and o.instrument not in instruments:
                continue
            groups.setdefault((o.instrument, o.case_id), []).append(o)
    out: dict[str, list[tuple[float, float]]] = {}
    for (instrument, _), records in sorted(groups.items()):
        pair = first_and_latest(records)
        if pair is not None:
            out.setdefault(instrument, []).append(pair)
    return {k: tuple(v) for k, v in sorted(out.items())}


def partners(
    returns: Sequence[MonitoringReturn], spoke: Spoke, period: Period, confidence: frozenset[str]
) -> Partners:
    """Outcome 5 evidence of ``spoke`` over ``period``."""
    rets = returns_for(returns, spoke.id, period)
    train, aware = ActivityKind.PROFESSIONAL_TRAINING, ActivityKind.AWARENESS_RAISING
    pairs = _pairs(rets, "professional", confidence)
    return Partners(
        trained=_sourced(
            _aggregate_or_activities(r, "professionals_trained", [train], "profession")
            for r in rets
        ),
        trained_by=_by_profession(rets, "professionals_trained", train),
        awareness=_sourced(
            _aggregate_or_activities(r, "professionals_awareness", [aware], "profession")
            for r in rets
        ),
        awareness_by=_by_profession(rets, "professionals_awareness", aware),
        agencies=_sourced((measure_total(r, "agencies_reached"), "aggregates") for r in rets).value,
        confidence=tuple(p for name in sorted(pairs) for p in pairs[name]),
    )


# -- outcome 6 ------------------------------------------------------------------------------


def latest_goals(rets: Sequence[MonitoringReturn]) -> tuple[str, ...]:
    """The latest status of each young person's goal (by case, goal): sorted status values.

    A goal is named by ``goal`` (or the instrument when no goal text is given);
    the latest record by date wins, same-day records ordered by status value.
    """
    latest: dict[tuple[str, str], tuple[date, str]] = {}
    for r in rets:
        for o in r.outcomes:
            if o.subject != "young_person" or o.goal_status is None:
                continue
            key = (o.case_id, o.goal or o.instrument)
            rank = (o.on, o.goal_status.value)
            if key not in latest or rank > latest[key]:
                latest[key] = rank
    return tuple(sorted(status for _, status in latest.values()))


def young_people(returns: Sequence[MonitoringReturn], spoke: Spoke, period: Period) -> YoungPeople:
    """Outcome 6 evidence of ``spoke`` over ``period`` (distinct cases, latest record each)."""
    rets = returns_for(returns, spoke.id, period)
    cases = latest_cases(rets).values()
    risk: list[tuple[str, str]] = []
    missing: list[tuple[int, int]] = []
    for c in cases:
        first, latest = c.risk_at_referral, c.risk_latest
        if (
            first is not None
            and latest is not None
            and first in RISK_ORDER
            and latest in RISK_ORDER
        ):
            risk.append((first, latest))
        if c.missing_before is not None and c.missing_after is not None:
            missing.append((c.missing_before, c.missing_after))
    return YoungPeople(
        risk=tuple(sorted(risk)),
        missing=tuple(sorted(missing)),
        scales=_pairs(rets, "young_person", None),
        goals=latest_goals(rets),
    )


# -- one spoke ------------------------------------------------------------------------------


def spoke_facts(
    programme: Programme,
    returns: Sequence[MonitoringReturn],
    spoke: Spoke,
    period: Period,
    rubric: Rubric,
    confidence: frozenset[str],
) -> SpokeFacts:
    """Gather every outcome's evidence for one spoke over ``period``."""
    embedded = score_embeddedness(embeddedness_inputs(programme, returns, spoke.id, period), rubric)
    independence = independence_inputs(programme, returns, spoke.id, period)
    cse, total = independence.cse_hours, independence.total_hours
    host = hosting_in_force(programme, spoke.id, period)
    # the spoke's own programme grant ends with its funded period; the
    # programme-wide grant_end is the fallback for spokes without an end date
    grant_end = spoke.end or programme.grant_end
    return SpokeFacts(
        spoke_id=spoke.id,
        hub_id=spoke.hub_id,
        phase=next((h.phase for h in programme.hubs if h.id == spoke.hub_id), None),
        funded_months_beyond_grant=(
            None if grant_end is None else months_funded_beyond(programme, spoke.id, grant_end)
        ),
        embeddedness=embedded.value,
        line_management=None if host is None else host.line_management.value,
        cse_focus=None if cse is None or not total else cse / total,
        reach=reach(programme, returns, spoke, period),
        reach_before=reach(programme, returns, spoke, period.previous()),
        partners=partners(returns, spoke, period, confidence),
        young_people=young_people(returns, spoke, period),
    )
