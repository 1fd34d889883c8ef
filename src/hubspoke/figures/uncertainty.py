"""Uncertainty beside the figures: Wilson intervals for shares, estimates for missing returns.

**Wilson 95% interval** (:func:`wilson_interval`) for a share ``k`` of ``n``:
``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = k/n``
and ``z = 1.959964``. Unlike the normal ("Wald") interval it stays inside
[0, 1] and is honest for small ``n`` and for shares of 0 or 1, which is
what a programme of 53 spokes has.

**Missing returns** (:func:`missing_return_estimates`): an expected return
(the programme's register) of an active spoke, lying within the period, that
no counted return of the spoke covers is *missing*. For each count measure
the observed total is kept as it is, and beside it:

- ``estimate``: observed + for each missing return, the spoke's own figure
  per day (the sum of its used figures over every return it sent for the
  measure, in any period, divided by those returns' days; for young people
  given one-to-one support, its distinct young people over all its returns
  per day) times the missing return's days: **ratio imputation from the
  same service's other periods**. A spoke with no figure for the measure in
  any return takes the median figure per day of the spokes that have one
  (``method`` says which).
- ``estimate_low``: the observed total (a missing return adds 0 or more).
- ``estimate_high``: observed + the highest figure per day the spoke (or,
  without one, any spoke) reported in a single return, times the missing
  days: every missing return as busy as the spoke's busiest one.

Estimates are labelled as estimates and never replace the observed figure.
All of it is column operations over the spokes' returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from hubspoke.figures.counted import counted_returns
from hubspoke.figures.facts import evidence, one_to_one
from hubspoke.figures.records import RecordFrames
from hubspoke.model import Programme
from hubspoke.periods import Period, date_range

#: z for a two-sided 95% interval.
Z95: Final = 1.959963984540054

#: Count measures given an estimate adjusted for missing returns.
ESTIMATED_MEASURES: Final = (
    "young_people_one_to_one",
    "young_people_group_reached",
    "referrals_received",
    "professionals_trained",
    "professionals_awareness",
)

#: ``method`` of an estimate from the spoke's own returns.
OWN_RATE: Final = "ratio imputation: the spoke's own figure per day in its other returns"
#: ``method`` of an estimate for a spoke with no figure for the measure anywhere.
MEDIAN_RATE: Final = (
    "ratio imputation: the median figure per day of the spokes reporting the measure "
    "(this spoke reported none)"
)
#: ``method`` of an estimate for a unit whose spokes used both.
MIXED_RATE: Final = (
    "ratio imputation: each spoke's own figure per day in its other returns, or the median "
    "of the spokes reporting the measure where a spoke reported none"
)

Array = np.ndarray[Any, Any]


def wilson_interval(k: Any, n: Any, z: float = Z95) -> tuple[Array, Array]:
    """Wilson score interval of the shares ``k / n`` (arrays or numbers); NaN where ``n`` is 0."""
    k_ = np.asarray(k, dtype="float64")
    n_ = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k_ / n_
        z2 = z * z
        centre = (p + z2 / (2 * n_)) / (1 + z2 / n_)
        half = z * np.sqrt(p * (1 - p) / n_ + z2 / (4 * n_ * n_)) / (1 + z2 / n_)
    ok = n_ > 0
    low = np.where(ok, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(ok, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def _whole_span(frames: RecordFrames) -> Period | None:
    returns = frames.returns
    if returns.empty:
        return None
    return date_range(returns["period_start"].min().date(), returns["period_end"].max().date())


def _rates(frames: RecordFrames, measures: Sequence[str]) -> pd.DataFrame:
    """Per service and measure: ``rate`` (figure per day) and ``top`` (highest in one return)."""
    span = _whole_span(frames)
    columns = ["service_id", "measure", "rate", "top"]
    if span is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    ev = evidence(frames, span)
    used = ev.used[ev.used["measure"].isin(list(measures)).to_numpy(dtype=bool)]
    used = used[used["value"].notna().to_numpy(dtype=bool)]
    days = (used["period_end"] - used["period_start"]).dt.days.to_numpy(dtype="float64") + 1
    per = pd.DataFrame(
        {
            "service_id": used["service_id"].to_numpy(dtype=object),
            "measure": used["measure"].to_numpy(dtype=object),
            "value": used["value"].to_numpy(dtype="float64", na_value=np.nan),
            "days": days,
        }
    )
    per["per_day"] = per["value"] / per["days"]
    grouped = per.groupby(["service_id", "measure"], sort=True).agg(
        value=("value", "sum"), days=("days", "sum"), top=("per_day", "max")
    )
    if "young_people_one_to_one" in measures and len(grouped):
        distinct = one_to_one(ev)["value"]
        keys = grouped.index.get_level_values("measure") == "young_people_one_to_one"
        services = grouped.index.get_level_values("service_id")[keys]
        grouped.loc[keys, "value"] = distinct.reindex(services).to_numpy(dtype="float64")
    grouped["rate"] = grouped["value"] / grouped["days"]
    return grouped.reset_index()[columns]


def missing_returns(programme: Programme, frames: RecordFrames, period: Period) -> pd.DataFrame:
    """Expected returns of active spokes within ``period`` that no counted return covers.

    Columns ``service_id, period_label, period_start, period_end, days``.
    """
    from hubspoke.indicators.derive import spoke_active

    active = {s.id for s in programme.spokes if spoke_active(s, period)}
    expected = [
        e
        for e in programme.expected_returns
        if e.service_id in active and period.contains_period(e.period)
    ]
    head = pd.DataFrame(
        {
            "service_id": pd.Series([e.service_id for e in expected], dtype=object),
            "period_label": pd.Series([e.period.label for e in expected], dtype=object),
            "period_start": pd.to_datetime(pd.Series([e.period.start for e in expected])),
            "period_end": pd.to_datetime(pd.Series([e.period.end for e in expected])),
        }
    ).drop_duplicates(["service_id", "period_start", "period_end"])
    if head.empty:
        return head.assign(days=pd.Series(dtype="int64"))
    counted = counted_returns(frames.returns, period)[["service_id", "period_start", "period_end"]]
    both = (
        head.reset_index(drop=True)
        .reset_index(names="_k")
        .merge(
            counted.astype({"service_id": object}), on="service_id", how="left", suffixes=("", "_r")
        )
    )
    covers = (both["period_start_r"] <= both["period_start"]) & (
        both["period_end_r"] >= both["period_end"]
    )
    covered = set(both.loc[covers.fillna(False).to_numpy(dtype=bool), "_k"])
    out = head.reset_index(drop=True)
    out = out[~out.index.isin(sorted(covered))].reset_index(drop=True)
    out["days"] = (out["period_end"] - out["period_start"]).dt.days.astype("int64") + 1
    return out.sort_values(["service_id", "period_start"], kind="stable").reset_index(drop=True)


def missing_return_estimates(
    programme: Programme,
    frames: RecordFrames,
    period: Period,
    measures: Iterable[str] = ESTIMATED_MEASURES,
) -> pd.DataFrame:
    """Per spoke with a missing return and measure: what the missing returns would add.

    Columns ``service_id, measure, missing_returns, missing_days, imputed``
    (rate x missing days), ``imputed_high`` (highest rate x missing days),
    ``method`` (:data:`OWN_RATE` or :data:`MEDIAN_RATE`). See the module docstring.
    """
    wanted = list(dict.fromkeys(measures))
    gone = missing_returns(programme, frames, period)
    columns = [
        "service_id",
        "measure",
        "missing_returns",
        "missing_days",
        "imputed",
        "imputed_high",
        "method",
    ]
    if gone.empty or not wanted:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    per_service = gone.groupby("service_id", sort=True).agg(
        missing_returns=("days", "size"), missing_days=("days", "sum")
    )
    rates = _rates(frames, wanted)
    grid = pd.MultiIndex.from_product(
        [per_service.index, wanted], names=["service_id", "measure"]
    ).to_frame(index=False)
    grid = grid.merge(per_service.reset_index(), on="service_id").merge(
        rates, on=["service_id", "measure"], how="left"
    )
    median = rates.groupby("measure")["rate"].median()
    highest = rates.groupby("measure")["top"].max()
    own = grid["rate"].notna()
    rate = grid["rate"].fillna(grid["measure"].map(median)).astype("float64").fillna(0.0)
    top = grid["top"].fillna(grid["measure"].map(highest)).astype("float64").fillna(0.0)
    days = grid["missing_days"].to_numpy(dtype="float64")
    out = pd.DataFrame(
        {
            "service_id": grid["service_id"].astype(str),
            "measure": grid["measure"].astype(str),
            "missing_returns": grid["missing_returns"].astype("int64"),
            "missing_days": grid["missing_days"].astype("int64"),
            "imputed": rate.to_numpy() * days,
            "imputed_high": top.to_numpy() * days,
            "method": np.where(own.to_numpy(dtype=bool), OWN_RATE, MEDIAN_RATE),
        }
    )
    return out.reset_index(drop=True)


__all__ = [
    "ESTIMATED_MEASURES",
    "MEDIAN_RATE",
    "MIXED_RATE",
    "OWN_RATE",
    "Z95",
    "missing_return_estimates",
    "missing_returns",
    "wilson_interval",
]
