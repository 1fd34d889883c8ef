"""Which returns count for an assessment period, column-wise.

The rules (the same as :mod:`hubspoke.indicators.evidence` has always stated):

- Several returns for the same service and the same dates (resubmissions)
  count once: the latest ``submitted_on`` wins (a return with no date loses
  to any dated one), then one marked ``replaces_earlier``, then the highest
  ``source_sha256`` (a fixed tie-break), then the highest ``return_id`` (the
  one imported last).
- A return counts for a period when its own period lies wholly *within* it:
  counts are not spread evenly over days, so partial overlaps are not
  prorated.
- A return whose period lies inside a wider counted return of the same
  service (a quarter inside an annual return) is left out: the wider return
  already covers those days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hubspoke.periods import Period

_KEY = ["service_id", "period_start", "period_end"]


def current_returns(returns: pd.DataFrame) -> pd.DataFrame:
    """The preferred return per service and dates (see the module rules), by service then dates."""
    if returns.empty:
        return returns.iloc[0:0].reset_index(drop=True)
    ranked = returns.assign(
        _submitted=returns["submitted_on"].fillna(pd.Timestamp.min),
        _replaces=returns["replaces_earlier"].fillna(False).astype("bool"),
        _sha=returns["source_sha256"].fillna(""),
    )
    ranked = ranked.sort_values(
        [*_KEY, "_submitted", "_replaces", "_sha", "return_id"], kind="stable"
    )
    kept = ranked.drop_duplicates(_KEY, keep="last")
    return kept.drop(columns=["_submitted", "_replaces", "_sha"]).reset_index(drop=True)


def counted_returns(returns: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The rows of ``returns`` (a ``RecordFrames.returns`` frame) that count for ``period``.

    Sorted by service, then period start and end; same columns and dtypes.
    """
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    inside = returns[(returns["period_start"] >= start) & (returns["period_end"] <= end)]
    current = current_returns(inside)
    if current.empty:
        return current
    pairs = current[["service_id", "return_id", "period_start", "period_end"]]
    both = pairs.merge(pairs, on="service_id", suffixes=("", "_o"))
    wider = (
        (both["period_start_o"] <= both["period_start"])
        & (both["period_end_o"] >= both["period_end"])
        & (
            (both["period_end_o"] - both["period_start_o"])
            > (both["period_end"] - both["period_start"])
        )
    )
    covered = both.loc[wider.to_numpy(dtype=bool), "return_id"].unique()
    kept = current[
        ~np.isin(current["return_id"].to_numpy(dtype="int64"), np.asarray(covered, dtype="int64"))
    ]
    return kept.reset_index(drop=True)


def counted_ids(
    returns: pd.DataFrame, period: Period
) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
    """The ``return_id`` of every return counted for ``period`` (see :func:`counted_returns`)."""
    ids: np.ndarray[tuple[int], np.dtype[np.int64]] = counted_returns(returns, period)[
        "return_id"
    ].to_numpy(dtype="int64")
    return ids
