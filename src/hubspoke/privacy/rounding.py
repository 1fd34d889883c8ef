"""Rounding published counts of people to base 5, so that no edition can be differenced.

Suppression within one table (:mod:`hubspoke.privacy.suppression`) cannot see
other editions of the report: the annual report's row total for a service,
less the four quarterly reports' cells, used to give back a cell every
quarterly edition hid. UK official statistics meet this by rounding published
counts (HMRC, DWP and the ONS round to 5 or 10); hubspoke does the same, at
the one level every edition shares.

:func:`round_count` rounds one count: 0 stays 0, 1 to 7 become 5, and every
other count goes to the nearest multiple of 5 (halves up). Each figure a
return gives for a measure is rounded *before* anything adds it up, and
every published total is the sum of those rounded figures. So everything an
edition publishes, in any table and for any period, is a function of the
rounded figures alone, and every rounded figure other than 0 stands for at
least five true counts (5 for 1 to 7, 10 for 8 to 12, ...). However many
editions of one workspace are set side by side, the true count of a cell
that rounds to 5 cannot be told from 1, 2, ..., 7: no cell from 1 to 5 can
be recovered. Suppression still hides the 5s (``[c]`` for 1 to 7 at the
default ``min_cell``) and their complements.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pandas as pd

#: The rounding base.
BASE: Final = 5


def round_count(count: int) -> int:
    """``count`` rounded for publication: 0 -> 0, 1-7 -> 5, else the nearest multiple of 5.

    Halves round up (8 -> 10, 13 -> 15). Negative counts are refused.
    """
    if count < 0:
        raise ValueError(f"a count of people cannot be negative: {count}")
    if count == 0:
        return 0
    return max(BASE, BASE * ((count + BASE // 2) // BASE))


def round_counts(values: pd.Series) -> pd.Series:
    """:func:`round_count` over a column of whole counts; missing values stay missing."""
    whole = pd.to_numeric(values, errors="raise").astype("Float64").round().astype("Int64")
    if bool((whole < 0).fillna(False).any()):
        raise ValueError("a count of people cannot be negative")
    rounded = ((whole + BASE // 2) // BASE) * BASE
    rounded = rounded.where(rounded >= BASE, BASE).where(whole != 0, 0)
    return rounded.astype("Int64")


def rounded_figures(values: pd.DataFrame, measures: Iterable[str]) -> pd.DataFrame:
    """A figures-by-return frame with each figure of ``measures`` rounded (:func:`round_count`).

    The frame of :func:`hubspoke.figures.published.figures_by_return` (or a
    values frame): one row per return and measure (and breakdown). Rows of
    other measures are unchanged. Every published total of these measures is
    a sum of what this returns, never of the exact figures.
    """
    chosen = values["measure"].astype(str).isin(set(measures))
    if not bool(chosen.any()):
        return values
    out = values.copy()
    rounded = round_counts(values.loc[chosen, "value"])
    out["value"] = out["value"].astype("Float64")
    out.loc[chosen, "value"] = rounded.astype("Float64")
    return out


def rounded_outcomes(
    key_outcomes: pd.DataFrame,
    *,
    people_outcomes: frozenset[int],
    not_people: frozenset[str],
    shares: frozenset[str],
    totals: dict[str, int],
) -> pd.DataFrame:
    """Key outcomes with every count of people rounded, consistently with the period tables.

    For rows of ``people_outcomes`` whose measure is not in ``not_people``:
    a measure in ``totals`` (a period table's published grand total, itself a
    sum of rounded figures) takes that total; any other count is rounded
    (:func:`round_count`); a change on the previous period becomes the
    change between the rounded counts; a share (``shares``) is recomputed
    from its rounded numerator and denominator; any other denominator (of a
    mean) is rounded. So the key outcomes publish nothing the exact counts
    would add to the rounded ones.
    """
    out = key_outcomes.copy()
    cols = {c: out[c].astype("Float64").astype(object).tolist() for c in _ROUNDED}
    exact = list(cols["value"])
    outcomes = out["outcome"].astype(object).tolist()
    measures_ = [str(m) for m in out["measure"]]
    levels = [str(v) for v in out["level"]]
    first_at: dict[tuple[str, str], int] = {}
    for k, key in enumerate(zip(measures_, levels, strict=True)):
        first_at.setdefault(key, k)
    value, num, den = cols["value"], cols["numerator"], cols["denominator"]
    for k, measure in enumerate(measures_):
        outcome, base = outcomes[k], measure.split(":")[0]
        if pd.isna(outcome) or int(outcome) not in people_outcomes or base in not_people:
            continue
        # the period tables' totals are programme-wide
        known = totals if levels[k] == "programme" else {}
        if base in shares:
            if not pd.isna(num[k]) and not pd.isna(den[k]):
                rnum, rden = round_count(_whole(num[k])), round_count(_whole(den[k]))
                num[k], den[k] = float(rnum), float(rden)
                value[k] = float(rnum) / rden if rden else pd.NA
            continue
        if not pd.isna(den[k]):
            den[k] = float(round_count(_whole(den[k])))
            if not pd.isna(num[k]) and pd.isna(value[k]):
                num[k] = float(round_count(_whole(num[k])))
            continue
        if pd.isna(value[k]):
            continue
        if measure.endswith("_change"):
            stem = measure.removesuffix("_change")
            at = first_at.get((stem, levels[k]))
            if at is not None and not pd.isna(value[at]):
                previous = _whole(exact[at]) - _whole(value[k])
                if previous >= 0:
                    shown = known.get(stem, round_count(_whole(exact[at])))
                    value[k] = float(shown - round_count(previous))
                    continue
            value[k] = pd.NA
            continue
        if measure in known:
            value[k] = float(known[measure])
        elif float(value[k]) >= 0 and float(value[k]).is_integer():
            value[k] = float(round_count(_whole(value[k])))
    for column in _ROUNDED:
        out[column] = pd.array(cols[column], dtype="Float64")
    return out


#: The columns of the key outcomes that :func:`rounded_outcomes` rounds.
_ROUNDED: Final = ("value", "numerator", "denominator")


def _whole(value: object) -> int:
    return max(0, round(float(value)))  # type: ignore[arg-type]


def published_total(figures: Iterable[object]) -> int:
    """The published total of some figures: the sum of each one rounded (:func:`round_count`).

    What every total of a period table is; tests compare the report with
    ``score`` through this, one derivation of the published value.
    """
    total = 0
    for v in figures:
        if v is not None and v is not pd.NA and v == v:  # NaN is not equal to itself
            total += round_count(_whole(v))
    return total


def rounded_field_completeness(cases: pd.DataFrame) -> pd.DataFrame:
    """Field completeness per service with every count rounded per return before summing.

    ``cases`` is a case record frame with ``return_id`` (the workspace's).
    Known, declined, not recorded and missing are counted per return and
    field, each rounded (:func:`round_counts`), then summed per service; so,
    like every other published count, a completeness figure of any edition
    is a sum of rounded per-return figures, and editions cannot be
    differenced to recover a small count. Columns as
    :func:`hubspoke.indicators.quality.field_completeness`.
    """
    from hubspoke.indicators.quality import completeness_from_counts, field_completeness

    parts = ["known", "declined", "not_recorded", "missing"]
    per_return = field_completeness(
        cases.assign(service_id=cases["return_id"].astype("string")).drop(columns=["return_id"])
    )
    owners = cases[["return_id", "service_id"]].drop_duplicates("return_id")
    service_of = dict(
        zip(owners["return_id"].astype(str), owners["service_id"].astype(str), strict=True)
    )
    per_return["service_id"] = per_return["service_id"].astype(str).map(service_of)
    for part in parts:
        per_return[part] = round_counts(per_return[part])
    counts = per_return.groupby(["service_id", "field"], sort=False)[parts].sum().reset_index()
    return completeness_from_counts(counts)
