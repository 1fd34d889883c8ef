"""Records an importer hands back as frames instead of model objects (the bulk path).

An importer may put the records of a kind (a million case rows, say) in
:attr:`hubspoke.plugins.contract.LoadResult.record_frames` instead of the
returns' tuples: one DataFrame per kind, a ``return_index`` column (the
position of the record's return in ``LoadResult.returns``) then the kind's
record columns with the fixed dtypes of :mod:`hubspoke.frames` (for cases:
``case_id``, ``referral_date``, ..., ``closure_reason``). Rows of one return
keep their order, which is the record's index in locations and messages.
The returns then carry no records of that kind themselves.

Everything downstream (the pipeline's checks, the workspace) reads the frame
as it is; :func:`materialise` turns it into model objects for code that wants
them (plugin authors' tests, :meth:`LoadResult.materialised_returns`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from hubspoke.errors import PluginContractError
from hubspoke.model import MonitoringReturn

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

#: The column naming each record's return.
RETURN_INDEX: Final = "return_index"
#: Kinds of record, in the order returns and messages name them.
KINDS: Final = ("values", "cases", "activities", "outcomes")
#: Frame columns that belong to the return, not the record.
_RETURN_COLUMNS: Final = frozenset(
    {"return_id", "service_id", "period_label", "period_start", "period_end", "source_sha256"}
)


def record_schema(kind: str) -> dict[str, Any]:
    """Column -> dtype of an importer's record frame of ``kind`` (after ``return_index``)."""
    from hubspoke.figures.records import schema

    return {c: t for c, t in schema(kind).items() if c not in _RETURN_COLUMNS}


def check_frames(frames: Mapping[str, pd.DataFrame], returns: int) -> dict[str, pd.DataFrame]:
    """The frames conformed to :func:`record_schema`; PluginContractError naming what is wrong."""
    import numpy as np

    from hubspoke.errors import DataValidationError
    from hubspoke.figures.records import _cast

    out: dict[str, pd.DataFrame] = {}
    for kind, frame in frames.items():
        if kind not in KINDS:
            raise PluginContractError(
                f"record_frames: {kind!r} is not a kind of record ({', '.join(KINDS)})"
            )
        dtypes = record_schema(kind)
        missing = [c for c in (RETURN_INDEX, *dtypes) if c not in frame.columns]
        if missing:
            raise PluginContractError(
                f"record_frames[{kind!r}] lacks column(s): {', '.join(missing)}"
            )
        index = frame[RETURN_INDEX].to_numpy(dtype=np.int64, na_value=-1)
        if len(index) and (index.min() < 0 or index.max() >= returns):
            raise PluginContractError(
                f"record_frames[{kind!r}].{RETURN_INDEX} must name one of the "
                f"{returns} returns (0 to {returns - 1})"
            )
        try:
            columns = {n: _cast(frame[n], t, kind, n).array for n, t in dtypes.items()}
        except DataValidationError as exc:
            raise PluginContractError(f"record_frames: {exc}") from None
        import pandas as pd

        out[kind] = pd.DataFrame({RETURN_INDEX: index, **columns}, copy=False)
    return out


def counts(frames: Mapping[str, pd.DataFrame], returns: int) -> npt.NDArray[np.int64]:
    """Records held in frames per return: an array of length ``returns``."""
    import numpy as np

    total = np.zeros(returns, dtype=np.int64)
    for frame in frames.values():
        total += np.bincount(frame[RETURN_INDEX].to_numpy(dtype=np.int64), minlength=returns)
    return total


def kind_counts(frames: Mapping[str, pd.DataFrame], kind: str, returns: int) -> list[int]:
    """Records of ``kind`` held in frames per return (zeros when there is no such frame)."""
    import numpy as np

    frame = frames.get(kind)
    if frame is None:
        return [0] * returns
    found = np.bincount(frame[RETURN_INDEX].to_numpy(dtype=np.int64), minlength=returns)
    return [int(n) for n in found]


def select(frames: Mapping[str, pd.DataFrame], kept: Sequence[int]) -> dict[str, pd.DataFrame]:
    """The rows of returns at positions ``kept``, renumbered to their new positions."""
    import numpy as np

    if not frames:
        return {}
    size = max(kept, default=-1) + 1
    new = np.full(max(size, 1), -1, dtype=np.int64)
    new[list(kept)] = np.arange(len(kept), dtype=np.int64)
    out: dict[str, pd.DataFrame] = {}
    for kind, frame in frames.items():
        index = frame[RETURN_INDEX].to_numpy(dtype=np.int64)
        inside = index < size
        mapped = np.full(len(index), -1, dtype=np.int64)
        mapped[inside] = new[index[inside]]
        keep = mapped >= 0
        part = frame.loc[keep].reset_index(drop=True)
        part[RETURN_INDEX] = mapped[keep]
        out[kind] = part
    return out


def materialise(
    returns: Sequence[MonitoringReturn], frames: Mapping[str, pd.DataFrame]
) -> tuple[MonitoringReturn, ...]:
    """``returns`` with the records held in ``frames`` added as model objects (row by row).

    For tests and plugin authors' inspection, never for the bulk path.
    """
    if not frames:
        return tuple(returns)
    import numpy as np

    from hubspoke.frames import records_from_frame

    extra: list[dict[str, list[Any]]] = [{} for _ in returns]
    for kind, frame in frames.items():
        index = frame[RETURN_INDEX].to_numpy(dtype=np.int64)
        records = records_from_frame(kind, frame.drop(columns=[RETURN_INDEX]))
        for k, record in zip(index.tolist(), records, strict=True):
            extra[k].setdefault(kind, []).append(record)
    out: list[MonitoringReturn] = []
    for ret, found in zip(returns, extra, strict=True):
        more: dict[str, Any] = {k: (*getattr(ret, k), *rs) for k, rs in found.items()}
        out.append(attrs.evolve(ret, **more))
    return tuple(out)
