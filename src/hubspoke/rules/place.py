"""Where a column of cells sits in the user's file, and diagnostics for its bad cells.

Column rules take a :class:`ColumnPlace` so every diagnostic they emit
names the file, sheet, spreadsheet row (1-based, header counted, as the
user sees it), column header and letter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import attrs
import pandas as pd

from hubspoke.diagnostics import Diagnostic, Location, Severity, column_letter


@attrs.frozen(kw_only=True)
class ColumnPlace:
    """A column's place in a file.

    ``header`` is the column's header text as written; ``index`` its 1-based
    position (gives the letter) or None when the position means nothing (a
    JSON file). ``rows`` maps each index label of the checked Series to its
    spreadsheet row; when None, row = position in the Series +
    ``first_data_row`` (2 under a one-line header).
    """

    file: str
    header: str
    index: int | None = None
    sheet: str | None = None
    rows: pd.Series | None = attrs.field(default=None, eq=False)
    first_data_row: int = 2

    @property
    def letter(self) -> str | None:
        return column_letter(self.index) if self.index is not None else None

    def location(self, row: int | None = None) -> Location:
        """The location of this column's cell in spreadsheet ``row`` (or the whole column)."""
        return Location(
            file=self.file, sheet=self.sheet, row=row, column=self.header, column_letter=self.letter
        )

    def row_numbers(self, values: pd.Series) -> pd.Series:
        """Spreadsheet row numbers aligned with ``values``' index."""
        if self.rows is not None:
            return self.rows.reindex(values.index)
        return pd.Series(
            range(self.first_data_row, self.first_data_row + len(values)), index=values.index
        )


def cell_diagnostics(
    values: pd.Series,
    bad: pd.Series,
    place: ColumnPlace,
    *,
    code: str,
    severity: Severity,
    message: Callable[[str], str],
    suggestion: Callable[[str], str | None] = lambda _: None,
) -> list[Diagnostic]:
    """One diagnostic per cell where ``bad`` is true, in row order.

    ``message`` and ``suggestion`` are called once per distinct offending
    text, not once per row, so a column with many repeats of one bad value
    stays cheap.
    """
    if not bool(bad.any()):
        return []
    texts = values[bad].astype("string").fillna("")
    rows = place.row_numbers(values)[bad]
    cache: dict[str, tuple[str, str | None]] = {}
    found: list[Diagnostic] = []
    for text, row in zip(texts.tolist(), rows.tolist(), strict=True):
        if text not in cache:
            cache[text] = (message(text), suggestion(text))
        msg, hint = cache[text]
        found.append(
            Diagnostic(
                code=code,
                severity=severity,
                message=msg,
                location=place.location(None if pd.isna(row) else int(row)),
                value=text,
                suggestion=hint,
            )
        )
    return found


def _diagnostic_tuple(items: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(items)


@attrs.frozen(kw_only=True)
class ColumnCheck:
    """What a column rule found.

    ``parsed`` is the column converted (codes, numbers, dates...), missing
    where the cell was blank or bad; ``bad`` is a boolean Series, true where
    the cell broke an error-severity rule (the importer rejects those rows);
    ``diagnostics`` has one entry per bad cell, in row order.
    """

    parsed: pd.Series = attrs.field(eq=False)
    bad: pd.Series = attrs.field(eq=False)
    diagnostics: tuple[Diagnostic, ...] = attrs.field(converter=_diagnostic_tuple)


def blank_mask(values: pd.Series) -> pd.Series:
    """True where a raw cell is missing or only whitespace."""
    text = values.astype("string")
    return (text.isna() | (text.str.strip() == "")).fillna(True).astype(bool)


def headers_of(columns: Sequence[object]) -> list[str]:
    """Header texts of a frame's columns, as strings."""
    return [str(c) for c in columns]
