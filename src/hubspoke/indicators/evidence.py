"""Which returns and records count as evidence for one service over one assessment period.

The rules every derivation in :mod:`hubspoke.indicators` shares, so that
inputs, outcomes and data quality read returns the same way:

- A return counts for an assessment period when its period lies wholly
  *within* the assessment period. Returns that only partly overlap are left
  out rather than prorated: a return's counts (young people, meetings) are
  not spread evenly over its days, so prorating would invent figures.
- Several returns for the same service and the same dates (resubmissions)
  count once: the latest ``submitted_on`` wins, then one marked
  ``replaces_earlier``, then the highest provenance SHA-256 (a fixed,
  order-free tie-break).
- A return whose period lies inside another counted return's period of the
  same service (a quarter inside an annual return) is left out: the wider
  return already covers those days, and adding both would count twice.
- Results never depend on the order of the returns or of their records.

This module imports neither pandas nor the plugin machinery.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date

from hubspoke.model import CaseRecord, MonitoringReturn
from hubspoke.periods import Period

ONE_TO_ONE_SUPPORT: frozenset[str | None] = frozenset({"one_to_one", "both", None})
"""Case support types counted as one-to-one work (None: case records are casework by default)."""


def _preference(ret: MonitoringReturn) -> tuple[date, bool, str]:
    sha = ret.provenance.sha256 if ret.provenance is not None else ""
    return (ret.submitted_on or date.min, ret.replaces_earlier, sha)


def _preferred(a: MonitoringReturn, b: MonitoringReturn) -> bool:
    """True when ``a`` should replace ``b``; the full ``repr`` breaks exact ties only."""
    pa, pb = _preference(a), _preference(b)
    if pa != pb:
        return pa > pb
    return repr(a) > repr(b)


def current_returns(returns: Iterable[MonitoringReturn]) -> tuple[MonitoringReturn, ...]:
    """One return per service and dates (the preferred submission), sorted by service then dates."""
    best: dict[tuple[str, date, date], MonitoringReturn] = {}
    for ret in returns:
        key = (ret.service_id, ret.period.start, ret.period.end)
        held = best.get(key)
        if held is None or _preferred(ret, held):
            best[key] = ret
    return tuple(best[k] for k in sorted(best))


def returns_for(
    returns: Iterable[MonitoringReturn], service_id: str, period: Period
) -> tuple[MonitoringReturn, ...]:
    """The returns of ``service_id`` that count for ``period`` (see the module rules), by dates."""
    inside = [
        r
        for r in current_returns(r for r in returns if r.service_id == service_id)
        if period.contains_period(r.period)
    ]
    kept = [
        r
        for r in inside
        if not any(
            o is not r and o.period.contains_period(r.period) and o.period.days > r.period.days
            for o in inside
        )
    ]
    return tuple(sorted(kept, key=lambda r: r.period.sort_key))


def returns_by_service(
    returns: Iterable[MonitoringReturn], period: Period
) -> Mapping[str, tuple[MonitoringReturn, ...]]:
    """:func:`returns_for` for every service that has a return, in one pass."""
    grouped: dict[str, list[MonitoringReturn]] = {}
    for ret in returns:
        grouped.setdefault(ret.service_id, []).append(ret)
    return {sid: returns_for(rs, sid, period) for sid, rs in sorted(grouped.items())}


def measure_total(ret: MonitoringReturn, measure: str) -> float | None:
    """The sum of ``measure``'s total rows (no breakdown) in ``ret``; None if it has none."""
    found = [v.value for v in ret.values if v.measure == measure and v.is_total]
    return math.fsum(found) if found else None


def measure_by(ret: MonitoringReturn, measure: str, dimension: str) -> dict[str, float] | None:
    """``measure`` broken down by exactly one ``dimension``: code -> sum; None if absent."""
    parts: dict[str, list[float]] = {}
    for v in ret.values:
        if v.measure == measure and v.dimensions == (dimension,):
            parts.setdefault(v.breakdown[0][1], []).append(v.value)
    return {code: math.fsum(parts[code]) for code in sorted(parts)} or None


def measure_or_breakdown_total(ret: MonitoringReturn, measure: str, dimension: str) -> float | None:
    """The total row of ``measure``, else the sum of its breakdown by ``dimension``, else None."""
    total = measure_total(ret, measure)
    if total is not None:
        return total
    parts = measure_by(ret, measure, dimension)
    return None if parts is None else math.fsum(parts.values())


def sum_known(values: Iterable[float | None]) -> float | None:
    """The sum of the values that are not None; None when every value is None (or none given)."""
    known = [v for v in values if v is not None]
    return math.fsum(known) if known else None


def latest_cases(returns: Iterable[MonitoringReturn]) -> dict[str, CaseRecord]:
    """Each distinct ``case_id`` with its record from the latest return holding it.

    "Latest" is by the return's period end, then start; a case listed twice in
    one return keeps the record with the greatest ``repr`` (an order-free
    tie-break). Keys are sorted.
    """
    chosen: dict[str, tuple[tuple[date, date], str, CaseRecord]] = {}
    for ret in returns:
        when = (ret.period.end, ret.period.start)
        for case in ret.cases:
            rank = (when, repr(case))
            held = chosen.get(case.case_id)
            if held is None or rank > held[:2]:
                chosen[case.case_id] = (when, repr(case), case)
    return {cid: chosen[cid][2] for cid in sorted(chosen)}


def referrals_in(ret: MonitoringReturn) -> tuple[float, dict[str, float]] | None:
    """Referrals ``ret`` reports for its period: ``(total, {source code: count})``, or None.

    From case records when the return has any case with a referral date
    (cases referred within the return's period, one per distinct case id;
    a case with no source counts in the total under no code). Otherwise from
    ``referrals_received`` broken down by ``referral_source`` (total = sum of
    the breakdown). None when the return says nothing about referrals by source.
    """
    dated = [c for c in ret.cases if c.referral_date is not None]
    if dated:
        by_case: dict[str, CaseRecord] = {}
        for case in sorted(dated, key=repr):
            if case.referral_date is not None and ret.period.contains(case.referral_date):
                by_case[case.case_id] = case
        sources: dict[str, float] = {}
        for case in by_case.values():
            if case.referral_source is not None:
                sources[case.referral_source] = sources.get(case.referral_source, 0.0) + 1
        return float(len(by_case)), sources
    parts = measure_by(ret, "referrals_received", "referral_source")
    if parts is None:
        return None
    return math.fsum(parts.values()), parts


def uses_case_records(ret: MonitoringReturn) -> bool:
    """True when a return carries case-level records (so counts of people come from them)."""
    return bool(ret.cases)
