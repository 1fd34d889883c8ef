"""Workspace listings as pandas DataFrames with fixed dtypes (history, imports)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

_HISTORY = (
    ("return_id", "Int64"),
    ("service_id", "string"),
    ("period_label", "string"),
    ("period_start", "datetime64[ns]"),
    ("period_end", "datetime64[ns]"),
    ("submitted_on", "datetime64[ns]"),
    ("current", "boolean"),
    ("superseded_by", "Int64"),
    ("file_name", "string"),
    ("file_sha256", "string"),
    ("importer", "string"),
    ("importer_version", "string"),
    ("stored_at", "datetime64[ns, UTC]"),
    ("values", "Int64"),
    ("cases", "Int64"),
    ("activities", "Int64"),
    ("outcomes", "Int64"),
)

_IMPORTS = (
    ("file_name", "string"),
    ("sha256", "string"),
    ("size", "Int64"),
    ("importer", "string"),
    ("importer_version", "string"),
    ("imported_at", "datetime64[ns, UTC]"),
    ("status", "string"),
    ("rows_read", "Int64"),
    ("rows_imported", "Int64"),
    ("rows_rejected", "Int64"),
    ("errors", "Int64"),
)


def _frame(rows: Sequence[Sequence[object]], columns: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    data: dict[str, list[object]] = {
        name: [row[i] for row in rows] for i, (name, _) in enumerate(columns)
    }
    frame = pd.DataFrame(data, columns=[name for name, _ in columns])
    other: dict[str, str] = {}
    for name, dtype in columns:
        if dtype.startswith("datetime64"):
            # ISO text from SQLite; UTC stamps keep their zone, dates become midnight
            frame[name] = pd.to_datetime(frame[name], utc="UTC" in dtype).dt.as_unit("ns")
        else:
            other[name] = dtype
    return frame.astype(other)


def history_frame(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Rows of the history query as a frame (see :meth:`Workspace.history`)."""
    return _frame(rows, _HISTORY)


def imports_frame(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Rows of the imports query as a frame (see :meth:`Workspace.imports`)."""
    return _frame(rows, _IMPORTS)
