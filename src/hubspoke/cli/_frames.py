"""Frames as JSON-ready rows, for the ``--json`` output of the workspace commands."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def json_value(value: object) -> object:
    """A cell as JSON: NA/NaN/NaT as None, dates ISO (midnight timestamps as dates)."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    item = getattr(value, "item", None)
    if callable(item):  # numpy scalars
        return json_value(item())
    return str(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Every row of ``frame`` as a dict of JSON-ready values (:func:`json_value` of each cell)."""
    if not len(frame.columns):
        return [{} for _ in range(len(frame))]
    names = [str(c) for c in frame.columns]
    columns = [_json_column(frame.iloc[:, i]) for i in range(len(names))]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _json_column(column: pd.Series) -> list[object]:
    """:func:`json_value` of each cell, column-wise: numpy numbers and flags need no call each."""
    values: list[object] = column.tolist()
    import numpy as np

    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else ""
    if kind in ("i", "u", "b"):
        return values  # tolist() gives Python ints and bools
    if kind == "f":
        return [None if v != v else v for v in values]  # NaN is the only value unequal to itself
    return [json_value(v) for v in values]
