"""Reading one cell's text as a date, number or count, with a plain reason when it is not.

Each parser takes the trimmed text of one cell and returns the value, None
for a blank cell, or a :class:`Problem` (rule code, message, suggestion). They
never raise. Whole columns are checked by :mod:`hubspoke.rules` (through
:class:`~hubspoke_importers._columns.ColumnReader`); these scalar parsers
serve single cells (header lines, the About sheet) and explain why a date
cell failed.

Dates are UK day-first (``05/04/2015`` is 5 April 2015) or ISO
(``2015-04-05``), never month-first: a date that is only valid month-first
is rejected with a suggestion to rewrite it.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, timedelta

import attrs

from hubspoke.limits import DATE_WINDOW, EARLIEST_DATE, LATEST_DATE, MAX_AMOUNT, MAX_COUNT

#: Earliest and latest years accepted in a date (the window is hubspoke.limits').
MIN_YEAR, MAX_YEAR = EARLIEST_DATE.year, LATEST_DATE.year

#: Day zero of Excel's (1900) date system, allowing for its fictional 29 Feb 1900.
EXCEL_EPOCH = date(1899, 12, 30)


@attrs.frozen(kw_only=True)
class Problem:
    """Why a cell could not be read: a rule ``code``, a ``message`` and a ``suggestion``."""

    code: str
    message: str
    suggestion: str | None = None
    private: bool = False
    """True when the cell holds personal data: its text must not be repeated."""


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_UK = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_SHORT_YEAR = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2})")
_NAMED = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4})")
_SERIAL = re.compile(r"\d{1,7}(?:\.0+)?")
_MONTHS = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name} | {
    abbr.casefold(): i for i, abbr in enumerate(calendar.month_abbr) if abbr
}
_MONTHS["sept"] = 9


def _build_date(year: int, month: int, day: int, text: str) -> date | Problem:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return Problem(
            code="date-unreadable",
            message=f"year {year} is outside the dates hubspoke accepts ({DATE_WINDOW})",
        )
    if not 1 <= month <= 12:
        return Problem(code="date-unreadable", message=f"month {month} is not 1-12")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return Problem(
            code="date-unreadable",
            message=f"day {day} does not exist in {calendar.month_name[month]} {year}",
        )
    return date(year, month, day)


def parse_date(text: str, *, allow_serial: bool = False) -> date | Problem | None:
    """A date from UK ``dd/mm/yyyy`` (also ``-`` or ``.``), ISO, or ``5 Apr 2015`` text.

    ``allow_serial`` also accepts an Excel serial day number (workbooks only).
    Blank gives None. Never reads month-first.
    """
    s = text.strip()
    if not s:
        return None
    if m := _ISO.fullmatch(s):
        return _build_date(int(m[1]), int(m[2]), int(m[3]), s)
    if m := _UK.fullmatch(s):
        day, month, year = int(m[1]), int(m[3]), int(m[4])
        if month > 12 and 1 <= day <= 12:
            flipped = f"{month:02d}{m[2]}{day:02d}{m[2]}{year}"
            return Problem(
                code="date-unreadable",
                message=f"month {month} is not 1-12: dates are read day first (dd/mm/yyyy), "
                "and this one looks month-first",
                suggestion=f"write {flipped}",
            )
        return _build_date(year, month, day, s)
    if m := _NAMED.fullmatch(s):
        month_no = _MONTHS.get(m[2].casefold())
        if month_no is not None:
            return _build_date(int(m[3]), month_no, int(m[1]), s)
    if _SHORT_YEAR.fullmatch(s):
        return Problem(
            code="date-unreadable",
            message="a two-digit year is ambiguous",
            suggestion="write the year with four digits (dd/mm/yyyy)",
        )
    if allow_serial and _SERIAL.fullmatch(s):
        serial = int(float(s))
        if 1 <= serial <= 2958465:
            found = EXCEL_EPOCH + timedelta(days=serial)
            return _build_date(found.year, found.month, found.day, s)
    return Problem(
        code="date-unreadable",
        message="not a date",
        suggestion="write dates as dd/mm/yyyy (day first) or yyyy-mm-dd",
    )


_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_number(text: str) -> float | Problem | None:
    """A finite number; ``1,234`` and ``1,234.5`` read as thousands. Blank gives None.

    A comma anywhere else (``12,5``) is refused rather than guessed as a
    decimal comma.
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        return None
    if _THOUSANDS.fullmatch(s):
        s = s.replace(",", "")
    elif not _PLAIN_NUMBER.fullmatch(s):
        hint = (
            "use a full stop for decimals and commas only between thousands (1,234.5)"
            if "," in s
            else "write a plain number such as 12 or 3.5"
        )
        return Problem(code="not-a-number", message="not a number", suggestion=hint)
    value = float(s)
    if not math.isfinite(value):
        return Problem(code="not-a-number", message="not a finite number")
    return value


def parse_amount(text: str, *, ceiling: float = MAX_AMOUNT) -> float | Problem | None:
    """A non-negative number (hours, values) at most ``ceiling``. Blank gives None."""
    value = parse_number(text)
    if isinstance(value, float) and value < 0:
        return Problem(code="negative-count", message="must not be negative")
    if isinstance(value, float) and value > ceiling:
        return Problem(
            code="count-too-large",
            message=f"{value:g} is larger than any return can hold (at most {ceiling:,.0f})",
            suggestion="check the cell: a date or an id may have been typed here",
        )
    return value


def parse_count(text: str) -> int | Problem | None:
    """A whole number in 0 to :data:`~hubspoke.limits.MAX_COUNT` (``1,234``, ``12.0`` read as 12).

    Blank gives None.
    """
    value = parse_amount(text, ceiling=MAX_COUNT)
    if not isinstance(value, float):
        return value
    if not value.is_integer():
        return Problem(
            code="non-integer-count",
            message=f"a count must be a whole number, not {value:g}",
            suggestion=f"write {round(value)}",
        )
    return int(value)


def parse_flag(text: str) -> bool | Problem | None:
    """Yes/no text (``yes``, ``y``, ``true``, ``1``; ``no``, ``n``, ``false``, ``0``)."""
    s = text.strip().casefold()
    if not s:
        return None
    if s in {"yes", "y", "true", "1"}:
        return True
    if s in {"no", "n", "false", "0"}:
        return False
    return Problem(code="invalid-flag", message="not yes or no", suggestion="write yes or no")
