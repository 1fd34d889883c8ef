"""Each return's figure per measure, from one documented source, and where sources disagree.

A return can say how many referrals it received in up to four ways: a
reported total, a breakdown (by referral source, by gender...), and, for a
few measures, activity records or case records. :func:`return_figures`
lists every candidate per return and measure and marks the one used; the
precedence is the measure's ``sources`` in the catalogue
(:class:`hubspoke.measures.Measure`), by default:

1. ``reported``: the sum of the return's total rows (no breakdown);
2. ``breakdown:<dimension>``: the sum of a breakdown over exactly one
   dimension, taken as complete (every code, "not recorded" included); when
   several one-dimension breakdowns exist, the first in
   :data:`hubspoke.measures.DIMENSIONS` order is used and the others are
   reconciled against it. Breakdowns over two dimensions at once are not
   summed;
3. ``activities``: attendees of the return's activity records of the
   measure's kinds (:data:`ACTIVITY_SOURCES`);
4. ``cases``: distinct case ids in the return's case records
   (:data:`CASE_SOURCES`).

``young_people_one_to_one`` is a distinct count and lists ``cases`` first
(see ``docs/indicators.md``). :func:`reconciliation` lists every return and
measure whose sources disagree, with a plain message: nothing is replaced
silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from hubspoke.figures.records import RecordFrames
from hubspoke.measures import DIMENSIONS, SOURCES, measures

#: Activity kinds whose attendees evidence a measure.
ACTIVITY_SOURCES: Final[Mapping[str, tuple[str, ...]]] = {
    "young_people_group_reached": ("group_work", "talk_to_young_people"),
    "professionals_trained": ("professional_training",),
    "professionals_awareness": ("awareness_raising",),
}

#: Measures case records evidence (distinct case ids; see :func:`case_counts`).
CASE_SOURCES: Final = ("referrals_received", "young_people_one_to_one")

#: Case support types counted as one-to-one work (a case with none is casework by default).
ONE_TO_ONE_CODES: Final = ("one_to_one", "both")

COLUMNS: Final = ("return_id", "service_id", "measure", "source", "value", "used")
DTYPES: Final = {
    "return_id": "Int64",
    "service_id": "string",
    "measure": "string",
    "source": "string",
    "value": "Float64",
    "used": "boolean",
}

RECONCILIATION_COLUMNS: Final = (
    "service_id",
    "period_label",
    "measure",
    "used_source",
    "used_value",
    "other_source",
    "other_value",
    "difference",
    "message",
)
RECONCILIATION_DTYPES: Final = {
    "service_id": "string",
    "period_label": "string",
    "measure": "string",
    "used_source": "string",
    "used_value": "Float64",
    "other_source": "string",
    "other_value": "Float64",
    "difference": "Float64",
    "message": "string",
}

_TOLERANCE: Final = 1e-9


def breakdown_dimension(values: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per values row: how many dimensions it is broken down by, and the first of them (index)."""
    if values.empty:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    known = np.column_stack([values[d].notna().to_numpy(dtype=bool) for d in DIMENSIONS])
    return known.sum(axis=1), known.argmax(axis=1)


def _long(
    return_id: pd.Series | np.ndarray, measure: object, source: object, value: object
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "return_id": np.asarray(return_id, dtype="int64"),
            "measure": measure,
            "source": source,
            "value": np.asarray(value, dtype="float64"),
        }
    )


def _value_candidates(values: pd.DataFrame) -> list[pd.DataFrame]:
    if values.empty:
        return []
    n_dims, first = breakdown_dimension(values)
    base = pd.DataFrame(
        {
            "return_id": values["return_id"].to_numpy(dtype="int64"),
            "measure": values["measure"].to_numpy(dtype=object),
            "value": values["value"].to_numpy(dtype="float64", na_value=np.nan),
        }
    )
    # summing in a fixed order (by value) keeps a sum independent of row order
    base = base.assign(_n=n_dims, _d=first).sort_values(
        ["return_id", "measure", "_d", "value"], kind="stable"
    )
    out = []
    totals = base[base["_n"] == 0]
    if len(totals):
        sums = totals.groupby(["return_id", "measure"], sort=False)["value"].sum().reset_index()
        out.append(_long(sums["return_id"], sums["measure"].to_numpy(), "reported", sums["value"]))
    split = base[base["_n"] == 1]
    if len(split):
        parts = split.groupby(["return_id", "measure", "_d"], sort=False)["value"].sum()
        sums = parts.reset_index()
        names = np.array([f"breakdown:{d}" for d in DIMENSIONS], dtype=object)
        out.append(
            _long(
                sums["return_id"],
                sums["measure"].to_numpy(),
                names[sums["_d"].to_numpy(dtype="int64")],
                sums["value"],
            )
        )
    return out


def _activity_candidates(activities: pd.DataFrame) -> list[pd.DataFrame]:
    if activities.empty:
        return []
    kind_to_measure = {k: m for m, kinds in ACTIVITY_SOURCES.items() for k in kinds}
    measure = activities["kind"].astype("string").map(kind_to_measure)
    picked = measure.notna().to_numpy(dtype=bool)
    if not picked.any():
        return []
    frame = pd.DataFrame(
        {
            "return_id": activities["return_id"].to_numpy(dtype="int64")[picked],
            "measure": measure.to_numpy(dtype=object)[picked],
            "value": activities["attendees"].to_numpy(dtype="float64", na_value=np.nan)[picked],
        }
    )
    sums = frame.groupby(["return_id", "measure"])["value"].sum().reset_index()
    return [_long(sums["return_id"], sums["measure"].to_numpy(), "activities", sums["value"])]


def case_ids(cases: pd.DataFrame) -> np.ndarray:
    """Each case row's ``case_id`` as an integer code (equal ids, equal codes; -1 for none)."""
    codes, _ = pd.factorize(cases["case_id"], use_na_sentinel=True)
    return np.asarray(codes, dtype="int64")


def _distinct_per_return(
    rid: np.ndarray,
    cid: np.ndarray,
    mask: np.ndarray,
    among: np.ndarray,
) -> np.ndarray:
    """Distinct case ids per return in ``among`` (sorted ids), counting rows where ``mask``.

    Every return of a masked row must be in ``among``.
    """
    position = np.searchsorted(among, rid[mask]).astype(np.int64)
    case = cid[mask].astype(np.int64) + 1  # -1 (no id) becomes 0
    span = int(case.max(initial=0)) + 1
    distinct = distinct_keys(position * span + case)
    counts = np.bincount(distinct // span, minlength=len(among))
    return counts.astype("float64")


def distinct_keys(keys: np.ndarray) -> np.ndarray:
    """The distinct values of integer ``keys``, sorted."""
    top = int(keys.max(initial=-1)) + 1
    if top <= 64_000_000 and int(keys.min(initial=0)) >= 0:  # a mark per key: linear, no sort
        marks = np.zeros(top, dtype=bool)
        marks[keys] = True
        found: np.ndarray = np.flatnonzero(marks).astype(np.int64)
        return found
    distinct: np.ndarray = np.sort(pd.unique(keys))  # hashing: far faster than np.unique here
    return distinct


def case_counts(cases: pd.DataFrame, codes: np.ndarray[Any, Any] | None = None) -> pd.DataFrame:
    """Per return with case records: distinct case ids for the measures of :data:`CASE_SOURCES`.

    ``young_people_one_to_one``: cases whose support type is one-to-one,
    both, or not given; a candidate for every return with any case record.
    ``referrals_received``: cases referred within the return's own period; a
    candidate for every return with a case that has a referral date.
    """
    if cases.empty:
        return _long(np.zeros(0), np.zeros(0, dtype=object), "cases", np.zeros(0))
    rid = cases["return_id"].to_numpy(dtype="int64")
    cid = case_ids(cases) if codes is None else codes
    support = cases["support_type"]
    one = (support.isna() | support.isin(ONE_TO_ONE_CODES)).to_numpy(dtype=bool)
    dated = cases["referral_date"].notna().to_numpy(dtype=bool)
    within = (
        dated
        & (cases["referral_date"] >= cases["period_start"]).to_numpy(dtype=bool, na_value=False)
        & (cases["referral_date"] <= cases["period_end"]).to_numpy(dtype=bool, na_value=False)
    )
    with_cases = distinct_keys(rid)
    with_dates = distinct_keys(rid[dated])
    return pd.concat(
        [
            _long(
                with_cases,
                "young_people_one_to_one",
                "cases",
                _distinct_per_return(rid, cid, one, with_cases),
            ),
            _long(
                with_dates,
                "referrals_received",
                "cases",
                _distinct_per_return(rid, cid, within, with_dates),
            ),
        ],
        ignore_index=True,
    )


def _ranks(candidates: pd.DataFrame) -> pd.Series:
    """Precedence rank of each candidate (lower first); NA where the measure does not list it."""
    combos = candidates[["measure", "source"]].drop_duplicates()
    catalogue = measures()
    rank: list[float] = []
    for m, s in zip(combos["measure"], combos["source"], strict=True):
        listed = catalogue[m].sources if m in catalogue else SOURCES
        family, _, dim = str(s).partition(":")
        if family not in listed:
            rank.append(np.nan)
        else:
            rank.append(listed.index(family) * 100 + (DIMENSIONS.index(dim) if dim else 0))
    table = combos.assign(_rank=rank)
    merged = candidates.merge(table, on=["measure", "source"], how="left")
    return merged["_rank"]


def _empty_figures() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in DTYPES.items()})


def return_figures(
    frames: RecordFrames, case_codes: np.ndarray[Any, Any] | None = None
) -> pd.DataFrame:
    """Every candidate figure per return and measure, with the one used marked.

    Columns ``return_id, service_id, measure, source, value, used`` (see
    :data:`DTYPES`), one row per return, measure and source, ordered by
    return id, measure, then precedence (the used row first). ``source`` is
    ``reported``, ``breakdown:<dimension>``, ``activities`` or ``cases``.
    Sources a measure's catalogue entry does not list are not candidates.
    ``case_codes``: :func:`case_ids` of ``frames.cases``, if already computed.
    """
    parts = [
        *_value_candidates(frames.values),
        *_activity_candidates(frames.activities),
    ]
    if not frames.cases.empty:
        parts.append(case_counts(frames.cases, case_codes))
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty_figures()
    candidates = pd.concat(parts, ignore_index=True)
    candidates = candidates.assign(_rank=_ranks(candidates).to_numpy())
    candidates = candidates.loc[candidates["_rank"].notna().to_numpy(dtype=bool)]
    candidates = candidates.sort_values(["return_id", "measure", "_rank"], kind="stable")
    used = ~candidates.duplicated(["return_id", "measure"], keep="first")
    service = pd.Series(
        frames.returns["service_id"].to_numpy(),
        index=frames.returns["return_id"].to_numpy(dtype="int64"),
    )
    rid = candidates["return_id"].to_numpy(dtype="int64")
    return pd.DataFrame(
        {
            "return_id": pd.array(rid, dtype="Int64"),
            "service_id": pd.array(service.reindex(rid).to_numpy(), dtype="string"),
            "measure": pd.array(candidates["measure"].to_numpy(), dtype="string"),
            "source": pd.array(candidates["source"].to_numpy(), dtype="string"),
            "value": pd.array(candidates["value"].to_numpy(), dtype="Float64"),
            "used": pd.array(used.to_numpy(dtype=bool), dtype="boolean"),
        }
    )


def used_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """The used rows of :func:`return_figures` (one per return and measure)."""
    picked: pd.DataFrame = figures[figures["used"].to_numpy(dtype=bool, na_value=False)]
    return picked.reset_index(drop=True)


# -- reconciliation ---------------------------------------------------------------------------


def _label(measure_id: str) -> str:
    found = measures().get(measure_id)
    if found is None:
        return measure_id
    return found.label[:1].lower() + found.label[1:]


def _num(x: float) -> str:
    return f"{round(x):,}" if abs(x - round(x)) < _TOLERANCE else f"{x:,.2f}"


def source_phrase(source: str) -> str:
    """Where a figure came from, in words: "reported", "from the breakdown by gender"..."""
    family, _, dim = source.partition(":")
    return {
        "reported": "reported",
        "breakdown": f"from the breakdown by {dim.replace('_', ' ')}",
        "activities": "from activity records",
        "cases": "from case records",
    }.get(family, source)


def _more(source: str) -> str:
    family, _, dim = source.partition(":")
    return {
        "reported": "reported",
        "breakdown": f"in the breakdown by {dim.replace('_', ' ')}",
        "activities": "in activity records",
        "cases": "in case records",
    }.get(family, source)


def _which(source: str) -> str:
    family, _, dim = source.partition(":")
    return {
        "reported": "the reported figure",
        "breakdown": f"the breakdown by {dim.replace('_', ' ')}",
        "activities": "the activity records' figure",
        "cases": "the case records' figure",
    }.get(family, source)


def reconciliation_message(
    service_id: str,
    period_label: str,
    measure: str,
    used_source: str,
    used_value: float,
    other_source: str,
    other_value: float,
) -> str:
    """ "S12 2015-16 Q2: referrals received: 25 reported, 19 from case records (6 more
    reported); the reported figure is used"."""
    diff = used_value - other_value
    side = "more" if diff > 0 else "fewer"
    return (
        f"{service_id} {period_label}: {_label(measure)}: {_num(used_value)} "
        f"{source_phrase(used_source)}, {_num(other_value)} {source_phrase(other_source)} "
        f"({_num(abs(diff))} {side} {_more(used_source)}); {_which(used_source)} is used"
    )


def reconcile(figures: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """:func:`reconciliation` from already computed :func:`return_figures`."""
    used = figures[figures["used"].to_numpy(dtype=bool, na_value=False)]
    other = figures[~figures["used"].to_numpy(dtype=bool, na_value=False)]
    pairs = used.merge(
        other[["return_id", "measure", "source", "value"]],
        on=["return_id", "measure"],
        suffixes=("", "_o"),
        sort=False,
    )
    u = pairs["value"].to_numpy(dtype="float64", na_value=np.nan)
    o = pairs["value_o"].to_numpy(dtype="float64", na_value=np.nan)
    bad = np.abs(u - o) > _TOLERANCE * np.maximum(1.0, np.abs(u))
    pairs = pairs[bad]
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in RECONCILIATION_DTYPES.items()})
    pairs = pairs.merge(
        returns[["return_id", "period_label", "period_start"]], on="return_id", how="left"
    ).sort_values(["service_id", "period_start", "return_id", "measure"], kind="stable")
    diff = pairs["value"].to_numpy(dtype="float64") - pairs["value_o"].to_numpy(dtype="float64")
    messages = [
        reconciliation_message(*row)
        for row in zip(
            pairs["service_id"].astype(str),
            pairs["period_label"].astype(str),
            pairs["measure"].astype(str),
            pairs["source"].astype(str),
            pairs["value"].to_numpy(dtype="float64"),
            pairs["source_o"].astype(str),
            pairs["value_o"].to_numpy(dtype="float64"),
            strict=True,
        )
    ]
    out = pd.DataFrame(
        {
            "service_id": pairs["service_id"].to_numpy(),
            "period_label": pairs["period_label"].to_numpy(),
            "measure": pairs["measure"].to_numpy(),
            "used_source": pairs["source"].to_numpy(),
            "used_value": pairs["value"].to_numpy(),
            "other_source": pairs["source_o"].to_numpy(),
            "other_value": pairs["value_o"].to_numpy(),
            "difference": diff,
            "message": messages,
        }
    )
    return out.astype(RECONCILIATION_DTYPES).reset_index(drop=True)


def reconciliation(frames: RecordFrames) -> pd.DataFrame:
    """One row per return, measure and source that disagrees with the figure used.

    Columns: ``service_id, period_label, measure, used_source, used_value,
    other_source, other_value, difference`` (used - other) and ``message``,
    e.g. "S12 2015-16 Q2: referrals received: 25 reported, 19 from case
    records (6 more reported); the reported figure is used". Ordered by
    service, period start, return id, measure, then precedence. Every return
    in ``frames`` is checked: pass the current returns (one per service and
    dates) to reconcile what is published.
    """
    return reconcile(return_figures(frames), frames.returns)
