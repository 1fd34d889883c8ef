"""Rules ``date-unreadable`` and ``date-outside-period``.

Dates are read the UK way and never in US order: ``dd/mm/yyyy`` (also with
``-`` or ``.``), ``yyyy-mm-dd``, ``d Mon yyyy`` and ``dd-Mon-yyyy`` (Excel's
default display, ``05-Aug-2015``); "03/04/2015" is 3 April. Workbook date
cells (``datetime`` values) are dates as they are; with ``serials=True``
Excel serial day numbers (``42221``) are read too. An importer may accept
more formats of its own (``formats=``, strptime codes); the suggestion for
an unreadable date then names them. A date that only makes sense
month-first (``04/25/2015``) is refused with the day-first rewrite as the
suggestion. A date that cannot be read is an error. A date of an event
reported in a return that falls outside the return's period is a warning
by default (the importer may make it an error where it must be inside).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pandas as pd

from hubspoke.diagnostics import Severity
from hubspoke.limits import DATE_WINDOW, EARLIEST_DATE, LATEST_DATE, date_in_window
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
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)

#: Day zero of Excel's (1900) date system, allowing for its fictional 29 Feb 1900.
EXCEL_EPOCH = date(1899, 12, 30)
#: The largest Excel serial day number (31 December 9999).
EXCEL_MAX_SERIAL = 2958465

_EXAMPLE = date(2015, 4, 3)
_SERIAL = re.compile(r"\d{1,7}(?:\.0+)?")
_MONTH_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_SHORT_YEAR = re.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{2}")


def parse_dates(
    values: pd.Series, *, formats: Sequence[str] = (), serials: bool = False
) -> pd.Series:
    """Raw cells as ``datetime64[ns]``, NaT where blank or unreadable. Vectorised per format.

    Cells may be text, or ``date``/``datetime`` objects (workbook date
    cells). ``formats`` are extra strptime formats tried after
    :data:`DATE_FORMATS`; ``serials`` also reads Excel serial day numbers.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.astype("datetime64[ns]")
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if values.dtype == object:
        cells = values.map(_date_in_window)
        if bool(cells.any()):
            objects = values[cells].map(
                lambda v: v if isinstance(v, datetime) else datetime(v.year, v.month, v.day)
            )
            out.loc[cells[cells].index] = pd.to_datetime(objects.tolist()).astype("datetime64[ns]")
            values = values.where(~cells, "")
    text = values.astype("string").str.strip()
    todo = text.notna() & (text != "") & out.isna()
    for fmt in (*DATE_FORMATS, *formats):
        if not bool(todo.any()):
            break
        got = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = got.notna() & (got >= _EARLIEST) & (got <= _LATEST)  # 2999 would overflow [ns]
        if bool(ok.any()):
            out.loc[ok[ok].index] = got[ok].astype("datetime64[ns]")
            todo = todo & out.isna()
    if serials and bool(todo.any()):
        numeric = text[todo].str.fullmatch(_SERIAL.pattern).fillna(False).astype(bool)
        if bool(numeric.any()):
            days = pd.to_numeric(text[todo][numeric]).astype("int64")
            days = days[(days >= 1) & (days <= EXCEL_MAX_SERIAL)]
            out.loc[days.index] = pd.Timestamp(EXCEL_EPOCH) + pd.to_timedelta(days, unit="D")
    return out.where((out >= _EARLIEST) & (out <= _LATEST))


_EARLIEST, _LATEST = pd.Timestamp(EARLIEST_DATE), pd.Timestamp(LATEST_DATE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _date_in_window(value: object) -> bool:
    """True for a ``date``/``datetime`` cell inside the accepted window (others stay text)."""
    if not isinstance(value, date):
        return False
    return date_in_window(value.date() if isinstance(value, datetime) else value)


def date_hint(formats: Sequence[str] = (), *, serials: bool = False) -> str:
    """The suggestion for an unreadable date: the accepted formats, with examples."""
    extra = [f"{_example(f)}" for f in formats if _example(f) not in {"03/04/2015"}]
    text = "write dates as dd/mm/yyyy, e.g. 03/04/2015 for 3 April 2015"
    also = [*extra]
    if serials:
        also.append("Excel date cells and serial day numbers")
    if also:
        text += f" (also accepted: {', '.join(dict.fromkeys(also))})"
    return text


def _example(fmt: str) -> str:
    try:
        return _EXAMPLE.strftime(fmt)
    except ValueError:
        return fmt


def _unreadable_message(text: str) -> str:
    s = text.strip()
    if m := _MONTH_FIRST.fullmatch(s):
        day, month = int(m[1]), int(m[3])
        if month > 12 and 1 <= day <= 12:
            return (
                f"{s!r} is not a date hubspoke can read: month {month} is not 1-12; dates are "
                "read day first (dd/mm/yyyy), and this one looks month-first"
            )
    if _SHORT_YEAR.fullmatch(s):
        return f"{s!r} is not a date hubspoke can read: a two-digit year is ambiguous"
    year = _YEAR.search(s)
    if year and not EARLIEST_DATE.year <= int(year[1]) <= LATEST_DATE.year:
        return f"{s!r} is outside the dates hubspoke accepts ({DATE_WINDOW})"
    return f"{s!r} is not a date hubspoke can read"


def _unreadable_hint(text: str, hint: str) -> str:
    s = text.strip()
    if m := _MONTH_FIRST.fullmatch(s):
        day, month = int(m[1]), int(m[3])
        if month > 12 and 1 <= day <= 12:
            return f"write {month:02d}{m[2]}{day:02d}{m[2]}{m[4]}"
    if _SHORT_YEAR.fullmatch(s):
        return "write the year with four digits (dd/mm/yyyy)"
    return hint


def check_dates(
    values: pd.Series,
    place: ColumnPlace,
    *,
    period: Period | None = None,
    outside_severity: Severity = Severity.WARNING,
    formats: Sequence[str] = (),
    serials: bool = False,
) -> ColumnCheck:
    """Parse a column of dates; flag unreadable ones and, given ``period``, those outside it.

    ``parsed`` is ``datetime64[ns]`` (NaT where blank or unreadable). ``bad``
    is true for unreadable cells, and for dates outside the period only when
    ``outside_severity`` is ERROR. ``formats`` and ``serials``: see
    :func:`parse_dates`. Messages show each value as the sender wrote it.
    """
    dates = parse_dates(values, formats=formats, serials=serials)
    blank = blank_mask(values)
    unreadable = (~blank & dates.isna()).astype(bool)
    hint = date_hint(formats, serials=serials)
    shown = values.map(_as_written) if values.dtype == object else values
    diagnostics = cell_diagnostics(
        shown,
        unreadable,
        place,
        code="date-unreadable",
        severity=Severity.ERROR,
        message=_unreadable_message,
        suggestion=lambda t: _unreadable_hint(t, hint),
    )
    outside = pd.Series(False, index=values.index)
    if period is not None:
        start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
        outside = (dates.notna() & ((dates < start) | (dates > end))).astype(bool)
        diagnostics += cell_diagnostics(
            shown,
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


def _as_written(value: object) -> object:
    """A workbook date cell as the UK display shows it; other cells unchanged."""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return _uk(value.date())
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return _uk(value)
    return value


def _uk(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def excel_serial_date(serial: float) -> date | None:
    """The date of an Excel serial day number (1900 system), or None outside 1..2958465."""
    if not 1 <= serial <= EXCEL_MAX_SERIAL:
        return None
    return EXCEL_EPOCH + timedelta(days=int(serial))
