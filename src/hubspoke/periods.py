"""Reporting periods: explicit start and end dates plus a label.

UK financial years run 1 April to 31 March. :func:`parse_period` reads the
label forms listed in ``docs/periods.md`` and refuses ambiguous ones with a
:class:`~hubspoke.errors.PeriodError` that says how to disambiguate; it never
guesses. Every period built here carries a canonical label, and
``parse_period(p.label) == p``. This module does not import pandas.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Literal, NoReturn, TypeAlias

import attrs

from hubspoke.errors import ModelError, PeriodError

PeriodKind: TypeAlias = Literal[
    "financial_year", "financial_quarter", "calendar_quarter", "calendar_year", "month", "range"
]
Convention: TypeAlias = Literal["financial", "calendar"]

MIN_YEAR = 1900
MAX_YEAR = 2200
# English names, hard-coded: calendar.month_name follows the process locale.
_MONTH_FULL = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
_MONTH_ABBR = tuple(name[:3] for name in _MONTH_FULL)
_MONTH_NAMES = {name.upper(): i for i, name in enumerate(_MONTH_FULL, start=1)} | {
    abbr.upper(): i for i, abbr in enumerate(_MONTH_ABBR, start=1)
}
_MONTH_NAMES["SEPT"] = 9


def _end_not_before_start(instance: Period, attribute: attrs.Attribute[date], value: date) -> None:
    if value < instance.start:
        raise ModelError("Period", "end", "end must not be before start", value)


@attrs.frozen(kw_only=True, order=False)
class Period:
    """A closed interval of days ``[start, end]`` with a human label.

    Both dates are inclusive. Two periods are equal when start, end and label
    are equal. Periods are not orderable; sort with ``key=lambda p: p.sort_key``.
    """

    start: date = attrs.field(validator=attrs.validators.instance_of(date))
    end: date = attrs.field(validator=[attrs.validators.instance_of(date), _end_not_before_start])
    label: str = attrs.field(validator=attrs.validators.instance_of(str))

    @property
    def days(self) -> int:
        """Length in days, counting both ends (a single day is 1)."""
        return (self.end - self.start).days + 1

    @property
    def months(self) -> float:
        """Length in average months: ``days * 12 / 365.25`` (a financial year is ~11.99)."""
        return self.days * 12 / 365.25

    @property
    def whole_months(self) -> int | None:
        """Calendar months covered if it starts on a 1st and ends on a month end, else None."""
        if self.start.day != 1 or self.end != _month_end(self.end.year, self.end.month):
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def sort_key(self) -> tuple[date, date]:
        """``(start, end)``: chronological order, shorter first on a shared start."""
        return (self.start, self.end)

    def contains(self, d: date) -> bool:
        """True if the day ``d`` lies in the period (both ends inclusive)."""
        return self.start <= d <= self.end

    def contains_period(self, other: Period) -> bool:
        """True if every day of ``other`` lies in this period."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Period) -> bool:
        """True if the two periods share at least one day."""
        return self.start <= other.end and other.start <= self.end

    def overlap_days(self, other: Period) -> int:
        """Days shared with ``other``: 0 if disjoint, symmetric, at most ``min`` of both lengths."""
        return max(0, (min(self.end, other.end) - max(self.start, other.start)).days + 1)

    def overlap_fraction(self, other: Period) -> float:
        """Share of *this* period's days that fall in ``other``, in [0, 1] (for prorating)."""
        return self.overlap_days(other) / self.days

    def next(self) -> Period:
        """The adjacent later period of the same kind (see :func:`period_kind`).

        A range gives the range of the same number of days starting the day after
        ``end``. Raises PeriodError past the supported years.
        """
        return _step(self, 1)

    def previous(self) -> Period:
        """The adjacent earlier period of the same kind; the inverse of :meth:`next`."""
        return _step(self, -1)


# -- constructors -------------------------------------------------------------------------


def _check_int(value: int, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PeriodError(f"{what} must be an integer from {low} to {high} (got {value!r})")
    return value


def _year(value: int, what: str = "year") -> int:
    return _check_int(value, MIN_YEAR, MAX_YEAR, what)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _fy_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def financial_year(start_year: int) -> Period:
    """The UK financial year 1 April ``start_year`` to 31 March the next year (label ``2014-15``).

    Where the label ``YYYY-YY`` would also read as a month (``2011-12``), the
    canonical label is ``FY2011-12``.
    """
    y = _year(start_year, "start_year")
    label = _fy_label(y)
    if 1 <= (y + 1) % 100 <= 12:
        label = "FY" + label
    return Period(start=date(y, 4, 1), end=date(y + 1, 3, 31), label=label)


def financial_quarter(start_year: int, quarter: int) -> Period:
    """Quarter 1-4 of financial year ``start_year``: Q1 Apr-Jun ... Q4 Jan-Mar (``2014-15 Q2``)."""
    y = _year(start_year, "start_year")
    q = _check_int(quarter, 1, 4, "quarter")
    first_y, first_m = _shift_month(y, 4, 3 * (q - 1))
    last_y, last_m = _shift_month(first_y, first_m, 2)
    start, end = date(first_y, first_m, 1), _month_end(last_y, last_m)
    return Period(start=start, end=end, label=f"{_fy_label(y)} Q{q}")


def calendar_quarter(year: int, quarter: int) -> Period:
    """Quarter 1-4 of calendar ``year``: Q1 Jan-Mar ... Q4 Oct-Dec (label ``2015Q1``)."""
    y = _year(year)
    q = _check_int(quarter, 1, 4, "quarter")
    return Period(start=date(y, 3 * q - 2, 1), end=_month_end(y, 3 * q), label=f"{y}Q{q}")


def calendar_year(year: int) -> Period:
    """1 January to 31 December of ``year`` (label ``2015``)."""
    y = _year(year)
    return Period(start=date(y, 1, 1), end=date(y, 12, 31), label=str(y))


def month(year: int, month: int) -> Period:
    """Calendar month 1-12 of ``year`` (``2015-04``; ``Dec 2011`` where ``2011-12`` clashes)."""
    y, m = _year(year), _check_int(month, 1, 12, "month")
    label = f"{_MONTH_ABBR[m - 1]} {y}" if m == (y + 1) % 100 else f"{y}-{m:02d}"
    return Period(start=date(y, m, 1), end=_month_end(y, m), label=label)


def date_range(start: date, end: date) -> Period:
    """The days ``start`` to ``end`` inclusive (label ``2014-04-01 to 2014-06-30``).

    Never reclassified: a range that matches a financial year keeps its range label.
    """
    for what, d in (("start", start), ("end", end)):
        if isinstance(d, datetime) or not isinstance(d, date):
            raise PeriodError(f"date_range {what} must be a date, not {type(d).__name__}")
        _year(d.year, f"{what} year")
    if end < start:
        raise PeriodError(f"date_range end {end} is before start {start}")
    return Period(start=start, end=end, label=f"{start.isoformat()} to {end.isoformat()}")


def financial_year_of(d: date) -> Period:
    """The financial year containing the day ``d``."""
    return financial_year(d.year if d.month >= 4 else d.year - 1)


def financial_quarter_of(d: date) -> Period:
    """The financial quarter containing the day ``d``."""
    return financial_quarter(d.year if d.month >= 4 else d.year - 1, (d.month - 4) % 12 // 3 + 1)


def calendar_quarter_of(d: date) -> Period:
    """The calendar quarter containing the day ``d``."""
    return calendar_quarter(d.year, (d.month - 1) // 3 + 1)


# -- kinds and stepping -------------------------------------------------------------------


def period_kind(p: Period) -> PeriodKind:
    """The kind named by ``p.label``, read as :func:`parse_period` reads it by default.

    A label that does not parse, or parses to other dates than ``p``'s, makes
    the period a ``"range"``.
    """
    try:
        kind, parsed = _parse(p.label, None)
    except PeriodError:
        return "range"
    return kind if parsed.sort_key == p.sort_key else "range"


def _step(p: Period, by: int) -> Period:
    kind = period_kind(p)
    if kind == "range":
        n = p.days
        start = p.start + timedelta(days=by * n)
        return date_range(start, start + timedelta(days=n - 1))
    if kind == "financial_year":
        return financial_year(p.start.year + by)
    if kind == "calendar_year":
        return calendar_year(p.start.year + by)
    if kind == "month":
        return month(*_shift_month(p.start.year, p.start.month, by))
    y, m = _shift_month(p.start.year, p.start.month, 3 * by)
    if kind == "calendar_quarter":
        return calendar_quarter(y, (m - 1) // 3 + 1)
    return financial_quarter(y if m >= 4 else y - 1, (m - 4) % 12 // 3 + 1)


def periods_between(first: Period, last: Period) -> tuple[Period, ...]:
    """``first``, ``first.next()``, ... up to and including ``last``.

    Both must be of the same kind (ranges of the same length) with ``last``
    reachable from ``first`` by :meth:`Period.next`; otherwise PeriodError.
    """
    kind, last_kind = period_kind(first), period_kind(last)
    if kind != last_kind:
        raise PeriodError(f"{first.label!r} is a {kind} but {last.label!r} is a {last_kind}")
    out = [first]
    while out[-1].start < last.start:
        out.append(out[-1].next())
    if out[-1].sort_key != last.sort_key:
        raise PeriodError(f"{last.label!r} is not reached by stepping from {first.label!r}")
    return tuple(out)


# -- parsing ------------------------------------------------------------------------------

_FLAGS = re.ASCII
_DATE = r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{1,4}"
_RANGE = re.compile(rf"(?P<a>{_DATE}) ?(?:TO|\.\.|-|/) ?(?P<b>{_DATE})", _FLAGS)
_SINGLE_DATE = re.compile(_DATE, _FLAGS)
_Q_FIRST = re.compile(r"Q ?(?P<q>\d)(?:(?:[ -]|(?=[A-Z]))(?P<rest>.+))?", _FLAGS)
_Q_LAST = re.compile(r"(?P<rest>.+?)[ -]?Q ?(?P<q>\d)", _FLAGS)
_MONTH_NAME = re.compile(r"(?P<name>[A-Z]{3,9})\.?[ -]?(?P<y>\d{1,6})", _FLAGS)
_YEARS = re.compile(
    r"(?P<pre>FY|CY)? ?(?P<y1>\d{1,6})(?: ?(?P<sep>[-/]) ?(?P<y2>\d{1,6}))?", _FLAGS
)
_FORMS = (
    "accepted forms: 2014-15 (financial year), 2014-15 Q2 (financial quarter), "
    "2015Q1 (calendar quarter), 2015 (calendar year), 2015-04 or Apr 2015 (month), "
    "2014-04-01 to 2014-06-30 (date range), 2013-14 to 2016-17 (a run of years or quarters)"
)


def _fail(text: str, problem: str, hint: str) -> NoReturn:
    raise PeriodError(f"cannot read period {text!r}: {problem}; {hint}")


def parse_period(text: str, *, convention: Convention | None = None) -> Period:
    """Read a period label (case and spacing ignored); the result has the canonical label.

    ``convention`` decides only the bare forms ``2015`` and ``Q1 2015`` / ``2015Q1``:
    ``None`` or ``"calendar"`` reads them as calendar years and quarters,
    ``"financial"`` as the financial year *starting* 1 April 2015 (``2015-16``)
    and its quarters. Raises PeriodError, never anything else, naming the part
    at fault and the form to write instead.
    """
    return _parse(text, convention)[1]


def _parse(text: str, convention: Convention | None) -> tuple[PeriodKind, Period]:
    if convention not in (None, "financial", "calendar"):
        raise PeriodError(f"convention must be 'financial', 'calendar' or None, not {convention!r}")
    s = " ".join(text.replace("\u2013", "-").replace("\u2014", "-").split()).upper()
    if not s:
        _fail(text, "the label is empty", _FORMS)
    if m := _RANGE.fullmatch(s):
        start, end = _read_date(m["a"], text), _read_date(m["b"], text)
        if end < start:
            _fail(text, f"end {end} is before start {start}", "write the earlier date first")
        return "range", date_range(start, end)
    if " TO " in s:
        return _span_of_labels(s, text, convention)
    if _SINGLE_DATE.fullmatch(s):
        d = _read_date(s, text)
        _fail(text, "a single date is not a period", f"for one day write {d} to {d}")
    m = _Q_FIRST.fullmatch(s) or _Q_LAST.fullmatch(s)
    if m:
        q_text, rest = m["q"], m["rest"]
        if rest is None:
            _fail(
                text,
                f"quarter 'Q{q_text}' has no year",
                "write 2015Q1 for January-March 2015 or 2015-16 Q1 for April-June 2015",
            )
        if not 1 <= int(q_text) <= 4:
            _fail(text, f"quarter 'Q{q_text}' is not Q1 to Q4", "write Q1, Q2, Q3 or Q4")
        quarter = int(q_text)
    else:
        quarter, rest = None, s
    if quarter is None and (m := _MONTH_NAME.fullmatch(s)) and m["name"] in _MONTH_NAMES:
        if len(m["y"]) != 4:
            _fail(text, f"year '{m['y']}' must have four digits", "write e.g. Apr 2015")
        return "month", month(_parse_year(m["y"], text), _MONTH_NAMES[m["name"]])
    return _read_years(rest, text, quarter, convention)


_SPAN_KINDS: frozenset[str] = frozenset(
    {"financial_year", "financial_quarter", "calendar_quarter", "calendar_year", "month"}
)


def _span_of_labels(s: str, text: str, convention: Convention | None) -> tuple[PeriodKind, Period]:
    """``2013-14 to 2016-17``: from the first labelled period's start to the last one's end."""
    first_text, _, last_text = s.partition(" TO ")
    if not first_text or not last_text or " TO " in last_text:
        _fail(text, "a range needs one period on each side of 'to'", "write 2013-14 to 2016-17")
    first_kind, first = _parse(first_text, convention)
    last_kind, last = _parse(last_text, convention)
    if first_kind not in _SPAN_KINDS or first_kind != last_kind:
        _fail(
            text,
            f"'{first.label}' is a {first_kind.replace('_', ' ')} but '{last.label}' is a "
            f"{last_kind.replace('_', ' ')}",
            "name two periods of the same kind (2013-14 to 2016-17, 2015-16 Q1 to 2015-16 Q3) "
            "or two dates (2013-04-01 to 2017-03-31)",
        )
    if last.end < first.start:
        _fail(text, f"'{last.label}' ends before '{first.label}' starts", "name the earlier first")
    return "range", span(first, last)


def span(first: Period, last: Period) -> Period:
    """From ``first.start`` to ``last.end``, labelled ``"<first> to <last>"`` (one label if equal).

    ``span(financial_year(2013), financial_year(2016))`` is 1 April 2013 to 31 March 2017,
    labelled ``2013-14 to 2016-17``; :func:`parse_period` reads that label back.
    """
    if last.end < first.start:
        raise PeriodError(f"{last.label!r} ends before {first.label!r} starts")
    if first == last:
        return first
    return Period(start=first.start, end=last.end, label=f"{first.label} to {last.label}")


def labelled_span(start: date, end: date) -> Period:
    """The days ``start`` to ``end`` with the readable label an evaluator would say.

    Whole financial years give ``2015-16`` or ``2013-14 to 2016-17``; whole
    financial quarters ``2015-16 Q1 to 2015-16 Q3``; anything else is a date
    range. ``parse_period(result.label) == result`` always holds.
    """
    if end < start:
        raise PeriodError(f"end {end} is before start {start}")
    first_y = financial_year_of(start)
    last_y = financial_year_of(end)
    if first_y.start == start and last_y.end == end:
        return span(first_y, last_y)
    first_q = financial_quarter_of(start)
    last_q = financial_quarter_of(end)
    if first_q.start == start and last_q.end == end:
        return span(first_q, last_q)
    return date_range(start, end)


def sub_periods(period: Period, by: str) -> tuple[Period, ...]:
    """The financial years (``by="year"``) or quarters (``by="quarter"``) overlapping ``period``.

    Each is clipped to ``period`` only when ``period`` does not cover it whole
    (then its label is the date range it keeps).
    """
    if by not in ("year", "quarter"):
        raise PeriodError(f"by must be 'year' or 'quarter', not {by!r}")
    of = financial_year_of if by == "year" else financial_quarter_of
    out: list[Period] = []
    current = of(period.start)
    while current.start <= period.end:
        if period.contains_period(current):
            out.append(current)
        else:
            out.append(date_range(max(current.start, period.start), min(current.end, period.end)))
        current = current.next()
    return tuple(out)


def _parse_year(digits: str, text: str) -> int:
    year = int(digits)
    if not MIN_YEAR <= year <= MAX_YEAR:
        _fail(text, f"year {digits} is outside {MIN_YEAR}-{MAX_YEAR}", "check the year")
    return year


def _read_years(
    s: str, text: str, quarter: int | None, convention: Convention | None
) -> tuple[PeriodKind, Period]:
    m = _YEARS.fullmatch(s)
    if not m:
        _fail(text, "not a recognised period label", _FORMS)
    pre, y1s, sep, y2s = m["pre"], m["y1"], m["sep"], m["y2"]
    qs = "" if quarter is None else f" Q{quarter}"
    if len(y1s) != 4:
        guess = f"20{y1s}-{y2s}" if len(y1s) == 2 and y2s and len(y2s) == 2 else "2014-15"
        _fail(text, f"year '{y1s}' must have four digits", f"write e.g. {guess}{qs}")
    y1 = _parse_year(y1s, text)
    nxt = f"{(y1 + 1) % 100:02d}"
    if y2s is None:
        if pre == "FY":
            _fail(
                text,
                f"'FY{y1}' is ambiguous (financial year {_fy_label(y1 - 1)} or {_fy_label(y1)})",
                f"write {_fy_label(y1 - 1)}{qs} or {_fy_label(y1)}{qs}",
            )
        financial = pre is None and convention == "financial"
    elif pre == "CY":
        _fail(
            text, "CY takes a single year", f"write CY{y1}{qs}, or a date range for several years"
        )
    elif len(y2s) == 2:
        month_like = quarter is None and pre is None and sep == "-" and 1 <= int(y2s) <= 12
        if y2s == nxt and month_like:
            name = _MONTH_FULL[int(y2s) - 1]
            _fail(
                text,
                f"'{s}' is ambiguous (financial year {y1}-{nxt} or the month {name} {y1})",
                f"write FY{y1}-{nxt} or {y1}/{nxt} for the financial year, "
                f"or {name[:3]} {y1} for the month",
            )
        if month_like:
            return "month", month(y1, int(y2s))
        if y2s != nxt:
            can_be_month = quarter is None and pre is None and sep == "-"
            problem = (
                f"second part '{y2s}' is neither {nxt} (the year after {y1}) nor a month 01-12"
                if can_be_month
                else f"second year '{y2s}' must be {nxt}, the year after {y1}"
            )
            _fail(text, problem, f"write {y1}-{nxt}{qs} (financial year from 1 April {y1})")
        financial = True
    elif len(y2s) == 4 and int(y2s) == y1 + 1:
        if pre != "FY":
            other = f"the two calendar years {y1} and {y2s}"
            alt = (
                f"{y1}-01-01 to {y2s}-12-31 for the two calendar years"
                if quarter is None
                else f"{y1}Q{quarter} or {y2s}Q{quarter} for a calendar quarter"
            )
            what = "year" if quarter is None else "quarter"
            _fail(
                text,
                f"'{y1}{sep}{y2s}' is ambiguous (financial year {y1}-{nxt} or {other})",
                f"write {y1}-{nxt}{qs} for the financial {what} or {alt}",
            )
        financial = True
    else:
        _fail(
            text,
            f"second year '{y2s}' is not the year after {y1}",
            f"write {y1}-{nxt}{qs} for a financial year, or a date range such as "
            f"{y1}-01-01 to {y2s}-12-31 for several calendar years",
        )
    if quarter is None:
        return (
            ("financial_year", financial_year(y1))
            if financial
            else ("calendar_year", calendar_year(y1))
        )
    if financial:
        return "financial_quarter", financial_quarter(y1, quarter)
    return "calendar_quarter", calendar_quarter(y1, quarter)


def _read_date(token: str, text: str) -> date:
    """One ISO ``yyyy-mm-dd`` or UK day-first ``dd/mm/yyyy`` date (never month-first)."""
    if "/" in token:
        d_s, m_s, y_s = token.split("/")
        form = "dd/mm/yyyy (day first)"
    else:
        y_s, m_s, d_s = token.split("-")
        form = "yyyy-mm-dd"
    if len(y_s) != 4:
        _fail(text, f"year '{y_s}' in '{token}' must have four digits", f"write dates as {form}")
    y, mo, d = _parse_year(y_s, text), int(m_s), int(d_s)
    if not 1 <= mo <= 12:
        _fail(text, f"month '{m_s}' in '{token}' is not 1-12", f"dates are read as {form}")
    if not 1 <= d <= 31:
        _fail(text, f"day '{d_s}' in '{token}' is not 1-31", f"dates are read as {form}")
    if d > calendar.monthrange(y, mo)[1]:
        _fail(
            text,
            f"day '{d_s}' in '{token}' does not exist in {_MONTH_FULL[mo - 1]} {y}",
            f"dates are read as {form}",
        )
    return date(y, mo, d)
