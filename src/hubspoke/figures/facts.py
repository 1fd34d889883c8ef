"""The evidence behind the indicators and the six outcome measures, for every service at once.

Everything here is a pandas/numpy column operation over
:class:`~hubspoke.figures.records.RecordFrames`: no Python object is built
per record. :class:`Evidence` holds one period's counted returns
(:mod:`hubspoke.figures.counted`) and their used figures
(:mod:`hubspoke.figures.sources`); each function returns one row per
service (indexed by ``service_id``) with raw counts and sums, never shares,
so that roll-ups pool evidence.

Sums are taken in a fixed order (service, then period, then value), so a
result never depends on the order of returns or records. Where one record
must be picked among equals (a case listed twice in one return), the pick
is by every column's value, never by position.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from hubspoke.codes import AGENCY_REFERRAL_SOURCES, RISK_ORDER
from hubspoke.figures.counted import counted_returns
from hubspoke.figures.records import RecordFrames
from hubspoke.figures.sources import ONE_TO_ONE_CODES, case_ids, distinct_keys, return_figures
from hubspoke.measures import DIMENSIONS
from hubspoke.periods import Period, date_range

NOT_RECORDED: Final = "not_recorded"
HIGH: Final = RISK_ORDER["high"]

Array = np.ndarray[Any, Any]

_FIGURES: weakref.WeakKeyDictionary[RecordFrames, pd.DataFrame] = weakref.WeakKeyDictionary()
_CASE_CODES: weakref.WeakKeyDictionary[RecordFrames, Array] = weakref.WeakKeyDictionary()


def figures_of(frames: RecordFrames) -> pd.DataFrame:
    """:func:`~hubspoke.figures.sources.return_figures` of ``frames``, computed once per frames."""
    held = _FIGURES.get(frames)
    if held is None:
        held = return_figures(frames, case_codes(frames))
        _FIGURES[frames] = held
    return held


_SERVICE_CODES: weakref.WeakKeyDictionary[RecordFrames, tuple[Array, list[str]]] = (
    weakref.WeakKeyDictionary()
)


def service_codes_of(frames: RecordFrames) -> tuple[Array, list[str]]:
    """Each case row's service as a code into the sorted service ids (once per frames)."""
    held = _SERVICE_CODES.get(frames)
    if held is None:
        codes, names = pd.factorize(frames.cases["service_id"], sort=True)
        held = (np.asarray(codes, dtype=np.int64), [str(n) for n in names])
        _SERVICE_CODES[frames] = held
    return held


def case_codes(frames: RecordFrames) -> Array:
    """Each row of ``frames.cases``: its ``case_id`` as an integer code (-1 for none), made once."""
    held = _CASE_CODES.get(frames)
    if held is None:
        held = case_ids(frames.cases)
        _CASE_CODES[frames] = held
    return held


@attrs.frozen(kw_only=True, eq=False)
class Evidence:
    """One period's counted returns of every service and what they say.

    ``counted``: the counted rows of ``frames.returns``; ``figures``: their
    :func:`~hubspoke.figures.sources.return_figures` rows with the return's
    ``period_start``/``period_end``; ``used``: the used figure per return
    and measure.
    """

    frames: RecordFrames
    period: Period
    counted: pd.DataFrame
    figures: pd.DataFrame
    used: pd.DataFrame

    def mask(self, kind: str) -> Array:
        """Which rows of a record frame belong to counted returns."""
        ids = self.frames.records(kind)["return_id"].to_numpy(dtype="int64")
        mask: Array = np.isin(ids, self.counted["return_id"].to_numpy(dtype="int64"))
        return mask


_EVIDENCE: weakref.WeakKeyDictionary[RecordFrames, dict[tuple[date, date], Evidence]] = (
    weakref.WeakKeyDictionary()
)
#: What is derived from one Evidence (latest case records, referrals, ...), once each.
_OF_EVIDENCE: weakref.WeakKeyDictionary[Evidence, dict[str, Any]] = weakref.WeakKeyDictionary()


def evidence(frames: RecordFrames, period: Period) -> Evidence:
    """The :class:`Evidence` of ``frames`` for ``period``.

    Made once per frames and period: the score, the outcomes, the figures
    frame and the report of one command share it (and what is derived from
    it). Treat it and its frames as read-only.
    """
    per_period = _EVIDENCE.setdefault(frames, {})
    key = (period.start, period.end)
    held = per_period.get(key)
    if held is None:
        held = _evidence(frames, period)
        per_period[key] = held
    return held


def once_per_evidence(ev: Evidence, name: str, make: Any) -> Any:
    """``make(ev)``, once per evidence (shared: callers must not modify it)."""
    held = _OF_EVIDENCE.setdefault(ev, {})
    if name not in held:
        held[name] = make(ev)
    return held[name]


_DATED: weakref.WeakKeyDictionary[RecordFrames, pd.DataFrame] = weakref.WeakKeyDictionary()


def _dated_figures(frames: RecordFrames) -> pd.DataFrame:
    """Every return's figures with its period dates, sorted, once per frames.

    Sorted (stably) by service, period start and end, measure and value: a
    period's evidence keeps its returns' rows, which are then in that order
    too, so no period sorts again.
    """
    held = _DATED.get(frames)
    if held is None:
        dates = frames.returns[["return_id", "period_start", "period_end"]]
        held = figures_of(frames).merge(dates, on="return_id", how="inner")
        held = held.sort_values(
            ["service_id", "period_start", "period_end", "measure", "value"], kind="stable"
        ).reset_index(drop=True)
        _DATED[frames] = held
    return held


def _evidence(frames: RecordFrames, period: Period) -> Evidence:
    counted = counted_returns(frames.returns, period)
    every = _dated_figures(frames)
    inside = np.isin(
        every["return_id"].to_numpy(dtype="int64"), counted["return_id"].to_numpy(dtype="int64")
    )
    figures = every[inside].reset_index(drop=True)
    used = figures[figures["used"].to_numpy(dtype=bool, na_value=False)].reset_index(drop=True)
    return Evidence(frames=frames, period=period, counted=counted, figures=figures, used=used)


def all_returns_evidence(frames: RecordFrames) -> Evidence:
    """Evidence of every return in ``frames`` as given (no period, no counting rules)."""
    returns = frames.returns
    figures = _dated_figures(frames).copy()
    used = figures[figures["used"].to_numpy(dtype=bool, na_value=False)].reset_index(drop=True)
    start = returns["period_start"].min()
    end = returns["period_end"].max()
    period = (
        date_range(start.date(), end.date())
        if len(returns)
        else date_range(date(2000, 1, 1), date(2000, 1, 1))
    )
    return Evidence(frames=frames, period=period, counted=returns, figures=figures, used=used)


def _family(source: pd.Series) -> Array:
    """The source family of each figure ("breakdown:gender" -> "breakdown")."""
    text = source.astype(object).to_numpy()
    names = {str(v): str(v).partition(":")[0] for v in pd.unique(text)}
    return np.asarray(pd.Series(text, dtype=object).map(names).to_numpy(), dtype=object)


# -- sums of used figures -------------------------------------------------------------------


def sourced(ev: Evidence, measure: str) -> pd.DataFrame:
    """Per service: ``value`` (sum of the used figures) and how many returns used each source.

    Columns ``value, from_cases, from_aggregates, from_activities`` (reported
    totals and breakdowns are aggregates); only services with a figure.
    """
    rows = ev.used[(ev.used["measure"] == measure).to_numpy(dtype=bool)]
    family = _family(rows["source"])
    frame = pd.DataFrame(
        {
            "service_id": rows["service_id"].to_numpy(dtype=object),
            "value": rows["value"].to_numpy(dtype="float64", na_value=np.nan),
            "from_cases": family == "cases",
            "from_aggregates": (family == "reported") | (family == "breakdown"),
            "from_activities": family == "activities",
        }
    )
    return frame.groupby("service_id", sort=True).sum()


def one_to_one(ev: Evidence) -> pd.DataFrame:
    """Per service: young people given one-to-one support, as :func:`sourced` columns.

    Returns whose used source is case records count distinct ``case_id``s
    (support one-to-one, both or not given) pooled across the period; the
    other returns add their used aggregate figure.
    """
    return one_to_one_by_unit(ev, None)


def one_to_one_by_unit(ev: Evidence, unit_of: Mapping[str, str] | None) -> pd.DataFrame:
    """Young people given one-to-one support per unit of services (a hub, a phase, ...).

    ``unit_of`` maps service id -> unit id (None: each service is its own
    unit); services it does not name are left out. Case ids are pooled across
    the unit's services and the whole period, so a young person seen by two
    spokes of a hub, or in two quarters, counts once; returns without case
    records add their aggregate figure (which may count a young person again).
    Columns as :func:`sourced` plus ``aggregate_value`` (the part from aggregate
    figures), indexed by unit id (named ``service_id``). Made once per evidence
    and units (do not modify the result).
    """
    units = None if unit_of is None else tuple(sorted(unit_of.items()))
    found: pd.DataFrame = once_per_evidence(
        ev, f"one_to_one {units!r}", lambda e: _one_to_one_by_unit(e, unit_of)
    )
    return found


def _one_to_one_by_unit(ev: Evidence, unit_of: Mapping[str, str] | None) -> pd.DataFrame:
    measure = "young_people_one_to_one"
    rows = ev.used[(ev.used["measure"] == measure).to_numpy(dtype=bool)]
    if unit_of is not None:
        rows = rows[rows["service_id"].isin(list(unit_of)).to_numpy(dtype=bool)]
        rows = rows.assign(service_id=rows["service_id"].astype(object).map(dict(unit_of)))
    by_cases = (rows["source"] == "cases").to_numpy(dtype=bool)
    base = sourced(
        Evidence(
            frames=ev.frames,
            period=ev.period,
            counted=ev.counted,
            figures=ev.figures,
            used=rows[~by_cases],
        ),
        measure,
    )
    case_returns = rows[by_cases]
    case_services, pairs_service, pairs_case = _one_to_one_pairs(ev)
    if unit_of is None:
        unit_names = case_services
        unit_code = np.arange(len(case_services), dtype=np.int64)
    else:
        unit_names = sorted({str(u) for u in unit_of.values()})
        position = {u: i for i, u in enumerate(unit_names)}
        found = [position[str(unit_of[sid])] if sid in unit_of else -1 for sid in case_services]
        unit_code = np.array(found, dtype=np.int64)
    units = unit_code[pairs_service] if len(pairs_service) else np.zeros(0, np.int64)
    keep = units >= 0
    if unit_of is None:  # each service its own unit: the pairs are distinct already
        counts = np.bincount(units, minlength=len(unit_names)).astype("float64")
    else:
        counts = _distinct_per_unit(units[keep], pairs_case[keep], len(unit_names))
    distinct = pd.Series(counts, index=pd.Index(unit_names, dtype=object))
    distinct = distinct[distinct > 0]
    n_returns = case_returns.groupby("service_id").size()
    services = sorted(set(base.index) | set(n_returns.index))
    out = base.reindex(services)
    out["aggregate_value"] = out["value"].fillna(0.0)
    out["value"] = out["aggregate_value"] + distinct.reindex(services).fillna(0.0)
    out["from_cases"] = n_returns.reindex(services).fillna(0).astype("int64")
    for col in ("from_aggregates", "from_activities"):
        out[col] = out[col].fillna(0).astype("int64")
    out.index.name = "service_id"
    return out


def _distinct_per_unit(units: Array, cases: Array, n_units: int) -> Array:
    """How many distinct ``cases`` each unit has (pairs may repeat), as floats, per unit code."""
    span = int(cases.max(initial=0)) + 1
    if n_units * span <= 64_000_000:  # a mark per (unit, case): linear, no sort
        marks = np.zeros(n_units * span, dtype=bool)
        marks[units * span + cases] = True
        counted: Array = marks.reshape(n_units, span).sum(axis=1).astype("float64")
        return counted
    unique_units = distinct_keys(units * span + cases) // span
    found: Array = np.bincount(unique_units, minlength=n_units).astype("float64")
    return found


_PAIRS: weakref.WeakKeyDictionary[
    RecordFrames, dict[tuple[object, ...], tuple[list[str], Array, Array]]
] = weakref.WeakKeyDictionary()


def _one_to_one_pairs(ev: Evidence) -> tuple[list[str], Array, Array]:
    """Distinct (service, case) pairs of one-to-one cases whose return uses its case records.

    ``(services, service_code, case_code)``: service ids (sorted) and, per
    distinct pair, the service's position and the case's integer code. Made
    once per frames and counted returns, so a roll-up to any unit is a relabelling.
    """
    per_period = _PAIRS.setdefault(ev.frames, {})
    key = tuple(ev.counted["return_id"].to_numpy(dtype="int64").tolist())
    held = per_period.get(key)
    if held is not None:
        return held
    measure = "young_people_one_to_one"
    used = ev.used[(ev.used["measure"] == measure).to_numpy(dtype=bool)]
    case_returns = used[(used["source"] == "cases").to_numpy(dtype=bool)]
    cases = ev.frames.cases
    pick = np.isin(
        cases["return_id"].to_numpy(dtype="int64"),
        case_returns["return_id"].to_numpy(dtype="int64"),
    )
    support = cases["support_type"]
    pick = pick & ((support.isna() | support.isin(ONE_TO_ONE_CODES)).to_numpy(dtype=bool))
    service_codes, names = service_codes_of(ev.frames)
    codes_of_cases = case_codes(ev.frames).astype(np.int64)
    span = int(codes_of_cases.max(initial=0)) + 1
    keys = distinct_keys(service_codes[pick] * span + codes_of_cases[pick])
    held = (names, keys // span, keys % span)
    per_period[key] = held
    return held


def paired_totals(ev: Evidence, first: Sequence[str], second: Sequence[str]) -> pd.DataFrame:
    """Per service: sums of ``first`` and ``second`` measures over returns reporting both groups.

    A return contributes only when it has a figure for at least one measure
    of each group (a missing measure within a reported group counts 0), so a
    ratio never mixes a numerator and a denominator from different returns.
    Columns ``a, b``; only services with such a return.
    """
    rows = ev.used[ev.used["measure"].isin([*first, *second]).to_numpy(dtype=bool)]
    in_first = rows["measure"].isin(list(first)).to_numpy(dtype=bool)
    value = rows["value"].to_numpy(dtype="float64", na_value=np.nan)
    frame = pd.DataFrame(
        {
            "service_id": rows["service_id"].to_numpy(dtype=object),
            "return_id": rows["return_id"].to_numpy(dtype="int64"),
            "a": np.where(in_first, value, 0.0),
            "b": np.where(in_first, 0.0, value),
            "has_a": in_first,
            "has_b": ~in_first,
        }
    )
    per = frame.groupby(["service_id", "return_id"], sort=False).agg(
        a=("a", "sum"), b=("b", "sum"), has_a=("has_a", "any"), has_b=("has_b", "any")
    )
    per = per[per["has_a"] & per["has_b"]]
    return per.groupby(level="service_id", sort=True)[["a", "b"]].sum()


# -- referrals by source --------------------------------------------------------------------


def referrals(ev: Evidence) -> pd.DataFrame:
    """Per service: referrals ``agency`` (codes 2A-8) and ``total`` with a known split by source.

    Per return, the first of these that it has: its ``referrals_received``
    breakdown by referral source (the total is the breakdown's sum), or its
    case records (cases referred within the return's period, one per
    distinct case id; a case with no source counts in the total only). A
    return with only a reported total says nothing by source and is left
    out of both. Only services with such a return.
    Derived once per evidence (do not modify the result).
    """
    found: pd.DataFrame = once_per_evidence(ev, "referrals", _referrals)
    return found


def _referrals(ev: Evidence) -> pd.DataFrame:
    """:func:`referrals`, computed."""
    values = ev.frames.values
    pick = ev.mask("values") & (values["measure"] == "referrals_received").to_numpy(dtype=bool)
    others = [d for d in DIMENSIONS if d != "referral_source"]
    pick = pick & (values["referral_source"].notna().to_numpy(dtype=bool))
    for d in others:
        pick = pick & (values[d].isna().to_numpy(dtype=bool))
    split = values[pick]
    code = split["referral_source"].astype(str)
    agg = pd.DataFrame(
        {
            "service_id": split["service_id"].to_numpy(dtype=object),
            "return_id": split["return_id"].to_numpy(dtype="int64"),
            "agency": np.where(
                code.isin(AGENCY_REFERRAL_SOURCES).to_numpy(dtype=bool),
                split["value"].to_numpy(dtype="float64"),
                0.0,
            ),
            "total": split["value"].to_numpy(dtype="float64"),
        }
    )
    from_cases = _case_referrals(ev, agg["return_id"].to_numpy(dtype="int64"))
    both = pd.concat([agg, from_cases], ignore_index=True)
    return both.groupby("service_id", sort=True)[["agency", "total"]].sum()


def _case_referrals(ev: Evidence, reported: Array) -> pd.DataFrame:
    """Per service with dated case records (returns in ``reported`` left out): ``agency, total``.

    Cases referred within their return's period, one per distinct case id and
    return; a case listed twice in one return takes the record with the
    greatest source code (compared as text, no source lowest). A service whose
    dated cases all fall outside their periods still has a row (of zeros).
    """
    cases = ev.frames.cases
    rid = cases["return_id"].to_numpy(dtype="int64")
    dated = ev.mask("cases") & cases["referral_date"].notna().to_numpy(dtype=bool)
    dated = dated & (~np.isin(rid, reported))
    within = (
        dated
        & (cases["referral_date"] >= cases["period_start"]).to_numpy(dtype=bool, na_value=False)
        & (cases["referral_date"] <= cases["period_end"]).to_numpy(dtype=bool, na_value=False)
    )
    service, names = service_codes_of(ev.frames)
    cat = cases["referral_source"].astype(pd.CategoricalDtype())
    labels = [*map(str, cat.cat.categories), ""]  # the last: no source given
    rank_of = {name: k for k, name in enumerate(sorted(set(labels)))}
    rank = np.array([rank_of[name] for name in labels], dtype=np.int64)
    agency = np.array([name in AGENCY_REFERRAL_SOURCES for name in labels], dtype=bool)
    codes = cat.cat.codes.to_numpy(dtype="int64")
    codes = np.where(codes < 0, len(labels) - 1, codes)
    rows = np.flatnonzero(within)
    r, c, s = rid[rows], case_codes(ev.frames)[rows], rank[codes[rows]]
    order = np.lexsort((s, c, r))
    last = np.ones(len(order), dtype=bool)  # the greatest source of each (return, case)
    last[:-1] = (r[order][1:] != r[order][:-1]) | (c[order][1:] != c[order][:-1])
    picked = rows[order[last]]
    n = len(names)
    seen = np.bincount(service[dated], minlength=n) > 0
    out = pd.DataFrame(
        {
            "service_id": np.array(names, dtype=object),
            "agency": np.bincount(
                service[picked], weights=agency[codes[picked]].astype("float64"), minlength=n
            ),
            "total": np.bincount(service[picked], minlength=n).astype("float64"),
        }
    )
    return out[seen].reset_index(drop=True)


# -- case records: the latest record of each case --------------------------------------------


def _risk_levels(column: pd.Series) -> Array:
    """Risk order (0 low .. 2 high) per row; -1 where not a ranked level (or missing)."""
    cat = column.astype(pd.CategoricalDtype()) if column.dtype != "category" else column
    lut = np.array([RISK_ORDER.get(str(c), -1) for c in cat.cat.categories] + [-1], dtype="int64")
    codes = cat.cat.codes.to_numpy(dtype="int64")
    out: Array = lut[np.where(codes < 0, len(lut) - 1, codes)]
    return out


def latest_cases(ev: Evidence) -> pd.DataFrame:
    """Each distinct case of each service: its record from the latest counted return holding it.

    "Latest" is by the return's period end, then start; a case listed twice
    in one return keeps the record greatest by every column's value (an
    order-free tie-break). Derived once per evidence (do not modify the result).
    """
    found: pd.DataFrame = once_per_evidence(ev, "latest_cases", _latest_cases)
    return found


def latest_case_outcomes(ev: Evidence) -> pd.DataFrame:
    """:func:`case_outcomes` of :func:`latest_cases`, once per evidence (do not modify it)."""
    found: pd.DataFrame = once_per_evidence(
        ev, "case_outcomes", lambda e: case_outcomes(latest_cases(e))
    )
    return found


def latest_rows(svc: Array, cid: Array, end: Array, start: Array) -> tuple[Array, Array, Array]:
    """The rows holding each (service, case)'s latest record, by period end then start.

    ``svc`` and ``cid`` are integer codes (``cid`` -1 for no id); ``end`` and
    ``start`` int64 nanosecond stamps. Returns ``(single, tied, group)``: the
    rows that alone hold their case's latest period, in row order; the rows
    that share it with another row of the same case, in row order; and each
    tied row's case (an integer, equal for rows of one case). No sort: each
    case's latest period is a running maximum over the rows.
    """
    top = int(cid.max(initial=-1)) + 2
    case, cases_ = pd.factorize(svc.astype(np.int64) * top + (cid.astype(np.int64) + 1))
    case = np.asarray(case, dtype=np.int64)
    rank = _period_ranks(end, start)
    best = np.full(len(cases_), -1, dtype=np.int64)
    np.maximum.at(best, case, rank)
    at_top = rank == best[case]
    sharing = np.bincount(case[at_top], minlength=len(cases_))[case] > 1
    tied = at_top & sharing
    return np.flatnonzero(at_top & ~sharing), np.flatnonzero(tied), case[tied]


def _period_ranks(end: Array, start: Array) -> Array:
    """Per row, a whole number ordering its (end, start) pair: a later pair, a greater number."""
    day = 86_400 * 10**9  # period dates are midnight timestamps (ns)
    first = min(int(end.min(initial=0)), int(start.min(initial=0)))
    end_from, start_from = end - first, start - first
    if not (end_from % day).any() and not (start_from % day).any():
        days = int(max(end_from.max(initial=0), start_from.max(initial=0))) // day + 1
        if days * days < 2**62:
            ranks: Array = (end_from // day) * days + start_from // day
            return ranks
    # other stamps: each pair's position among the distinct pairs, in order
    codes, _ = pd.factorize(pd.MultiIndex.from_arrays([end, start]), sort=True)
    return np.asarray(codes, dtype=np.int64)


def _day_stamps(column: pd.Series) -> Array:
    """A datetime64[ns] column's values as int64 nanoseconds (NaT as its minimum), no copy."""
    stamps: Array = column.to_numpy(dtype="datetime64[ns]").view("int64")
    return stamps


def _latest_cases(ev: Evidence) -> pd.DataFrame:
    cases = ev.frames.cases
    rows = np.flatnonzero(ev.mask("cases"))
    if not len(rows):
        return cases.iloc[rows].reset_index(drop=True)
    every = len(rows) == len(cases)  # the usual case: every row counts, so no copies

    def counted(values: Array) -> Array:
        return values if every else values[rows]

    picked, tied_rows, group = latest_rows(
        counted(service_codes_of(ev.frames)[0]),
        counted(case_codes(ev.frames)),
        counted(_day_stamps(cases["period_end"])),
        counted(_day_stamps(cases["period_start"])),
    )
    if len(tied_rows):  # the record greatest by every column's value, as text
        tied = cases.iloc[rows[tied_rows]]
        keys = pd.DataFrame(
            {"_g": group}
            | {str(c): tied[c].astype(str).to_numpy(dtype=object) for c in cases.columns},
        )
        keys.index = tied_rows
        keys = keys.sort_values(["_g", *[str(c) for c in cases.columns]], kind="stable")
        best = keys.drop_duplicates("_g", keep="last").index.to_numpy(dtype="int64")
        picked = np.sort(np.concatenate([picked, best]))
    found: pd.DataFrame = cases.iloc[rows[picked]].reset_index(drop=True)
    return found


def case_outcomes(latest: pd.DataFrame) -> pd.DataFrame:
    """Per service, from the latest record of each case: risk mix, risk change, missing episodes.

    Columns: ``cases`` (distinct cases), ``risk_known`` and ``risk_below_high``
    (a case's latest ranked level, else its level at referral; "not recorded"
    counts as absent), ``risk_fell``/``risk_stayed``/``risk_rose`` (cases with
    both levels ranked), ``missing_cases``, ``missing_before``,
    ``missing_after`` (cases with both counts).
    """
    columns = [
        "cases",
        "risk_known",
        "risk_below_high",
        "risk_fell",
        "risk_stayed",
        "risk_rose",
        "missing_cases",
        "missing_before",
        "missing_after",
    ]
    if latest.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64") for c in columns},
            index=pd.Index([], name="service_id", dtype=object),
        )
    first = _risk_levels(latest["risk_at_referral"])
    last = _risk_levels(latest["risk_latest"])
    level = np.where(last >= 0, last, first)
    both = (first >= 0) & (last >= 0)
    before = latest["missing_before"].to_numpy(dtype="float64", na_value=np.nan)
    after = latest["missing_after"].to_numpy(dtype="float64", na_value=np.nan)
    has_missing = ~np.isnan(before) & ~np.isnan(after)
    per_case = {
        "cases": np.ones(len(latest)),
        "risk_known": level >= 0,
        "risk_below_high": (level >= 0) & (level != HIGH),
        "risk_fell": both & (last < first),
        "risk_stayed": both & (last == first),
        "risk_rose": both & (last > first),
        "missing_cases": has_missing,
        "missing_before": np.where(has_missing, before, 0),
        "missing_after": np.where(has_missing, after, 0),
    }
    service, services = pd.factorize(latest["service_id"], sort=True)
    return pd.DataFrame(
        {
            name: np.bincount(service, weights=values, minlength=len(services)).astype("int64")
            for name, values in per_case.items()
        },
        index=pd.Index([str(s) for s in services], name="service_id", dtype=object),
    )


# -- outcome records ------------------------------------------------------------------------


def score_pairs(
    ev: Evidence, subject: str, instruments: Iterable[str] | None = None
) -> pd.DataFrame:
    """First and latest score of each subject on each instrument, per service.

    Columns ``service_id, instrument, case_id, first, latest``; one row per
    (service, instrument, subject id) with scores on at least two dates.
    Scores are ordered by date, then score, so two scores on one day never
    depend on record order. Rows sorted by service, instrument, case id.
    """
    out = ev.frames.outcomes
    pick = ev.mask("outcomes") & (out["subject"] == subject).to_numpy(dtype=bool, na_value=False)
    pick = pick & (out["score"].notna().to_numpy(dtype=bool))
    if instruments is not None:
        pick = pick & (out["instrument"].isin(list(instruments)).to_numpy(dtype=bool))
    sub = pd.DataFrame(
        {
            "service_id": out["service_id"].to_numpy(dtype=object)[pick],
            "instrument": out["instrument"].to_numpy(dtype=object)[pick],
            "case_id": out["case_id"].to_numpy(dtype=object)[pick],
            "on": out["on"].to_numpy()[pick],
            "score": out["score"].to_numpy(dtype="float64", na_value=np.nan)[pick],
        }
    )
    sub = sub.sort_values(["service_id", "instrument", "case_id", "on", "score"], kind="stable")
    grouped = sub.groupby(["service_id", "instrument", "case_id"], sort=False)
    summary = grouped.agg(
        first=("score", "first"),
        latest=("score", "last"),
        first_on=("on", "first"),
        latest_on=("on", "last"),
    )
    summary = summary[summary["first_on"] != summary["latest_on"]]
    return summary.drop(columns=["first_on", "latest_on"]).reset_index()


def goal_statuses(ev: Evidence) -> pd.DataFrame:
    """Per service: the latest status of each young person's goal, counted by status.

    A goal is named by ``goal`` (else the instrument); the latest record by
    date wins, same-day records ordered by status value. Columns ``met,
    partly_met, not_met`` (counts).
    """
    out = ev.frames.outcomes
    pick = ev.mask("outcomes") & (out["subject"] == "young_person").to_numpy(
        dtype=bool, na_value=False
    )
    pick = pick & (out["goal_status"].notna().to_numpy(dtype=bool))
    goal = out["goal"].fillna(out["instrument"])
    sub = pd.DataFrame(
        {
            "service_id": out["service_id"].to_numpy(dtype=object)[pick],
            "case_id": out["case_id"].to_numpy(dtype=object)[pick],
            "goal": goal.to_numpy(dtype=object)[pick],
            "on": out["on"].to_numpy()[pick],
            "status": out["goal_status"].astype(str).to_numpy(dtype=object)[pick],
        }
    )
    sub = sub.sort_values(["service_id", "case_id", "goal", "on", "status"], kind="stable")
    latest = sub.drop_duplicates(["service_id", "case_id", "goal"], keep="last")
    counts = latest.groupby(["service_id", "status"]).size().unstack("status")
    counts = counts.reindex(columns=["met", "partly_met", "not_met"]).fillna(0).astype("int64")
    counts.columns.name = None
    return counts


# -- partners -------------------------------------------------------------------------------


def by_profession(ev: Evidence, measure: str) -> pd.DataFrame:
    """Per service and profession: ``measure`` from each return's breakdown by profession.

    A return without that breakdown whose figure comes from activity records
    is split by the activities' audience profession ("not_recorded" where
    none is given). Columns ``service_id, profession, value``.
    """
    from hubspoke.figures.sources import ACTIVITY_SOURCES

    values = ev.frames.values
    pick = ev.mask("values") & (values["measure"] == measure).to_numpy(dtype=bool)
    pick = pick & (values["profession"].notna().to_numpy(dtype=bool))
    for d in DIMENSIONS:
        if d != "profession":
            pick = pick & (values[d].isna().to_numpy(dtype=bool))
    split = values[pick]
    parts = [
        pd.DataFrame(
            {
                "service_id": split["service_id"].to_numpy(dtype=object),
                "profession": split["profession"].astype(str).to_numpy(dtype=object),
                "value": split["value"].to_numpy(dtype="float64"),
            }
        )
    ]
    rows = ev.used[(ev.used["measure"] == measure).to_numpy(dtype=bool)]
    from_acts = rows.loc[(rows["source"] == "activities").to_numpy(dtype=bool), "return_id"]
    acts = ev.frames.activities
    kinds = ACTIVITY_SOURCES.get(measure, ())
    apick = np.isin(
        acts["return_id"].to_numpy(dtype="int64"), from_acts.to_numpy(dtype="int64")
    ) & acts["kind"].isin(kinds).to_numpy(dtype=bool)
    a = acts[apick]
    prof = a["audience_profession"].astype(object)
    parts.append(
        pd.DataFrame(
            {
                "service_id": a["service_id"].to_numpy(dtype=object),
                "profession": prof.where(prof.notna(), NOT_RECORDED).astype(str).to_numpy(),
                "value": a["attendees"].to_numpy(dtype="float64", na_value=np.nan),
            }
        )
    )
    both = pd.concat(parts, ignore_index=True).sort_values(
        ["service_id", "profession", "value"], kind="stable"
    )
    return both.groupby(["service_id", "profession"], sort=True)["value"].sum().reset_index()
