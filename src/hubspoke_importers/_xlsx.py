"""Opening workbooks safely and reading a sheet into a :class:`~hubspoke_importers._csv.Table`.

Safety: workbooks are opened by :func:`hubspoke.reading.workbook_from_bytes`,
the hardened reader plugin authors use too: the workbook's bytes are bounded
by the workbook limit, the total uncompressed size of its zip members by
:data:`~hubspoke.reading.UNCOMPRESSED_FACTOR` times that (a zip-bomb guard
checked before any XML is parsed); openpyxl parses XML through defusedxml
(it refuses to run otherwise) and in read-only mode, streaming rows.

Size: a sheet is read by :func:`sheet_rows`, which refuses a sheet whose
declared used range (its ``<dimension>``) or actual extent passes
:data:`~hubspoke.limits.MAX_ROWS`, :data:`~hubspoke.limits.MAX_COLUMNS` or
:data:`~hubspoke.limits.MAX_CELLS` before allocating anything for it, and
never pads rows to the declared width: a 12 KB workbook with one cell at
``XFD1048576`` is refused in milliseconds instead of filling memory.

Cells become text the way a user would type them: dates as ISO dates,
whole floats without ``.0``, booleans as yes/no; numbers in date columns are
Excel serial day numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd

from hubspoke.errors import FileImportError
from hubspoke.limits import MAX_CELLS, MAX_COLUMNS, MAX_ROWS
from hubspoke.reading import workbook_from_bytes
from hubspoke_importers._cells import EXCEL_EPOCH
from hubspoke_importers._common import Findings, header_key
from hubspoke_importers._csv import Table, build_table

#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 30


def open_workbook(data: bytes, file: str, max_bytes: int) -> Any:
    """An openpyxl read-only workbook of ``data``, after the safety checks.

    :func:`hubspoke.reading.workbook_from_bytes`: the same hardened reader
    plugin authors use.
    """
    return workbook_from_bytes(data, file, max_bytes=max_bytes)


def _too_big(file: str, sheet: str, what: str) -> FileImportError:
    return FileImportError(
        f"{file}: sheet {sheet!r} {what}; hubspoke reads at most {MAX_ROWS:,} rows, "
        f"{MAX_COLUMNS:,} columns (A to XFD) and {MAX_CELLS:,} cells per sheet, so the "
        "workbook is refused. Delete stray cells far below or to the right of the data "
        "(Ctrl+End in Excel shows the last used cell)"
    )


def _check_extent(file: str, sheet: str, rows: int, columns: int, declared: bool) -> None:
    """Refuse ``rows`` x ``columns`` (the declared used range, or what was found) over the caps."""
    said = "declares a used range of" if declared else "has cells spanning"
    shape = f"{said} {rows:,} rows x {columns:,} columns"
    if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise _too_big(file, sheet, shape)


def sheet_rows(sheet: Any, file: str) -> list[tuple[object, ...]]:
    """The cell values of a read-only sheet, row by row (row 1 first), within the size caps.

    Each row holds values up to its last non-empty cell (rows are not padded
    to the sheet's width; a row with nothing is ``()``), so memory follows
    what the sheet holds, not what it declares. Raises :class:`FileImportError`
    naming the sheet when its declared used range or its actual extent passes
    the caps, checked before anything is allocated for it.
    """
    title = str(getattr(sheet, "title", "?"))
    declared_rows, declared_columns = sheet.max_row, sheet.max_column
    if isinstance(declared_rows, int) and isinstance(declared_columns, int):
        _check_extent(file, title, declared_rows, declared_columns, declared=True)
    get_source = getattr(sheet, "_get_source", None)
    if get_source is None:  # not a read-only sheet: openpyxl holds every cell already
        return [tuple(r) for r in sheet.iter_rows(values_only=True)]
    from openpyxl.worksheet._reader import WorkSheetParser

    parent = sheet.parent
    rows: list[tuple[object, ...]] = []
    widest = 0
    with get_source() as src:
        parser = WorkSheetParser(
            src,
            sheet._shared_strings,
            data_only=parent.data_only,
            epoch=parent.epoch,
            date_formats=parent._date_formats,
            timedelta_formats=parent._timedelta_formats,
        )
        for number, cells in parser.parse():
            if number > MAX_ROWS or number < len(rows) + 1:
                if number > MAX_ROWS:
                    _check_extent(file, title, number, max(widest, 1), declared=False)
                continue  # rows out of order: keep the first reading of each row
            width = 0
            for cell in cells:
                column = int(cell["column"])
                if column > MAX_COLUMNS:
                    _check_extent(file, title, number, column, declared=False)
                if cell["value"] is not None and column > width:
                    width = column
            if width > widest:
                widest = width
            _check_extent(file, title, number, widest, declared=False)
            if number > len(rows) + 1:
                rows.extend(() for _ in range(number - len(rows) - 1))
            if not width:
                rows.append(())
                continue
            values: list[object] = [None] * width
            for cell in cells:
                column = int(cell["column"])
                if 1 <= column <= width:
                    values[column - 1] = cell["value"]
            rows.append(tuple(values))
    return rows


def cell_text(value: object, *, is_date: bool = False) -> str:
    """The text of a cell value as a user would have typed it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        if is_date and 1 <= value <= 2958465:
            return (EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return repr(value) if isinstance(value, float) else str(value)
    return str(value).strip()


def find_header(
    rows: list[tuple[object, ...]], known: Iterable[str], aliases: Mapping[str, str]
) -> int | None:
    """0-based index of the first of the top rows naming two or more known columns."""
    known_set = set(known)
    need = 2 if len(known_set) > 2 else 1
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {aliases.get(k, k) for k in (header_key(v) for v in row if isinstance(v, str))}
        if len(keys & known_set) >= need:
            return i
    return None


def sheet_table(
    rows: list[tuple[object, ...]],
    header_index: int,
    findings: Findings,
    *,
    aliases: Mapping[str, str],
    date_keys: Iterable[str] = (),
) -> Table:
    """The table under the header row ``header_index`` (0-based) of a sheet's ``rows``."""
    width = max((len(r) for r in rows), default=0)
    header = [cell_text(v) for v in rows[header_index]] + [""] * width
    header = header[:width]
    dated = {
        i
        for i, h in enumerate(header)
        if aliases.get(header_key(h), header_key(h)) in set(date_keys)
    }
    body = [
        [cell_text(v, is_date=i in dated) for i, v in enumerate(r)] + [""] * (width - len(r))
        for r in rows[header_index + 1 :]
    ]
    frame = (
        pd.DataFrame(body, columns=range(width), dtype=str)
        if body
        else pd.DataFrame({i: pd.Series([], dtype=str) for i in range(width)})
    )
    return build_table(
        header, frame, first_row=header_index + 2, findings=findings, aliases=dict(aliases)
    )
