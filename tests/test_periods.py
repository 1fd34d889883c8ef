"""Tests for hubspoke.periods: label forms, ambiguity errors, arithmetic, properties."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.errors import ModelError, PeriodError
from hubspoke.periods import (
    Period,
    calendar_quarter,
    calendar_quarter_of,
    calendar_year,
    date_range,
    financial_quarter,
    financial_quarter_of,
    financial_year,
    financial_year_of,
    month,
    parse_period,
    period_kind,
    periods_between,
)

D = date

# -- strategies: years keep a margin so next()/previous() stay within 1900-2200 ------------

years = st.integers(min_value=1901, max_value=2199)
quarters = st.integers(min_value=1, max_value=4)
ranges = st.builds(
    lambda start, n: date_range(start, start + timedelta(days=n - 1)),
    st.dates(min_value=D(1911, 1, 1), max_value=D(2180, 12, 31)),
    st.integers(min_value=1, max_value=3650),
)
periods = st.one_of(
    st.builds(financial_year, years),
    st.builds(financial_quarter, years, quarters),
    st.builds(calendar_quarter, years, quarters),
    st.builds(calendar_year, years),
    st.builds(month, years, st.integers(min_value=1, max_value=12)),
    ranges,
)
days_in_range = st.dates(min_value=D(1901, 1, 1), max_value=D(2199, 12, 31))


# -- label forms --------------------------------------------------------------------------

FY_2014 = (D(2014, 4, 1), D(2015, 3, 31), "2014-15")
FQ2 = (D(2014, 7, 1), D(2014, 9, 30), "2014-15 Q2")
CQ1 = (D(2015, 1, 1), D(2015, 3, 31), "2015Q1")
CY = (D(2015, 1, 1), D(2015, 12, 31), "2015")
APR = (D(2015, 4, 1), D(2015, 4, 30), "2015-04")
RANGE = (D(2014, 4, 1), D(2014, 6, 30), "2014-04-01 to 2014-06-30")


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("2014-15", FY_2014, "financial_year"),
        ("2014/15", FY_2014, "financial_year"),
        ("FY2014-15", FY_2014, "financial_year"),
        ("FY 2014/15", FY_2014, "financial_year"),
        ("FY2014-2015", FY_2014, "financial_year"),
        ("  fy 2014 / 15 ", FY_2014, "financial_year"),
        ("2014\u201315", FY_2014, "financial_year"),
        ("2014-15 Q2", FQ2, "financial_quarter"),
        ("Q2 2014-15", FQ2, "financial_quarter"),
        ("2014/15 Q2", FQ2, "financial_quarter"),
        ("FY2014-15 Q2", FQ2, "financial_quarter"),
        ("2014-15 q2", FQ2, "financial_quarter"),
        ("2014-15 Q4", (D(2015, 1, 1), D(2015, 3, 31), "2014-15 Q4"), "financial_quarter"),
        ("2015Q1", CQ1, "calendar_quarter"),
        ("2015 Q1", CQ1, "calendar_quarter"),
        ("2015-Q1", CQ1, "calendar_quarter"),
        ("Q1 2015", CQ1, "calendar_quarter"),
        ("q1  2015", CQ1, "calendar_quarter"),
        ("CY2015 Q1", CQ1, "calendar_quarter"),
        ("2015", CY, "calendar_year"),
        ("CY2015", CY, "calendar_year"),
        ("2015-04", APR, "month"),
        ("Apr 2015", APR, "month"),
        ("April 2015", APR, "month"),
        ("apr-2015", APR, "month"),
        ("Sept 2015", (D(2015, 9, 1), D(2015, 9, 30), "2015-09"), "month"),
        ("Dec 2011", (D(2011, 12, 1), D(2011, 12, 31), "Dec 2011"), "month"),
        ("FY2011-12", (D(2011, 4, 1), D(2012, 3, 31), "FY2011-12"), "financial_year"),
        ("2011/12", (D(2011, 4, 1), D(2012, 3, 31), "FY2011-12"), "financial_year"),
        ("2014-04-01 to 2014-06-30", RANGE, "range"),
        ("2014-04-01..2014-06-30", RANGE, "range"),
        ("2014-04-01/2014-06-30", RANGE, "range"),
        ("01/04/2014 - 30/06/2014", RANGE, "range"),
        ("01/04/2014 to 30/06/2014", RANGE, "range"),
        ("1/4/2014 TO 30/6/2014", RANGE, "range"),
        (
            "2014-04-01 to 2015-03-31",
            (D(2014, 4, 1), D(2015, 3, 31), "2014-04-01 to 2015-03-31"),
            "range",
        ),
    ],
)
def test_label_forms(text: str, expected: tuple[date, date, str], kind: str) -> None:
    p = parse_period(text)
    assert (p.start, p.end, p.label) == expected
    assert period_kind(p) == kind


def test_uk_dates_are_day_first() -> None:
    p = parse_period("05/04/2015 - 06/04/2015")
    assert (p.start, p.end) == (D(2015, 4, 5), D(2015, 4, 6))


@pytest.mark.parametrize(
    ("convention", "text", "label"),
    [
        (None, "2015", "2015"),
        ("calendar", "2015", "2015"),
        ("financial", "2015", "2015-16"),
        ("calendar", "Q1 2015", "2015Q1"),
        ("financial", "Q1 2015", "2015-16 Q1"),
        ("financial", "2015Q4", "2015-16 Q4"),
        ("financial", "CY2015", "2015"),
        ("financial", "CY2015 Q1", "2015Q1"),
        ("calendar", "2014-15", "2014-15"),
    ],
)
def test_convention_decides_only_bare_years(convention: str | None, text: str, label: str) -> None:
    assert parse_period(text, convention=convention).label == label  # type: ignore[arg-type]


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("Q1", ["'Q1'", "has no year", "2015Q1", "2015-16 Q1"]),
        ("FY2015", ["'FY2015'", "ambiguous", "write 2014-15 or 2015-16"]),
        ("Q3 FY2015", ["ambiguous", "write 2014-15 Q3 or 2015-16 Q3"]),
        ("FY2015 Q3", ["ambiguous", "write 2014-15 Q3 or 2015-16 Q3"]),
        (
            "2014-2015",
            ["'2014-2015'", "ambiguous", "write 2014-15", "2014-01-01 to 2015-12-31"],
        ),
        ("2014/2015", ["ambiguous", "2014-01-01 to 2015-12-31"]),
        ("2014-2015 Q2", ["ambiguous", "2014-15 Q2", "2014Q2 or 2015Q2"]),
        ("2011-12", ["ambiguous", "FY2011-12 or 2011/12", "Dec 2011"]),
        ("2014-16", ["'16'", "neither 15", "nor a month", "write 2014-15"]),
        ("2014/16", ["second year '16' must be 15", "write 2014-15"]),
        ("2014-16 Q2", ["'16'", "write 2014-15 Q2"]),
        ("2014-2016", ["'2016' is not the year after 2014", "2014-01-01 to 2016-12-31"]),
        ("Q5 2015", ["'Q5'", "Q1 to Q4"]),
        ("14-15", ["year '14'", "four digits", "2014-15"]),
        ("FY15", ["year '15'", "four digits"]),
        ("Apr 15", ["year '15'", "Apr 2015"]),
        ("CY2014-15", ["CY takes a single year"]),
        ("1850", ["year 1850", "1900-2200"]),
        ("32/04/2014 - 30/06/2014", ["day '32'", "'32/04/2014'", "dd/mm/yyyy"]),
        ("01/13/2014 - 30/06/2014", ["month '13'", "'01/13/2014'", "day first"]),
        ("04/15/2015 - 04/16/2015", ["month '15'", "day first"]),
        ("31/06/2014 to 01/07/2014", ["day '31'", "June 2014"]),
        ("2014-02-30 to 2014-03-01", ["day '30'", "February 2014"]),
        ("01/04/14 - 02/04/14", ["year '14'", "four digits"]),
        ("2014-06-30 to 2014-04-01", ["before start"]),
        ("2014-04-01", ["single date", "2014-04-01 to 2014-04-01"]),
        ("", ["empty", "accepted forms"]),
        ("next summer", ["'next summer'", "not a recognised", "accepted forms"]),
    ],
)
def test_error_messages(text: str, fragments: list[str]) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    message = str(info.value)
    assert f"{text!r}" in message
    for fragment in fragments:
        assert fragment in message


def test_bad_convention() -> None:
    with pytest.raises(PeriodError, match="convention"):
        parse_period("2015", convention="fiscal")  # type: ignore[arg-type]


# -- constructors -------------------------------------------------------------------------


def test_constructors() -> None:
    assert financial_year(2014) == Period(start=D(2014, 4, 1), end=D(2015, 3, 31), label="2014-15")
    assert financial_year(2099).label == "2099-00"
    assert financial_quarter(2014, 4).label == "2014-15 Q4"
    assert financial_quarter(2014, 4).start == D(2015, 1, 1)
    assert calendar_quarter(2015, 4).end == D(2015, 12, 31)
    assert month(2016, 2).end == D(2016, 2, 29)
    assert date_range(D(2014, 4, 1), D(2015, 3, 31)).label == "2014-04-01 to 2015-03-31"


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: financial_quarter(2014, 5), "quarter"),
        (lambda: calendar_quarter(2014, 0), "quarter"),
        (lambda: month(2014, 13), "month"),
        (lambda: calendar_year(1899), "year"),
        (lambda: financial_year(2201), "start_year"),
        (lambda: calendar_year(True), "year"),
        (lambda: date_range(D(2014, 5, 1), D(2014, 4, 1)), "before start"),
        (lambda: date_range(datetime(2014, 1, 1), D(2014, 4, 1)), "date"),
        (lambda: date_range(D(1800, 1, 1), D(2014, 4, 1)), "start year"),
    ],
)
def test_constructor_validation(call: object, fragment: str) -> None:
    with pytest.raises(PeriodError, match=fragment):
        call()  # type: ignore[operator]


def test_period_keeps_model_error_for_end_before_start() -> None:
    with pytest.raises(ModelError):
        Period(start=D(2014, 5, 1), end=D(2014, 4, 1), label="x")


def test_of_functions() -> None:
    assert financial_year_of(D(2015, 3, 31)).label == "2014-15"
    assert financial_year_of(D(2015, 4, 1)).label == "2015-16"
    assert financial_quarter_of(D(2015, 2, 14)).label == "2014-15 Q4"
    assert financial_quarter_of(D(2014, 4, 1)).label == "2014-15 Q1"
    assert calendar_quarter_of(D(2015, 8, 31)).label == "2015Q3"


# -- arithmetic ---------------------------------------------------------------------------


def test_lengths() -> None:
    fy = financial_year(2015)
    assert fy.days == 366
    assert fy.months == pytest.approx(366 * 12 / 365.25)
    assert fy.whole_months == 12
    assert financial_quarter(2014, 4).whole_months == 3
    assert date_range(D(2014, 4, 2), D(2014, 6, 30)).whole_months is None
    assert date_range(D(2014, 4, 1), D(2014, 6, 29)).whole_months is None
    assert date_range(D(2014, 4, 1), D(2014, 4, 1)).days == 1


def test_overlap_and_prorating() -> None:
    fy, q2 = financial_year(2014), financial_quarter(2014, 2)
    assert fy.contains_period(q2)
    assert not q2.contains_period(fy)
    assert q2.overlap_days(fy) == q2.days == 92
    assert q2.overlap_fraction(fy) == 1.0
    assert fy.overlap_fraction(q2) == pytest.approx(92 / 365)
    assert calendar_year(2014).overlap_days(fy) == 275
    assert not fy.overlaps(financial_year(2015))


def test_next_previous_examples() -> None:
    assert financial_quarter(2014, 4).next().label == "2015-16 Q1"
    assert financial_quarter(2015, 1).previous().label == "2014-15 Q4"
    assert calendar_quarter(2015, 4).next().label == "2016Q1"
    assert month(2015, 12).next().label == "2016-01"
    assert month(2011, 11).next().label == "Dec 2011"
    assert financial_year(2010).next().label == "FY2011-12"
    assert date_range(D(2014, 4, 1), D(2014, 4, 10)).next().label == "2014-04-11 to 2014-04-20"
    assert calendar_year(2200).previous().label == "2199"
    with pytest.raises(PeriodError):
        calendar_year(2200).next()


def test_unparseable_or_mismatched_label_is_a_range() -> None:
    odd = Period(start=D(2014, 4, 1), end=D(2014, 4, 7), label="Week 1")
    assert period_kind(odd) == "range"
    assert odd.next() == date_range(D(2014, 4, 8), D(2014, 4, 14))
    wrong = Period(start=D(2014, 4, 1), end=D(2015, 3, 31), label="2015")
    assert period_kind(wrong) == "range"
    assert period_kind(Period(start=D(2014, 4, 1), end=D(2015, 3, 31), label="2014/15")) == (
        "financial_year"
    )


def test_sort_key_and_not_orderable() -> None:
    ps = [financial_year(2014), financial_quarter(2014, 1), calendar_year(2014)]
    assert [p.label for p in sorted(ps, key=lambda p: p.sort_key)] == [
        "2014",
        "2014-15 Q1",
        "2014-15",
    ]
    with pytest.raises(TypeError):
        _ = ps[0] < ps[1]  # type: ignore[operator]


def test_periods_between() -> None:
    got = periods_between(financial_quarter(2014, 3), financial_quarter(2015, 2))
    assert [p.label for p in got] == ["2014-15 Q3", "2014-15 Q4", "2015-16 Q1", "2015-16 Q2"]
    assert periods_between(month(2015, 1), month(2015, 1)) == (month(2015, 1),)
    with pytest.raises(PeriodError, match="is a financial_year but"):
        periods_between(financial_year(2014), calendar_year(2016))
    with pytest.raises(PeriodError, match="not reached"):
        periods_between(calendar_year(2016), calendar_year(2014))
    with pytest.raises(PeriodError, match="not reached"):
        periods_between(
            date_range(D(2014, 1, 1), D(2014, 1, 7)), date_range(D(2014, 1, 3), D(2014, 1, 9))
        )


def test_module_does_not_import_pandas() -> None:
    code = "import sys, hubspoke.periods; assert 'pandas' not in sys.modules"
    src = str(Path(__file__).resolve().parents[1] / "src")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": src})


# -- properties ---------------------------------------------------------------------------


@given(periods)
def test_label_round_trips(p: Period) -> None:
    assert parse_period(p.label) == p
    assert parse_period(f"  {p.label.lower()} ") == p


@given(periods)
def test_next_and_previous_are_inverse(p: Period) -> None:
    assert p.next().previous() == p
    assert p.previous().next() == p
    assert period_kind(p.next()) == period_kind(p)


@given(periods)
def test_next_starts_the_day_after(p: Period) -> None:
    assert p.next().start == p.end + timedelta(days=1)
    assert p.previous().end == p.start - timedelta(days=1)


@given(periods)
def test_contains_its_ends_only(p: Period) -> None:
    assert p.contains(p.start)
    assert p.contains(p.end)
    assert not p.contains(p.end + timedelta(days=1))
    assert not p.contains(p.start - timedelta(days=1))
    assert p.contains_period(p)


@given(periods, periods)
def test_overlap_laws(a: Period, b: Period) -> None:
    n = a.overlap_days(b)
    assert n == b.overlap_days(a)
    assert 0 <= n <= min(a.days, b.days)
    assert (n == 0) == (not a.overlaps(b))
    assert 0.0 <= a.overlap_fraction(b) <= 1.0


@given(days_in_range)
def test_of_functions_contain_the_day(d: date) -> None:
    for p in (financial_year_of(d), financial_quarter_of(d), calendar_quarter_of(d)):
        assert p.contains(d)
    assert financial_year_of(d).contains_period(financial_quarter_of(d))


@given(st.text())
def test_parse_only_raises_period_error(text: str) -> None:
    for convention in (None, "financial", "calendar"):
        with contextlib.suppress(PeriodError):
            parse_period(text, convention=convention)


@given(
    st.text(alphabet="0123456789-/ QqFfYyCc.to", max_size=30),
    st.sampled_from([None, "financial"]),
)
def test_parse_label_like_text(text: str, convention: str | None) -> None:
    try:
        p = parse_period(text, convention=convention)  # type: ignore[arg-type]
    except PeriodError:
        return
    assert parse_period(p.label) == p


@given(days_in_range, days_in_range)
def test_uk_date_ranges_are_never_month_first(a: date, b: date) -> None:
    start, end = min(a, b), max(a, b)
    text = f"{start:%d/%m/%Y} - {end:%d/%m/%Y}"
    p = parse_period(text)
    assert (p.start, p.end) == (start, end)
