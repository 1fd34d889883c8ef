"""Dated relationships: things that hold from ``start`` to ``end`` (inclusive).

An ``end`` of None means "still in force". Every dated model class
(hosting, funding, posts, occupancies) answers "as of a date" and "during a
period" questions through these two functions, so there is one answer.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from hubspoke.periods import Period


class Dated(Protocol):
    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date | None: ...


def in_force_on(item: Dated, day: date) -> bool:
    """True when ``day`` lies in ``[item.start, item.end]`` (open end = forever)."""
    return item.start <= day and (item.end is None or day <= item.end)


def overlap_days(item: Dated, period: Period) -> int:
    """Days (inclusive) of ``period`` during which ``item`` is in force; 0 if none."""
    start = max(item.start, period.start)
    end = period.end if item.end is None else min(item.end, period.end)
    return max((end - start).days + 1, 0)


def in_force_during(item: Dated, period: Period) -> bool:
    """True when ``item`` is in force on at least one day of ``period``."""
    return overlap_days(item, period) > 0
