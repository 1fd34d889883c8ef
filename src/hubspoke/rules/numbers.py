"""Rules ``not-a-number``, ``negative-count``, ``non-integer-count`` and ``count-too-large``.

A numeric cell must hold a number (thousands separators and surrounding
spaces tolerated: "1,204" reads as 1204); counts and amounts are never
negative; measures whose unit is a count (:attr:`Measure.whole`) take
whole numbers only ("3.5 young people" is an error, "3.0" is 3). Counts
are at most :data:`~hubspoke.limits.MAX_COUNT` (ten million) and amounts at
most :data:`~hubspoke.limits.MAX_AMOUNT`, so nothing stored can overflow a
64-bit total later ("9e18" and 2**63 are refused at the door).
"""

from __future__ import annotations

import pandas as pd

from hubspoke.diagnostics import Severity
from hubspoke.limits import MAX_AMOUNT, MAX_COUNT
from hubspoke.rules.place import ColumnCheck, ColumnPlace, blank_mask, cell_diagnostics


def parse_numbers(values: pd.Series) -> pd.Series:
    """Raw cells as Float64: missing where blank or not a number. Vectorised."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("Float64")
    text = values.astype("string").str.strip().str.replace(r"(?<=\d),(?=\d{3}\b)", "", regex=True)
    return pd.to_numeric(text, errors="coerce").astype("Float64")


def check_numbers(
    values: pd.Series,
    place: ColumnPlace,
    *,
    whole: bool | pd.Series = True,
    required: bool = True,
) -> ColumnCheck:
    """Parse a column of counts or amounts; flag non-numbers, negatives and fractions.

    ``whole`` is one flag for the column or a boolean Series per row (true
    where that row's measure is a count). A blank cell is an error when
    ``required`` (its row has no value) and otherwise stays missing.
    ``parsed`` is Float64, missing where blank or bad.
    """
    numbers = parse_numbers(values)
    blank = blank_mask(values) if not pd.api.types.is_numeric_dtype(values) else values.isna()
    blank = blank.astype(bool)
    finite = numbers.notna() & ~numbers.isin([float("inf"), float("-inf")])
    finite = finite.fillna(False).astype(bool)
    not_number = ~blank & ~finite
    missing = blank & required
    negative = (finite & (numbers < 0)).fillna(False).astype(bool)
    whole_rows = (
        whole.reindex(values.index).fillna(True).astype(bool)
        if isinstance(whole, pd.Series)
        else pd.Series(whole, index=values.index, dtype=bool)
    )
    fraction = (finite & ~negative & whole_rows & (numbers != numbers.round())).fillna(False)
    fraction = fraction.astype(bool)
    ceiling = whole_rows.map({True: float(MAX_COUNT), False: MAX_AMOUNT}).astype("Float64")
    too_large = (finite & ~negative & (numbers > ceiling)).fillna(False).astype(bool)
    fraction = fraction & ~too_large
    diagnostics = [
        *cell_diagnostics(
            values.where(~blank, ""),
            not_number | missing,
            place,
            code="not-a-number",
            severity=Severity.ERROR,
            message=lambda t: "the value is blank" if not t.strip() else f"{t!r} is not a number",
            suggestion=lambda t: "write 0 if there were none" if not t.strip() else None,
        ),
        *cell_diagnostics(
            values,
            negative,
            place,
            code="negative-count",
            severity=Severity.ERROR,
            message=lambda t: f"{t} is negative; counts and amounts cannot be",
        ),
        *cell_diagnostics(
            values,
            fraction,
            place,
            code="non-integer-count",
            severity=Severity.ERROR,
            message=lambda t: (
                f"{t} is not a whole number; {place.header!r} takes whole numbers only"
            ),
            suggestion=lambda t: f"write a whole number such as {_rounded(t)}",
        ),
        *cell_diagnostics(
            values,
            too_large,
            place,
            code="count-too-large",
            severity=Severity.ERROR,
            message=lambda t: (
                f"{t} is larger than any return can hold (counts are at most "
                f"{MAX_COUNT:,}, amounts at most {MAX_AMOUNT:,.0f})"
            ),
            suggestion=lambda _: "check the cell: a date or an id may have been typed here",
        ),
    ]
    diagnostics.sort(key=lambda d: d.location.row or 0)
    bad = not_number | missing | negative | fraction | too_large
    parsed = numbers.where(~bad)
    return ColumnCheck(parsed=parsed, bad=bad, diagnostics=diagnostics)


def _rounded(text: str) -> str:
    try:
        return str(round(float(text.replace(",", ""))))
    except ValueError:
        return "3"
