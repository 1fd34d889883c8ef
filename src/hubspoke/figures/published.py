"""The figures behind the report's tables by service and period, from the one derivation.

:func:`figures_by_return` lists, for every return that counts for a period
(:func:`hubspoke.figures.counted.counted_returns`) from a spoke active in it,
the figure used for each measure (:func:`hubspoke.figures.sources.return_figures`,
with its documented precedence of sources). These are exactly the figures the
key outcomes pool, so a programme total summed from them equals the key
outcome for every count measure. The one exception is a distinct count
(young people given one-to-one support): per return it counts distinct young
people in that return, and its sum over periods counts a young person once in
each period, while the key outcome counts each once over the whole period.
Tables built from it say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import numpy as np
import pandas as pd

from hubspoke.figures.counted import counted_returns
from hubspoke.figures.facts import figures_of
from hubspoke.figures.records import RecordFrames
from hubspoke.figures.sources import reconcile
from hubspoke.model import Programme
from hubspoke.periods import Period

#: Columns of :func:`figures_by_return`.
COLUMNS: Final = (
    "return_id",
    "service_id",
    "period_label",
    "period_start",
    "period_end",
    "measure",
    "value",
    "source",
)


def _counted(programme: Programme, frames: RecordFrames, period: Period) -> pd.DataFrame:
    from hubspoke.indicators.derive import spoke_active

    active = [s.id for s in programme.spokes if spoke_active(s, period)]
    counted = counted_returns(frames.returns, period)
    return counted[counted["service_id"].isin(active)].reset_index(drop=True)


def figures_by_return(
    programme: Programme,
    frames: RecordFrames,
    period: Period,
    measures: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The figure used for each measure of each return counted for ``period``.

    Columns :data:`COLUMNS`; ``source`` names where the figure came from
    (``reported``, ``breakdown:<dimension>``, ``activities``, ``cases``).
    Ordered by service, period start and end, then measure.
    """
    counted = _counted(programme, frames, period)
    figures = _figures_of_returns(frames, counted["return_id"].to_numpy(dtype="int64"))
    figures = figures[figures["used"].to_numpy(dtype=bool)]
    if measures is not None:
        figures = figures[figures["measure"].isin(list(measures))]
    heads = counted.set_index("return_id")
    position = heads.index.get_indexer(pd.Index(figures["return_id"].to_numpy(dtype=np.int64)))
    out = pd.DataFrame(
        {
            "return_id": figures["return_id"].array,
            "service_id": heads["service_id"].array.take(position),
            "period_label": heads["period_label"].array.take(position),
            "period_start": heads["period_start"].array.take(position),
            "period_end": heads["period_end"].array.take(position),
            "measure": figures["measure"].astype("string").array,
            "value": figures["value"].astype("Float64").array,
            "source": figures["source"].astype("string").array,
        }
    )
    return out.sort_values(
        ["service_id", "period_start", "period_end", "measure"], kind="stable"
    ).reset_index(drop=True)


def reconciliation_for(programme: Programme, frames: RecordFrames, period: Period) -> pd.DataFrame:
    """Where two sources of a figure disagree, for the returns counted for ``period``.

    :func:`hubspoke.figures.sources.reconciliation` of those returns: both
    figures, the one used and the difference, with a plain message.
    """
    counted = _counted(programme, frames, period)
    ids = counted["return_id"].to_numpy(dtype="int64")
    returns = frames.returns
    return reconcile(
        _figures_of_returns(frames, ids),
        returns[returns["return_id"].isin(ids).to_numpy(dtype=bool)].reset_index(drop=True),
    )


def _figures_of_returns(frames: RecordFrames, ids: np.ndarray[Any, Any]) -> pd.DataFrame:
    """The rows of ``figures_of(frames)`` for returns ``ids`` (a return's figures are its own)."""
    figures = figures_of(frames)
    keep = np.isin(figures["return_id"].to_numpy(dtype="int64"), ids)
    return figures[keep].reset_index(drop=True)
