"""The tidy figures frame: every key-outcome figure by level, unit and (sub-)period, in one call.

:func:`figures_frame` is what ``hubspoke score --level/--measure``, the
report's phase and hub sections and :meth:`Workspace.figures
<hubspoke.workspace.Workspace.figures>` all read. It is the key outcomes
(:func:`~hubspoke.indicators.outcomes.key_outcomes_from_frames`, the one
derivation) with, on every row:

- the period the row is about (``period_label``, ``period_start``,
  ``period_end``): the requested period, or with ``by="quarter"`` /
  ``by="year"`` each financial quarter or year within it. Figures of a
  sub-period are computed for that sub-period; distinct counts of young
  people (``distinct`` True) are distinct over the row's own period and
  must never be added up across sub-periods;
- a readable ``unit_label`` ("Phase 1", "H03 Northmoor CSE service");
- the ``kind`` of figure: ``count``, ``share``, ``mean``, ``rate`` (per
  spoke FTE) or ``change`` (on the previous period);
- for shares, the Wilson 95% interval ``ci_low``, ``ci_high``
  (:func:`~hubspoke.figures.uncertainty.wilson_interval`);
- for the count measures of
  :data:`~hubspoke.figures.uncertainty.ESTIMATED_MEASURES`, when returns are
  missing: ``missing_returns``, an ``estimate`` adjusted for them with its
  bounds ``estimate_low``, ``estimate_high`` and ``estimate_method``. The
  observed ``value`` is never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
import pandas as pd

from hubspoke.errors import DataValidationError
from hubspoke.figures.records import RecordFrames
from hubspoke.figures.uncertainty import (
    ESTIMATED_MEASURES,
    MEDIAN_RATE,
    MIXED_RATE,
    OWN_RATE,
    missing_return_estimates,
    wilson_interval,
)
from hubspoke.indicators.rubric import DEFAULT_RUBRIC, Rubric
from hubspoke.model import Programme
from hubspoke.periods import Period, sub_periods

LEVELS: Final = ("programme", "phase", "hub", "spoke")
BY: Final = ("year", "quarter")

#: Measures (before any ``:detail``) whose value is a share numerator / denominator.
SHARES: Final = frozenset(
    {
        "sustainable_funding",
        "embedded",
        "distinct_identity",
        "risk_fell",
        "risk_stayed",
        "risk_rose",
        "goals_met",
        "goals_partly_met",
        "goals_not_met",
        "confidence_improved",
        "reliably_improved",
        "reliably_deteriorated",
    }
)
#: Measures whose value is a mean.
MEANS: Final = frozenset({"confidence_change", "distance"})
#: Distinct counts of people: never to be summed across sub-periods.
DISTINCT: Final = frozenset({"young_people_one_to_one"})

COLUMNS: Final = (
    "period_label",
    "period_start",
    "period_end",
    "level",
    "unit_id",
    "unit_label",
    "outcome",
    "measure",
    "kind",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "distinct",
    "returns_received",
    "returns_expected",
    "completeness",
    "missing_returns",
    "estimate",
    "estimate_low",
    "estimate_high",
    "estimate_method",
    "note",
)
DTYPES: Final = {
    "period_label": "string",
    "period_start": "datetime64[ns]",
    "period_end": "datetime64[ns]",
    "level": "string",
    "unit_id": "string",
    "unit_label": "string",
    "outcome": "Int64",
    "measure": "string",
    "kind": "string",
    "value": "Float64",
    "numerator": "Float64",
    "denominator": "Float64",
    "ci_low": "Float64",
    "ci_high": "Float64",
    "distinct": "boolean",
    "returns_received": "Int64",
    "returns_expected": "Int64",
    "completeness": "Float64",
    "missing_returns": "Int64",
    "estimate": "Float64",
    "estimate_low": "Float64",
    "estimate_high": "Float64",
    "estimate_method": "string",
    "note": "string",
}


def figure_kind(measure: str) -> str:
    """``count``, ``share``, ``mean``, ``rate`` or ``change`` for a key-outcome measure id."""
    base = measure.split(":", 1)[0]
    if base in SHARES:
        return "share"
    if base in MEANS:
        return "mean"
    if base.endswith("_per_fte"):
        return "rate"
    if base.endswith("_change"):
        return "change"
    return "count"


def _levels(level: str | Iterable[str] | None) -> list[str]:
    chosen = list(LEVELS) if level is None else [level] if isinstance(level, str) else list(level)
    unknown = [x for x in chosen if x not in LEVELS]
    if unknown:
        raise DataValidationError(f"level {unknown[0]!r} is not one of: {', '.join(LEVELS)}")
    return chosen


def _unit_labels(programme: Programme) -> dict[tuple[str, str], str]:
    labels: dict[tuple[str, str], str] = {("programme", programme.name): programme.name}
    for hub in programme.hubs:
        labels[("hub", hub.id)] = f"{hub.id} {hub.service_name}"
        labels[("phase", f"phase-{hub.phase}")] = f"Phase {hub.phase}"
    for spoke in programme.spokes:
        labels[("spoke", spoke.id)] = f"{spoke.id} {spoke.area.name}"
    return labels


def _one_period(
    programme: Programme,
    frames: RecordFrames,
    period: Period,
    rubric: Rubric,
    levels: Sequence[str],
) -> pd.DataFrame:
    from hubspoke.indicators.outcomes import key_outcomes_from_frames

    found = key_outcomes_from_frames(programme, frames, period, rubric)
    found = found[found["level"].isin(levels).to_numpy(dtype=bool)].reset_index(drop=True)
    n = len(found)
    measure = found["measure"].astype(str)
    kind = measure.map(figure_kind)
    share = (kind == "share").to_numpy(dtype=bool)
    low, high = wilson_interval(
        found["numerator"].to_numpy(dtype="float64", na_value=np.nan),
        found["denominator"].to_numpy(dtype="float64", na_value=np.nan),
    )
    labels = _unit_labels(programme)
    out = pd.DataFrame(
        {
            "period_label": [period.label] * n,
            "period_start": [pd.Timestamp(period.start)] * n,
            "period_end": [pd.Timestamp(period.end)] * n,
            "level": found["level"].array,
            "unit_id": found["unit_id"].array,
            "unit_label": [
                labels.get((str(lv), str(u)), str(u))
                for lv, u in zip(found["level"], found["unit_id"], strict=True)
            ],
            "outcome": found["outcome"].array,
            "measure": found["measure"].array,
            "kind": kind.to_numpy(dtype=object),
            "value": found["value"].array,
            "numerator": found["numerator"].array,
            "denominator": found["denominator"].array,
            "ci_low": np.where(share, low, np.nan),
            "ci_high": np.where(share, high, np.nan),
            "distinct": measure.isin(sorted(DISTINCT)).to_numpy(dtype=bool),
            "returns_received": found["returns_received"].array,
            "returns_expected": found["returns_expected"].array,
            "completeness": found["completeness"].array,
            "note": found["note"].array,
        }
    )
    out = _with_estimates(programme, frames, period, out)
    return out.loc[:, list(COLUMNS)].astype(DTYPES)


def _with_estimates(
    programme: Programme, frames: RecordFrames, period: Period, out: pd.DataFrame
) -> pd.DataFrame:
    estimates = missing_return_estimates(programme, frames, period)
    n = len(out)
    missing = np.zeros(n, dtype="int64")
    imputed = np.zeros(n)
    imputed_high = np.zeros(n)
    methods = np.full(n, None, dtype=object)
    spokes = {s.id: s for s in programme.spokes}
    phases = {h.id: h.phase for h in programme.hubs}
    # each spoke's missing returns, once per spoke whatever the measure
    if len(estimates):
        by_spoke = estimates.drop_duplicates("service_id").set_index("service_id")[
            "missing_returns"
        ]
        est = estimates.set_index(["service_id", "measure"])
        unit_of = {
            sid: {
                "spoke": sid,
                "hub": spokes[sid].hub_id,
                "phase": f"phase-{phases.get(spokes[sid].hub_id)}",
                "programme": programme.name,
            }
            for sid in by_spoke.index
            if sid in spokes
        }
        rows = pd.DataFrame(
            [
                {"level": lv, "unit_id": unit, "service_id": sid}
                for sid, units in unit_of.items()
                for lv, unit in units.items()
            ]
        )
        keyed = pd.MultiIndex.from_arrays([out["level"].astype(str), out["unit_id"].astype(str)])
        if len(rows):
            counts = (
                rows.assign(n=rows["service_id"].map(by_spoke))
                .groupby(["level", "unit_id"])["n"]
                .sum()
            )
            missing = counts.reindex(keyed).fillna(0).to_numpy(dtype="int64")
            long = rows.merge(est.reset_index(), on="service_id")
            long["own"] = long["method"] == OWN_RATE
            summed = long.groupby(["level", "unit_id", "measure"]).agg(
                imputed=("imputed", "sum"),
                imputed_high=("imputed_high", "sum"),
                all_own=("own", "all"),
                any_own=("own", "any"),
            )
            key3 = pd.MultiIndex.from_arrays(
                [out["level"].astype(str), out["unit_id"].astype(str), out["measure"].astype(str)]
            )
            picked = summed.reindex(key3)
            imputed = picked["imputed"].to_numpy(dtype="float64", na_value=np.nan)
            imputed_high = picked["imputed_high"].to_numpy(dtype="float64", na_value=np.nan)
            all_own = picked["all_own"].to_numpy(dtype=object) == True  # noqa: E712
            any_own = picked["any_own"].to_numpy(dtype=object) == True  # noqa: E712
            methods = np.where(all_own, OWN_RATE, np.where(any_own, MIXED_RATE, MEDIAN_RATE))
    estimated = out["measure"].isin(list(ESTIMATED_MEASURES)).to_numpy(dtype=bool) & (missing > 0)
    observed = out["value"].to_numpy(dtype="float64", na_value=np.nan)
    base = np.where(np.isnan(observed), 0.0, observed)
    imputed = np.nan_to_num(np.asarray(imputed, dtype="float64"))
    imputed_high = np.nan_to_num(np.asarray(imputed_high, dtype="float64"))
    out["missing_returns"] = missing
    out["estimate"] = np.where(estimated, base + imputed, np.nan)
    out["estimate_low"] = np.where(estimated, base, np.nan)
    out["estimate_high"] = np.where(estimated, base + imputed_high, np.nan)
    out["estimate_method"] = pd.Series(methods, dtype=object).where(estimated, None).to_numpy()
    return out


def figures_frame(
    programme: Programme,
    frames: RecordFrames,
    period: Period,
    *,
    level: str | Iterable[str] | None = None,
    by: str | None = None,
    measures: Iterable[str] | None = None,
    rubric: Rubric = DEFAULT_RUBRIC,
) -> pd.DataFrame:
    """Every key-outcome figure of ``period`` as one tidy frame (see the module docstring).

    ``level``: one of :data:`LEVELS` (or several); default all, in the key
    outcomes' order (spokes, hubs, phases, programme). ``by``: ``"quarter"``
    or ``"year"`` for one block of rows per financial quarter or year within
    ``period`` (clipped to it), oldest first; default one block for the whole
    period. ``measures``: keep only these measure ids (a ``name`` also keeps
    its ``name:detail`` breakdowns). Columns :data:`COLUMNS`, dtypes
    :data:`DTYPES`.
    """
    levels = _levels(level)
    if by is not None and by not in BY:
        raise DataValidationError(f"by {by!r} is not one of: {', '.join(BY)}")
    periods = (period,) if by is None else sub_periods(period, by)
    parts = [_one_period(programme, frames, p, rubric, levels) for p in periods]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))
    if measures is not None:
        wanted = list(measures)
        base = out["measure"].astype(str).str.split(":").str[0]
        out = out[(out["measure"].isin(wanted) | base.isin(wanted)).to_numpy(dtype=bool)]
    return out.reset_index(drop=True).astype(DTYPES)


__all__ = ["BY", "COLUMNS", "DTYPES", "LEVELS", "figure_kind", "figures_frame"]
