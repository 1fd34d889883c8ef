"""Rules ``date-unreadable`` and ``date-outside-period``.

Dates are read the UK way and never in US order: ``dd/mm/yyyy`` (also with
``-`` or ``.``), ``yyyy-mm-dd``, ``d Mon yyyy``; "03/04/2015" is 3 April.
A date that cannot be read is an error. A date of an event reported in a
return that falls outside the return's period is a warning by default (the
importer may make it an error where it must be inside).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from hubspoke.diagnostics import Severity
from hubspoke.periods import Period
from hubspoke.rules.place import ColumnCheck, ColumnPlace, blank_mask, cell_diagnostics

#: Accepted date formats, tried in order; none is ambiguous with another.
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)


def parse_dates(values: pd.Series) -> pd.Series:
    """Raw cells as ``datetime64[ns]``, NaT where blank or unreadable. Vectorised per format."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.astype("datetime64[ns]")
    text = values.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    todo = text.notna() & (text != "")
    for fmt in DATE_FORMATS:
        if not bool(todo.any()):
            break
        got = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = got.notna()
        if bool(ok.any()):
            out.loc[ok[ok].index] = got[ok].astype("datetime64[ns]")
            todo = todo & out.isna()
    return out


def check_dates(
    values: pd.Series,
    place: ColumnPlace,
    *,
    period: Period | None = None,
    outside_severity: Severity = Severity.WARNING,
) -> ColumnCheck:
    """Parse a column of dates; flag unreadable ones and, given ``period``, those outside it.

    ``parsed`` is ``datetime64[ns]`` (NaT where blank or unreadable). ``bad``
    is true for unreadable cells, and for dates outside the period only when
    ``outside_severity`` is ERROR.
    """
    dates = parse_dates(values)
    blank = blank_mask(values)
    unreadable = (~blank & dates.isna()).astype(bool)
    diagnostics = cell_diagnostics(
        values,
        unreadable,
        place,
        code="date-unreadable",
        severity=Severity.ERROR,
        message=lambda t: f"{t!r} is not a date hubspoke can read",
        suggestion=lambda _: "write dates as dd/mm/yyyy, e.g. 03/04/2015 for 3 April 2015",
    )
    outside = pd.Series(False, index=values.index)
    if period is not None:
        start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
        outside = (dates.notna() & ((dates < start) | (dates > end))).astype(bool)
        diagnostics += cell_diagnostics(
            values,
            outside,
            place,
            code="date-outside-period",
            severity=outside_severity,
            message=lambda t: (
                f"{t} is outside the period {period.label} "
                f"({_uk(period.start)} to {_uk(period.end)})"
            ),
        )
        diagnostics.sort(key=lambda d: d.location.row or 0)
    bad = unreadable | (outside if outside_severity is Severity.ERROR else False)
    return ColumnCheck(parsed=dates.where(~bad), bad=bad.astype(bool), diagnostics=diagnostics)


def _uk(d: date) -> str:
    return d.strftime("%d/%m/%Y")
