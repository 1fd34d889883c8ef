"""The record frames every figure is derived from: returns and their records, keyed by return id.

:class:`RecordFrames` holds five DataFrames with fixed columns and dtypes:

- ``returns``: one row per return: ``return_id`` (``Int64``, unique),
  ``service_id``, ``period_label`` (``string``), ``period_start``,
  ``period_end``, ``submitted_on`` (``datetime64[ns]``), ``replaces_earlier``
  (``boolean``), ``source_sha256`` (``string``, NA without provenance).
- ``values``, ``cases``, ``activities``, ``outcomes``: ``return_id`` first,
  then exactly the columns and dtypes of :func:`hubspoke.frames.values_frame`,
  :func:`~hubspoke.frames.cases_frame`, :func:`~hubspoke.frames.activities_frame`
  and :func:`~hubspoke.frames.outcomes_frame` (values with one category
  column per dimension of :data:`hubspoke.measures.DIMENSIONS` and no other).

The workspace builds them straight from SQL; :meth:`RecordFrames.from_returns`
builds them from model objects (the adapters of the object-taking API). Either
way the constructor conforms every frame to the schema (:func:`conform`): a
missing column, or a value a fixed dtype cannot hold (an unknown code), is a
:class:`~hubspoke.errors.DataValidationError` naming the frame and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from hubspoke.errors import DataValidationError
from hubspoke.frames import activities_frame, cases_frame, outcomes_frame, values_frame
from hubspoke.model import MonitoringReturn

RETURN_ID: Final = "return_id"
RECORD_KINDS: Final = ("values", "cases", "activities", "outcomes")

RETURNS_DTYPES: Final[dict[str, str]] = {
    "return_id": "Int64",
    "service_id": "string",
    "period_label": "string",
    "period_start": "datetime64[ns]",
    "period_end": "datetime64[ns]",
    "submitted_on": "datetime64[ns]",
    "replaces_earlier": "boolean",
    "source_sha256": "string",
}


@cache
def _record_dtypes() -> dict[str, dict[str, Any]]:
    builders = {
        "values": values_frame,
        "cases": cases_frame,
        "activities": activities_frame,
        "outcomes": outcomes_frame,
    }
    out: dict[str, dict[str, Any]] = {}
    for kind, build in builders.items():
        empty = build(())
        dtypes: dict[str, Any] = {RETURN_ID: pd.Int64Dtype()}
        dtypes.update({str(c): t for c, t in empty.dtypes.items()})
        out[kind] = dtypes
    return out


def schema(kind: str) -> dict[str, Any]:
    """Column -> dtype of one frame of :class:`RecordFrames` (``"returns"`` or a record kind)."""
    if kind == "returns":
        return dict(RETURNS_DTYPES)
    return dict(_record_dtypes()[kind])


def _cast(column: pd.Series, dtype: Any, kind: str, name: str) -> pd.Series:
    if str(column.dtype) == str(dtype) and (
        not isinstance(dtype, pd.CategoricalDtype) or column.dtype == dtype
    ):
        return column
    try:
        if isinstance(dtype, pd.CategoricalDtype):
            as_text = column.astype("string")
            lost = as_text.notna() & ~as_text.isin(list(dtype.categories))
            if lost.any():
                bad = as_text[lost].iloc[0]
                raise DataValidationError(
                    f"{kind}.{name}: {bad!r} is not one of the column's codes"
                )
            return as_text.astype(dtype)
        if str(dtype) == "datetime64[ns]":
            return pd.to_datetime(column).astype("datetime64[ns]")
        return column.astype(dtype)
    except (ValueError, TypeError) as exc:
        raise DataValidationError(f"{kind}.{name}: cannot be read as {dtype}: {exc}") from exc


def conform(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``frame`` with exactly the schema's columns, in order, cast to the fixed dtypes.

    Extra columns are dropped; a missing column is an error naming it. The
    index is reset. Casting a frame that already conforms copies nothing.
    """
    dtypes = schema(kind)
    missing = [c for c in dtypes if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{kind} frame lacks column(s): {', '.join(missing)}")
    columns = {name: _cast(frame[name], dtype, kind, name) for name, dtype in dtypes.items()}
    out = pd.DataFrame({n: c.array for n, c in columns.items()}, copy=False)
    if kind == "returns" and out[RETURN_ID].isna().any():
        raise DataValidationError("returns.return_id: a return has no id")
    if kind == "returns" and out[RETURN_ID].duplicated().any():
        dup = out.loc[out[RETURN_ID].duplicated(), RETURN_ID].iloc[0]
        raise DataValidationError(f"returns.return_id: {dup} is repeated")
    return out


def _returns(frame: pd.DataFrame) -> pd.DataFrame:
    return conform(frame, "returns")


def _values(frame: pd.DataFrame) -> pd.DataFrame:
    return conform(frame, "values")


def _cases(frame: pd.DataFrame) -> pd.DataFrame:
    return conform(frame, "cases")


def _activities(frame: pd.DataFrame) -> pd.DataFrame:
    return conform(frame, "activities")


def _outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    return conform(frame, "outcomes")


@attrs.frozen(kw_only=True, eq=False)
class RecordFrames:
    """Returns and their records as typed frames (see the module docstring for the schema)."""

    returns: pd.DataFrame = attrs.field(converter=_returns)
    values: pd.DataFrame = attrs.field(converter=_values)
    cases: pd.DataFrame = attrs.field(converter=_cases)
    activities: pd.DataFrame = attrs.field(converter=_activities)
    outcomes: pd.DataFrame = attrs.field(converter=_outcomes)

    def __attrs_post_init__(self) -> None:
        known = self.returns[RETURN_ID]
        for kind in RECORD_KINDS:
            ids = getattr(self, kind)[RETURN_ID]
            stray = ids[~ids.isin(known)]
            if len(stray):
                raise DataValidationError(
                    f"{kind}.return_id: {stray.iloc[0]} is not the id of a return"
                )

    @classmethod
    def empty(cls) -> RecordFrames:
        """Frames with no returns and no records (every column, every dtype)."""
        frames = {
            k: pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema(k).items()})
            for k in ("returns", *RECORD_KINDS)
        }
        return cls(**frames)

    @classmethod
    def from_returns(cls, returns: Sequence[MonitoringReturn]) -> RecordFrames:
        """Frames of ``returns``; return ids are 1..n in the given order.

        Values broken down by a dimension outside
        :data:`~hubspoke.measures.DIMENSIONS` have no column to go in and are
        left out (no figure reads them: they are neither a total nor a
        breakdown over one catalogue dimension).
        """
        rets = list(returns)
        ids = np.arange(1, len(rets) + 1, dtype="int64")
        head = pd.DataFrame(
            {
                "return_id": pd.array(ids, dtype="Int64"),
                "service_id": pd.array([r.service_id for r in rets], dtype="string"),
                "period_label": pd.array([r.period.label for r in rets], dtype="string"),
                "period_start": _days([r.period.start for r in rets]),
                "period_end": _days([r.period.end for r in rets]),
                "submitted_on": _days([r.submitted_on for r in rets]),
                "replaces_earlier": pd.array([r.replaces_earlier for r in rets], dtype="boolean"),
                "source_sha256": pd.array(
                    [r.provenance.sha256 if r.provenance else None for r in rets],
                    dtype="string",
                ),
            }
        )
        values = values_frame(rets)
        extra = [c for c in values.columns if c not in schema("values") and c != RETURN_ID]
        values.insert(0, RETURN_ID, _repeat(ids, [len(r.values) for r in rets]))
        if extra:
            values = values[values[extra].isna().all(axis=1)].drop(columns=extra)
        frames: dict[str, pd.DataFrame] = {"returns": head, "values": values}
        for kind, build in (
            ("cases", cases_frame),
            ("activities", activities_frame),
            ("outcomes", outcomes_frame),
        ):
            frame = build(rets)
            frame.insert(0, RETURN_ID, _repeat(ids, [len(getattr(r, kind)) for r in rets]))
            frames[kind] = frame
        return cls(**frames)

    def select(self, return_ids: Iterable[int] | pd.Series | np.ndarray[Any, Any]) -> RecordFrames:
        """The frames of those returns only (rows in their present order)."""
        ids = np.asarray(
            return_ids.to_numpy(dtype="int64")
            if isinstance(return_ids, pd.Series)
            else list(return_ids)
            if not isinstance(return_ids, np.ndarray)
            else return_ids,
            dtype="int64",
        )
        wanted = pd.Index(ids)
        parts = {kind: _rows(getattr(self, kind), wanted) for kind in ("returns", *RECORD_KINDS)}
        return RecordFrames(**parts)

    def records(self, kind: str) -> pd.DataFrame:
        """One of the four record frames by name."""
        if kind not in RECORD_KINDS:
            raise DataValidationError(f"no record frame {kind!r}; known: {', '.join(RECORD_KINDS)}")
        frame: pd.DataFrame = getattr(self, kind)
        return frame


def _rows(frame: pd.DataFrame, wanted: pd.Index) -> pd.DataFrame:
    return frame[frame[RETURN_ID].isin(wanted)].reset_index(drop=True)


def _repeat(ids: np.ndarray[Any, Any], counts: Sequence[int]) -> pd.Series:
    return pd.Series(np.repeat(ids, np.asarray(counts, dtype="int64")), dtype="Int64")


def _days(values: Sequence[Any]) -> np.ndarray[Any, Any]:
    return np.array(values, dtype="datetime64[D]").astype("datetime64[ns]")


__all__ = ["RECORD_KINDS", "RETURNS_DTYPES", "RecordFrames", "conform", "schema"]
