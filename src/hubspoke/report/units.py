"""The report's phase section and hub tables, from the figures frame (one derivation).

Each phase and each hub gets one table of the same rows: referrals received,
young people given one-to-one support, young people reached by group work,
professionals trained, the shares of spokes meeting outcomes 1 to 3 (the
sustainability, embeddedness and independence indicators against their
thresholds) with Wilson 95% intervals, and the returns received against
expected. Where returns are missing, a count shows beside it the estimate
adjusted for them (:mod:`hubspoke.figures.uncertainty`), labelled as such.

**Rounding and suppression.** As everywhere in the report
(:mod:`hubspoke.privacy.rounding`), an additive count of a phase or hub is
the sum of its spokes' per-return figures each rounded to base 5, so it is
the sum of the spoke totals the report's tables by service show; young
people given one-to-one support, distinct across the unit's spokes and not a
sum, are rounded as one count. A count is shown only when it is not from 1
to ``min_cell`` and none of the unit's spokes has that measure's total
suppressed in the report's tables by service, so a shown unit total reveals
nothing the report does not. Estimates are rounded to base 5 and hidden with
their count. Shares of spokes count services, not people, and are shown as
they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd

from hubspoke.privacy.rounding import published_total, round_count
from hubspoke.privacy.suppression import MARKER, TOTAL
from hubspoke.report.tables import PublishedTable, measure_label

#: Counts of people in each unit table, in order.
UNIT_COUNTS: Final = (
    "referrals_received",
    "young_people_one_to_one",
    "young_people_group_reached",
    "professionals_trained",
)
#: Shares of spokes in each unit table, with the indicator each stands on.
UNIT_SHARES: Final = (
    ("sustainable_funding", "Sustainable funding (outcome 1; sustainability)"),
    ("embedded", "Embedded (outcome 2; embeddedness)"),
    ("distinct_identity", "Distinct identity (outcome 3; independence)"),
)
UNIT_COLUMNS: Final = ("Value", "95% interval", "Of", "Estimate for missing returns", "Note")


def hidden_spokes(
    by_period: Mapping[str, PublishedTable], labels: Mapping[str, str]
) -> dict[str, set[str]]:
    """Measure -> spoke ids whose total is suppressed in the report's by-period tables."""
    service_of = {label: sid for sid, label in labels.items()}
    out: dict[str, set[str]] = {}
    for measure, table in by_period.items():
        cells = table.cells
        if TOTAL not in cells.columns:
            continue
        out[measure] = {
            service_of.get(str(label), str(label))
            for label, value in zip(cells.index, cells[TOTAL], strict=True)
            if value == MARKER and label != TOTAL
        }
    return out


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _count(value: object) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return round(float(value))  # type: ignore[arg-type]


def published_unit_count(
    measure: str, exact: object, spokes_of_unit: Sequence[str], by_return: pd.DataFrame | None
) -> int | None:
    """The count a unit table publishes: the sum of rounded per-return figures of its spokes.

    ``by_return``: the figure used per return (``figures_by_return``); a
    distinct count (young people given one-to-one support) is its exact
    ``value`` rounded once. None when there is no figure.
    """
    value = _count(exact)
    if value is None:
        return None
    if measure == "young_people_one_to_one" or by_return is None:
        return round_count(value)
    rows = by_return[
        (by_return["measure"].astype(str) == measure).to_numpy(dtype=bool)
        & by_return["service_id"].astype(str).isin(list(spokes_of_unit)).to_numpy(dtype=bool)
    ]
    return published_total(rows["value"])


def unit_table(
    figures: pd.DataFrame,
    level: str,
    unit_id: str,
    spokes_of_unit: Sequence[str],
    hidden: Mapping[str, set[str]],
    *,
    min_cell: int,
    by_return: pd.DataFrame | None = None,
) -> PublishedTable:
    """One phase's or hub's table (rows as the module docstring), rounded and suppressed.

    ``by_return`` (the report's figures by return) makes additive counts sums
    of rounded per-return figures; without it every count is rounded once.
    """
    mine = figures[
        (figures["level"].astype(str) == level).to_numpy(dtype=bool)
        & (figures["unit_id"].astype(str) == unit_id).to_numpy(dtype=bool)
    ]
    by = {str(m): r for m, r in zip(mine["measure"], mine.to_dict("records"), strict=True)}
    rows: dict[str, list[object]] = {}
    for measure in UNIT_COUNTS:
        r = by.get(measure)
        exact = None if r is None else r["value"]
        value = published_unit_count(measure, exact, spokes_of_unit, by_return)
        blocked = bool(set(spokes_of_unit) & hidden.get(measure, set()))
        secret = value is not None and (1 <= value <= min_cell or blocked)
        estimate = ""
        if r is not None and value is not None and not secret:
            estimate = estimate_text(r, value)
        note = ""
        if r is not None and bool(r["distinct"]) and not secret:
            note = "distinct young people over the whole period and across the spokes"
        rows[measure_label(measure)] = [
            MARKER if secret else value,
            "",
            "",
            estimate,
            "some figures suppressed: small numbers" if secret else note,
        ]
    for measure, label in UNIT_SHARES:
        r = by.get(measure)
        if r is None or r["value"] is pd.NA or pd.isna(r["value"]):
            rows[label] = [None, "", "", "", "" if r is None else str(r["note"] or "")]
            continue
        rows[label] = [
            _pct(float(r["value"])),
            f"{_pct(float(r['ci_low']))} to {_pct(float(r['ci_high']))}",
            f"{int(r['numerator'])} of {int(r['denominator'])} spokes",
            "",
            "",
        ]
    first = mine.iloc[0] if len(mine) else None
    if first is not None:
        got, expected = _count(first["returns_received"]), _count(first["returns_expected"])
        share = first["completeness"]
        rows["Returns received"] = [
            got,
            "",
            f"{got} of {expected} expected"
            + ("" if pd.isna(share) else f" ({_pct(float(share))})"),
            "",
            "",
        ]
    cells = pd.DataFrame.from_dict(rows, orient="index", columns=list(UNIT_COLUMNS), dtype=object)
    cells.index.name = "Measure"
    label = str(mine["unit_label"].iloc[0]) if len(mine) else unit_id
    name = f"{level}_{unit_id}".replace(" ", "_")
    return PublishedTable(name=name, title=label, cells=cells)


def estimate_text(row: Mapping[Any, Any], shown: int) -> str:
    """A count's estimate for missing returns, rounded to base 5 ("" without missing returns).

    ``shown`` is the published count, which is also the lower bound.
    """
    estimate, high = _count(row["estimate"]), _count(row["estimate_high"])
    low = _count(row["estimate_low"])
    if estimate is None or high is None or low is None:
        return ""
    extra = round_count(max(estimate - low, 0))
    top = round_count(max(high - low, 0))
    return (
        f"about {shown + extra} (at most {shown + top}) with {row['missing_returns']} missing "
        "return(s); an estimate, not a count"
    )


def unit_tables(
    figures: pd.DataFrame,
    spokes: pd.DataFrame,
    hidden: Mapping[str, set[str]],
    *,
    min_cell: int,
    by_return: pd.DataFrame | None = None,
) -> tuple[list[PublishedTable], list[PublishedTable]]:
    """The phase tables and the hub tables, in phase and hub id order."""
    frame = spokes.assign(
        spoke_id=spokes["spoke_id"].astype(str),
        hub_id=spokes["hub_id"].astype(str),
    )
    levels = figures["level"].astype(str)
    phases: list[PublishedTable] = []
    for unit in sorted(
        set(figures.loc[(levels == "phase").to_numpy(dtype=bool), "unit_id"].astype(str)),
        key=lambda u: int(u.removeprefix("phase-")) if u.removeprefix("phase-").isdigit() else 0,
    ):
        number = unit.removeprefix("phase-")
        members = frame.loc[frame["phase"].astype(str) == number, "spoke_id"].tolist()
        phases.append(
            unit_table(
                figures, "phase", unit, members, hidden, min_cell=min_cell, by_return=by_return
            )
        )
    hubs: list[PublishedTable] = []
    for unit in sorted(set(figures.loc[(levels == "hub").to_numpy(dtype=bool), "unit_id"])):
        members = frame.loc[frame["hub_id"] == str(unit), "spoke_id"].tolist()
        hubs.append(
            unit_table(
                figures, "hub", str(unit), members, hidden, min_cell=min_cell, by_return=by_return
            )
        )
    return phases, hubs


__all__ = [
    "UNIT_COLUMNS",
    "UNIT_COUNTS",
    "UNIT_SHARES",
    "estimate_text",
    "hidden_spokes",
    "published_unit_count",
    "unit_table",
    "unit_tables",
]
