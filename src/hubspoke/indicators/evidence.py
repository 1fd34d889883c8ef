"""Which of several submissions of a return counts, for the object-taking API.

Every figure is derived column-wise by :mod:`hubspoke.figures` (its
:mod:`~hubspoke.figures.counted` applies the rules below to frames); the
functions that take model objects settle resubmissions here first, then hand
frames to it. The rules:

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
from collections.abc import Iterable
from datetime import date

from hubspoke.model import MonitoringReturn


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


def sum_known(values: Iterable[float | None]) -> float | None:
    """The sum of the values that are not None; None when every value is None (or none given)."""
    known = [v for v in values if v is not None]
    return math.fsum(known) if known else None
