"""Exports for spreadsheets that cannot run formulas: CSV, XLSX and Parquet.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (or their full-width forms ``＝ ＋ － ＠``) can be run as a formula when
a spreadsheet opens the file ("CSV injection"). Returns carry free text
typed by many people (service names, notes), so every string cell, every
column header and the index, when written, is passed through
:func:`neutralise_cell`, which puts a single quote in front of such text.
Numbers, booleans, dates and missing values are written unchanged, so a
negative number stays a number. XLSX cells are also stored with the string
type, never as formulas. All three writers write the same neutralised text.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise_cell(value: Any) -> Any:
    """``value`` made safe for a spreadsheet: risky text gets a leading ``'``; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell, column label and index label neutralised.

    Text-holding columns become ``object`` dtype; numeric columns keep their dtype.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if _holds_text(series):
            # Built cell by cell: Series.map would re-infer the dtype and turn a column
            # of whole numbers with blanks into floats (59 written as "59.0").
            out[column] = pd.Series(
                [neutralise_cell(v) for v in series.astype(object)],
                index=series.index,
                dtype=object,
            )
    out.columns = pd.Index([_label(c) for c in out.columns])
    out.index = pd.Index([_label(i) for i in out.index], name=_label(out.index.name))
    return out


def write_csv(frame: pd.DataFrame, path: Path, *, index: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV (with a byte-order mark, so Excel reads it as UTF-8).

    Missing values are written as empty cells. Returns ``path``.
    """
    safe = neutralise_frame(frame)
    path.parent.mkdir(parents=True, exist_ok=True)
    # RFC 4180 line ends: the writer then quotes any field holding \r or \n.
    safe.to_csv(path, index=index, encoding="utf-8-sig", lineterminator="\r\n")
    return path


def write_xlsx(
    frame: pd.DataFrame, path: Path, *, sheet: str = "data", index: bool = False
) -> Path:
    """Write ``frame`` to an XLSX workbook; every text cell is stored as text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    safe = neutralise_frame(frame)
    if index:
        safe = safe.reset_index()
    workbook = Workbook(write_only=True)  # rows streamed to the file, no cell objects kept
    worksheet = workbook.create_sheet(_sheet_title(sheet))

    def row(values: Iterable[Any]) -> list[Any]:
        cells = []
        for value in values:
            found = _cell_value(value)
            if isinstance(found, str):  # only text needs a cell object: typed as text
                cell = WriteOnlyCell(worksheet, value=found)
                cell.data_type = "s"
                found = cell
            cells.append(found)
        return cells

    worksheet.append(row(safe.columns))
    for values in safe.itertuples(index=False):
        worksheet.append(row(values))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_parquet(frame: pd.DataFrame, path: Path, *, index: bool = False) -> Path:
    """Write ``frame`` to Parquet (pyarrow is a dependency of hubspoke).

    Columns mixing numbers and text (a suppressed marker among counts) are
    written as text.
    """
    safe = neutralise_frame(frame)
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = safe[column].astype("string")
    path.parent.mkdir(parents=True, exist_ok=True)
    safe.to_parquet(path, index=index, engine="pyarrow")
    return path


# ---------------------------------------------------------------------------


def _holds_text(series: pd.Series) -> bool:
    return bool(
        series.dtype == object
        or isinstance(series.dtype, pd.StringDtype | pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(series.dtype)
    )


def _label(label: Hashable) -> Hashable:
    return neutralise_cell(label) if isinstance(label, str) else label


def _sheet_title(name: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")
    return cleaned[:31] or "data"


def _cell_value(value: Any) -> Any:
    """``value`` as the Python value a workbook cell holds (text as ``str``)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, date):
        return value
    return str(value)
