"""The published tables of the report: counts of people always pass through suppression.

Every function here is pure (frames in, frames out). A :class:`PublishedTable`
holds cells as Python values: an ``int`` or ``float`` where shown,
:data:`~hubspoke.privacy.suppression.MARKER` where suppressed, ``None`` where
there is no figure (no return). The same table is written to the HTML page
and to the exports, so the two can never disagree.

What counts as a count of people (and is suppressed): referrals, young
people, professionals, cases, and the numerators and denominators of shares
and means over them. Counts of spokes, areas, agencies and returns describe
services, not people, and are published as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from hubspoke.errors import ReportError
from hubspoke.figures.table import SHARES
from hubspoke.measures import DIMENSIONS, measures
from hubspoke.privacy.suppression import (
    MARKER,
    TOTAL,
    SuppressedTable,
    suppress_series,
    suppress_table,
)

#: The measures shown as trends and key figures.
TREND_MEASURES: Final = (
    "referrals_received",
    "young_people_one_to_one",
    "young_people_group_reached",
    "professionals_trained",
)
#: Breakdown columns of the values frame (a row with all of them missing is a total).
BREAKDOWN_COLUMNS: Final = DIMENSIONS
#: Column of a period table holding annual and other non-quarter returns.
OTHER_PERIODS: Final = "Annual and other periods"
#: Shortest and longest period, in days, counted as a quarter in trends.
QUARTER_DAYS: Final = (80, 100)
#: Outcome measures whose numerators form one additive line with the denominator as total.
SHARE_GROUPS: Final = (
    ("risk_fell", "risk_stayed", "risk_rose"),
    ("goals_met", "goals_partly_met", "goals_not_met"),
)
#: Key-outcome measures whose value is a share (numerator / denominator), shown as a percentage:
#: the figures frame's definition (one list).
SHARE_MEASURES: Final = SHARES
#: Key outcomes that count people (4 reach, 5 partner skills, 6 young people).
PEOPLE_OUTCOMES: Final = frozenset({4, 5, 6})
#: Outcome measures in 4-6 that count services or places, not people.
NOT_PEOPLE: Final = frozenset({"new_areas", "new_areas_change", "agencies_reached"})
#: Outcome measures broken down by profession (published as their own tables).
BY_PROFESSION: Final = ("professionals_trained", "professionals_awareness")
#: The note shown instead of the original one on a row with a suppressed cell.
SUPPRESSED_NOTE: Final = "some figures suppressed: small numbers"
#: Returns statuses shown in the data-quality section, in order.
#: Register statuses the report counts (every status due; see hubspoke.indicators.quality).
RETURN_STATUSES: Final = ("on_time", "late", "undated", "partial", "missing")


def status_column(status: str) -> str:
    """A register status as the report's column reads it: ``Received on time``."""
    from hubspoke.indicators.quality import STATUS_LABELS

    label = STATUS_LABELS[status]
    return label[0].upper() + label[1:]


#: Field-completeness categories, in order.
COMPLETENESS_PARTS: Final = ("known", "declined", "not_recorded", "missing")

OUTCOME_NAMES: Final = {
    1: "Sustainable funding secured",
    2: "Spokes embedded in existing services",
    3: "Distinct CSE identity and role kept",
    4: "Reach of specialist CSE services extended",
    5: "Partner agencies' skills improved",
    6: "Outcomes improved for young people",
}


@attrs.frozen(kw_only=True, eq=False)
class PublishedTable:
    """A table as published: ``cells`` (object dtype), a ``name`` for its export file, a ``title``.

    ``total_label`` names the totals row, if any (for styling).
    """

    name: str
    title: str
    cells: pd.DataFrame
    total_label: str | None = None

    def export_frame(self) -> pd.DataFrame:
        """The cells with the row labels as the first column (for CSV / XLSX / Parquet)."""
        label = self.cells.index.name or "row"
        return self.cells.reset_index(names=label)


def measure_label(measure_id: str) -> str:
    """The catalogue label of a measure (``new_areas`` too), or the id made readable."""
    from hubspoke.measures import label_of

    return label_of(measure_id)


def service_labels(spokes: pd.DataFrame) -> dict[str, str]:
    """Service id -> display label ("SP-01 Northmoor") from a spokes frame."""
    labels = {}
    for spoke_id, area in zip(spokes["spoke_id"], spokes["area_name"], strict=True):
        text = str(spoke_id)
        labels[text] = f"{text} {area}" if isinstance(area, str) and area else text
    return labels


def cells_of(table: SuppressedTable, absent: pd.DataFrame | None = None) -> pd.DataFrame:
    """The cells of a suppressed table: Python ints, :data:`MARKER`, or None where ``absent``.

    ``absent`` (bool, same labels, may lack the margins) marks cells with no
    figure at all; a suppressed cell shows the marker even if absent.
    """
    counts = table.counts
    mask = table.mask.to_numpy()
    gone = (
        absent.reindex(index=counts.index, columns=counts.columns, fill_value=False).to_numpy(
            dtype=bool
        )
        if absent is not None
        else None
    )
    rows: list[list[object]] = []
    for i in range(counts.shape[0]):
        row: list[object] = []
        for j in range(counts.shape[1]):
            if mask[i, j]:
                row.append(MARKER)
            elif gone is not None and gone[i, j]:
                row.append(None)
            else:
                row.append(int(counts.iat[i, j]))  # type: ignore[arg-type]
        rows.append(row)
    return pd.DataFrame(rows, index=counts.index, columns=counts.columns, dtype=object)


def total_rows(values: pd.DataFrame) -> pd.DataFrame:
    """Rows of a values frame that are totals (no breakdown dimension set)."""
    dims = [c for c in BREAKDOWN_COLUMNS if c in values.columns]
    if not dims:
        return values
    return values[values[dims].isna().all(axis=1)]


def period_table(
    values: pd.DataFrame, measure: str, labels: Mapping[str, str], *, min_cell: int
) -> PublishedTable | None:
    """Services by period for one measure, with row, column and grand totals, suppressed.

    Columns are the quarter-length periods in order (see :data:`QUARTER_DAYS`)
    and, when there are any, :data:`OTHER_PERIODS` (annual and other
    returns, summed per service), so each row total is the service's total
    over every period and the grand total is the programme total. A
    service-period with no figure is shown as absent (None) and counts as 0
    in the totals. None when the measure has no figure at all.
    """
    rows = total_rows(values)
    rows = rows[rows["measure"] == measure]
    if rows.empty:
        return None
    quarter = _is_quarter(rows)
    order = quarter_order(rows)
    column = rows["period_label"].astype(str).where(quarter, OTHER_PERIODS)
    if not quarter.all():
        order.append(OTHER_PERIODS)
    grid = _whole_pivot(
        rows.assign(period_label=column),
        index="service_id",
        columns="period_label",
        keep_absent=True,
    )
    grid = grid.reindex(columns=order)
    absent = grid.isna()
    grid = grid.fillna(0).astype("int64")
    index = pd.Index([labels.get(s, s) for s in grid.index], name="Service")
    grid.index = index
    absent.index = index
    table = suppress_table(grid, min_cell=min_cell)
    cells = cells_of(table, absent)
    cells.index.name = "Service"  # the export's first column
    return PublishedTable(
        name=f"by_period_{measure}",
        title=f"{measure_label(measure)} by quarter",
        cells=cells,
        total_label=TOTAL,
    )


#: Added to the label of a distinct-count measure summed over periods.
_SUMMED_NOTE: Final = " (summed over periods)"


def _distinct(measure_id: str) -> bool:
    """True for a measure that counts distinct people within one period."""
    m = measures().get(measure_id)
    return m is not None and m.unit == "distinct_count"


def total_label(measure_id: str) -> str:
    """The column label of a measure in :func:`service_totals`."""
    return measure_label(measure_id) + _SUMMED_NOTE * _distinct(measure_id)


def service_totals(tables: Mapping[str, PublishedTable]) -> PublishedTable:
    """Per service and measure, the total over the period, copied from each measure's table.

    ``tables`` maps measure id -> :func:`period_table`. Each column here is
    that table's row-total column, hidden cells included, so this table
    publishes nothing its source tables do not (a separately suppressed
    copy could reveal a cell the other hides). A distinct-count measure
    (young people given one-to-one support) is labelled "summed over
    periods": a young person supported in several periods counts in each.
    """
    columns = {total_label(measure): table.cells[TOTAL] for measure, table in tables.items()}
    if not columns:
        frame = pd.DataFrame(index=pd.Index([TOTAL], name="Service"), dtype=object)
    else:
        frame = pd.DataFrame(columns, dtype=object)
        frame.index.name = "Service"
        # Services missing from one measure's table reported nothing for it.
        frame = frame.astype(object).where(frame.notna(), None)
        services = [i for i in frame.index if i != TOTAL]
        frame = frame.reindex([*services, TOTAL])
    return PublishedTable(
        name="totals_by_service",
        title="Totals by service over the period",
        cells=frame,
        total_label=TOTAL,
    )


def returns_status_counts(status: pd.DataFrame, labels: Mapping[str, str]) -> PublishedTable:
    """Per service, how many expected returns were received, late or missing (not suppressed:
    these count returns, not people)."""
    rows = status[status["status"].isin(RETURN_STATUSES)]
    counts = (
        rows.groupby(["service_id", "status"], observed=True)
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(RETURN_STATUSES), fill_value=0)
    )
    counts.index = pd.Index([labels.get(str(s), str(s)) for s in counts.index], name="Service")
    counts.columns = pd.Index([status_column(c) for c in counts.columns])
    counts.loc[TOTAL] = counts.sum(axis=0)
    cells = counts.astype(object).map(int)
    return PublishedTable(
        name="returns_status",
        title="Returns against the register (received: returns covering the whole period)",
        cells=cells,
        total_label=TOTAL,
    )


def reconciliation_counts(reconciliation: pd.DataFrame) -> PublishedTable:
    """How many returns' figures disagree, per measure and pair of sources (counts of returns)."""
    counts = (
        reconciliation.assign(
            Measure=reconciliation["measure"].astype(str).map(measure_label),
            Used=reconciliation["used_source"].astype(str),
            Other=reconciliation["other_source"].astype(str),
        )
        .groupby(["Measure", "Used", "Other"], sort=True)
        .size()
        .rename("Returns")
        .reset_index()
    )
    cells = counts.rename(columns={"Used": "Source used", "Other": "Other source"})
    cells.index = pd.Index(range(1, len(cells) + 1), name="#")
    return PublishedTable(
        name="reconciliation",
        title="Returns whose sources of a figure disagree",
        cells=cells.astype(object),
    )


def field_completeness_table(completeness: pd.DataFrame, *, min_cell: int) -> PublishedTable:
    """Per field, programme-wide records known / declined / not recorded / missing, suppressed.

    Each row adds up to its ``Records`` total; a ``Known %`` column is shown
    only where both known and records are published.
    """
    parts = list(COMPLETENESS_PARTS)
    sums = completeness.groupby("field", observed=True)[parts].sum()
    grid = sums.astype("float64").round().astype("int64")
    grid.index = pd.Index([str(f).replace("_", " ").capitalize() for f in grid.index], name="Field")
    grid.columns = pd.Index([p.replace("_", " ").capitalize() for p in parts])
    table = suppress_table(
        grid, min_cell=min_cell, row_totals=True, col_totals=False, total_label="Records"
    )
    cells = cells_of(table)
    known, records = cells["Known"], cells["Records"]
    cells["Known %"] = [
        round(100 * k / r, 1)
        if isinstance(k, int) and isinstance(r, int) and r > 0
        else (MARKER if MARKER in (k, r) else None)
        for k, r in zip(known, records, strict=True)
    ]
    return PublishedTable(
        name="field_completeness", title="Field completeness across all case records", cells=cells
    )


def completeness_shares(
    completeness: pd.DataFrame, labels: Mapping[str, str], *, min_cell: int
) -> tuple[list[str], list[str], list[list[float | None]]]:
    """Per service and field, the share of records known, None where it could reveal a count.

    None when a service has 0 to ``min_cell`` records for the field, or when
    its known records or the rest (declined, not recorded, missing) number 1
    to ``min_cell``: the completeness table suppresses such counts, so the
    chart must not show them as a share.

    Returns row labels, column labels and the grid, for a heat map.
    """
    frame = completeness.assign(
        service_id=completeness["service_id"].astype(str), field=completeness["field"].astype(str)
    )
    sums = frame.groupby(["service_id", "field"])[["records", "known"]].sum()
    fields = sorted(frame["field"].unique())
    services = sorted(frame["service_id"].unique())
    found = {
        (str(k[0]), str(k[1])): (float(r), float(n))
        for k, r, n in zip(sums.index, sums["records"], sums["known"], strict=True)
    }
    grid: list[list[float | None]] = []
    for service in services:
        row: list[float | None] = []
        for field in fields:
            records, known = found.get((service, field), (0.0, 0.0))
            # a share gives away its counts when the records are known (0.97 of 40 is 1
            # missing): shown only when neither the known nor the rest is a small count
            small = 1 <= known <= min_cell or 1 <= records - known <= min_cell
            row.append(known / records if records > min_cell and not small else None)
        grid.append(row)
    return (
        [labels.get(s, s) for s in services],
        [f.replace("_", " ").capitalize() for f in fields],
        grid,
    )


def outcomes_table(
    key_outcomes: pd.DataFrame,
    *,
    min_cell: int,
    hidden_measures: frozenset[str] | set[str] = frozenset(),
    figures: pd.DataFrame | None = None,
) -> PublishedTable:
    """Programme-level key outcomes, people-count cells suppressed (see module docstring).

    Profession breakdowns (``measure:code``) are left out here and published
    by :func:`profession_tables`. ``hidden_measures`` are measures whose value
    another published table hides (its suppressed total); they are hidden here too.
    Shares carry their Wilson 95% interval; with ``figures`` (the figures
    frame of the period), a count total with missing returns carries its
    estimate adjusted for them, labelled as an estimate (hidden with its value).
    """
    from hubspoke.figures.uncertainty import wilson_interval
    from hubspoke.report.units import estimate_text

    estimates: dict[str, Mapping[Any, Any]] = {}
    if figures is not None:
        top = figures[
            (figures["level"].astype(str) == "programme").to_numpy(dtype=bool)
            & figures["estimate"].notna().to_numpy(dtype=bool)
        ]
        estimates = {str(r["measure"]): r for r in top.to_dict("records")}
    rows = key_outcomes[key_outcomes["level"] == "programme"]
    rows = rows[
        ~rows["measure"].str.contains(":", regex=False)
        | ~rows["measure"].str.split(":").str[0].isin(BY_PROFESSION)
    ]
    records = [_plain({str(k): v for k, v in r.items()}) for r in rows.to_dict("records")]
    hidden = _hidden_outcome_cells(records, min_cell)
    for k, r in enumerate(records):
        if str(r["measure"]) in hidden_measures:
            hidden.setdefault(k, set()).add("value")
    out = []
    for k, r in enumerate(records):
        marks = hidden.get(k, set())
        interval = None
        share = str(r["measure"]).split(":")[0] in SHARE_MEASURES
        if share and "value" not in marks and r["denominator"]:
            low, high = wilson_interval(r["numerator"], r["denominator"])
            interval = f"{100 * float(low):.1f}% to {100 * float(high):.1f}%"
        out.append(
            {
                "Outcome": r["outcome"],
                "Measure": _outcome_measure_label(str(r["measure"])),
                "Value": MARKER if "value" in marks else _outcome_value(r),
                "95% interval": interval,
                "Estimate for missing returns": None
                if marks or str(r["measure"]) not in estimates or r["value"] is None
                else estimate_text(estimates[str(r["measure"])], round(float(r["value"]))),
                "Numerator": MARKER if "numerator" in marks else r["numerator"],
                "Denominator": MARKER if "denominator" in marks else r["denominator"],
                "Returns received": r["returns_received"],
                "Returns expected": r["returns_expected"],
                "Completeness %": None
                if r["completeness"] is None
                else round(100 * float(r["completeness"]), 1),
                # Notes are free text that may quote counts: none beside a hidden cell.
                "Note": SUPPRESSED_NOTE if marks else r["note"],
            }
        )
    frame = pd.DataFrame(out, columns=_OUTCOME_COLUMNS, dtype=object)
    frame.index = pd.Index(range(1, len(frame) + 1), name="#")
    return PublishedTable(name="key_outcomes", title="The six key outcomes", cells=frame)


def _outcome_value(record: Mapping[str, Any]) -> object:
    """A share (:data:`SHARE_MEASURES`) as a percentage, other values rounded for reading.

    Counts stay whole numbers; rates such as "per spoke FTE" keep two decimals.
    """
    value = record["value"]
    if value is None:
        return None
    number = float(value)
    if str(record["measure"]).split(":")[0] in SHARE_MEASURES:
        return f"{100 * number:.1f}%"
    return int(number) if number.is_integer() else round(number, 2)


def profession_tables(key_outcomes: pd.DataFrame, *, min_cell: int) -> list[PublishedTable]:
    """Programme-level professionals by profession, each with its total, suppressed.

    The published categories plus "Not recorded" (the total minus the sum of
    professions, when positive) add up to the published total, so secondary
    suppression covers the whole line.
    """
    rows = key_outcomes[key_outcomes["level"] == "programme"]
    tables = []
    for measure in BY_PROFESSION:
        total_row = rows[rows["measure"] == measure]
        parts = rows[rows["measure"].str.startswith(f"{measure}:")]
        if parts.empty:
            continue
        counts = {
            str(m).split(":", 1)[1].replace("_", " ").capitalize(): _whole(v)
            for m, v in zip(parts["measure"], parts["value"], strict=True)
            if not pd.isna(v)
        }
        if not counts:
            continue
        total = (
            _whole(total_row["value"].iloc[0])
            if len(total_row) and not pd.isna(total_row["value"].iloc[0])
            else None
        )
        rest = (total - sum(counts.values())) if total is not None else 0
        if rest > 0:
            counts["Not recorded"] = rest
        series = pd.Series(counts, name="People", dtype="int64")
        series.index.name = "Profession"
        table = suppress_series(series, min_cell=min_cell)
        tables.append(
            PublishedTable(
                name=f"{measure}_by_profession",
                title=f"{measure_label(measure)} by profession",
                cells=cells_of(table),
                total_label=TOTAL,
            )
        )
    return tables


def scores_table(scores: pd.DataFrame, labels: Mapping[str, str]) -> PublishedTable:
    """Indicator values and coverage per spoke (scores are 0-1 ratios, not counts)."""
    frame = scores.copy()
    wide = frame.pivot_table(
        index="spoke_id",
        columns="indicator",
        values=["value", "coverage"],
        aggfunc="first",
        dropna=False,
    )
    out = pd.DataFrame(index=wide.index)
    for indicator in sorted(frame["indicator"].astype(str).unique()):
        out[f"{indicator.capitalize()}"] = [
            None if pd.isna(v) else round(float(v), 3) for v in wide[("value", indicator)]
        ]
        out[f"{indicator.capitalize()} coverage"] = [
            None if pd.isna(v) else round(float(v), 3) for v in wide[("coverage", indicator)]
        ]
    out.index = pd.Index([labels.get(str(s), str(s)) for s in out.index], name="Spoke")
    return PublishedTable(
        name="indicator_scores", title="Indicator scores by spoke", cells=out.astype(object)
    )


def components_table(components: pd.DataFrame, labels: Mapping[str, str]) -> PublishedTable:
    """Every component value and weight per spoke and indicator."""
    frame = pd.DataFrame(
        {
            "Spoke": [labels.get(str(s), str(s)) for s in components["spoke_id"]],
            "Indicator": components["indicator"].astype(str).tolist(),
            "Component": components["component"].astype(str).tolist(),
            "Value": [None if pd.isna(v) else round(float(v), 3) for v in components["value"]],
            "Weight": [
                None if pd.isna(v) else float(v)
                for v in components.get("weight", pd.Series([None] * len(components)))
            ],
        },
        dtype=object,
    )
    frame.index = pd.Index(range(1, len(frame) + 1), name="#")
    return PublishedTable(name="indicator_components", title="Indicator components", cells=frame)


# ---------------------------------------------------------------------------

_OUTCOME_COLUMNS: Final = [
    "Outcome",
    "Measure",
    "Value",
    "95% interval",
    "Estimate for missing returns",
    "Numerator",
    "Denominator",
    "Returns received",
    "Returns expected",
    "Completeness %",
    "Note",
]


def _outcome_measure_label(measure: str) -> str:
    """A readable label: catalogue labels for measures, with "per FTE" / "change" suffixes."""
    base, _, detail = measure.partition(":")
    for suffix, words in (("_per_fte", "per spoke FTE"), ("_change", "change on previous period")):
        stem = base.removesuffix(suffix)
        if base.endswith(suffix) and stem in measures():
            return f"{_label_of(stem)}, {words}"
    text = _label_of(base)
    return f"{text} ({detail.replace('_', ' ')})" if detail else text


def _label_of(measure_id: str) -> str:
    return measure_label(measure_id)


def _plain(record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            out[key] = None
        elif isinstance(value, float) and value.is_integer() and key != "completeness":
            out[key] = int(value)
        else:
            out[key] = value
    return out


def _small(value: object, min_cell: int) -> bool:
    return isinstance(value, int | float) and 1 <= value <= min_cell


def _hidden_outcome_cells(
    records: Sequence[Mapping[str, Any]], min_cell: int
) -> dict[int, set[str]]:
    """Which of value / numerator / denominator to hide in each programme outcome row."""
    hidden: dict[int, set[str]] = {}
    where = {str(r["measure"]): k for k, r in enumerate(records)}

    def hide(k: int, *cells: str) -> None:
        hidden.setdefault(k, set()).update(cells)

    for group in SHARE_GROUPS:
        members = [where[m] for m in group if m in where]
        if not members or records[members[0]]["denominator"] in (None, 0):
            continue
        counts = pd.Series(
            {records[k]["measure"]: int(records[k]["numerator"] or 0) for k in members},
            dtype="int64",
        )
        table = suppress_series(counts, min_cell=min_cell)
        for k in members:
            if table.mask.loc[records[k]["measure"]].iloc[0]:
                hide(k, "numerator", "value")
        if table.mask.loc[TOTAL].iloc[0]:
            for k in members:
                hide(k, "denominator")
    grouped = {m for g in SHARE_GROUPS for m in g}
    for k, r in enumerate(records):
        measure = str(r["measure"])
        if r["outcome"] not in PEOPLE_OUTCOMES or measure in NOT_PEOPLE or measure in grouped:
            continue
        num, den, value = r["numerator"], r["denominator"], r["value"]
        base = where.get(measure.removesuffix("_change")) if measure.endswith("_change") else None
        if base is not None:
            # A change on the previous period plus the current total gives the previous total.
            current = records[base]["value"]
            if value is not None and (
                current is None
                or _small(current, min_cell)
                or _small(current - value, min_cell)
                or "value" in hidden.get(base, set())
            ):
                hide(k, "value")
            continue
        if num is None and den is None:
            if _small(value, min_cell):
                hide(k, "value")
            continue
        if measure.endswith("_per_fte"):
            if _small(num, min_cell):
                hide(k, "value", "numerator")
            continue
        if _small(den, min_cell):
            hide(k, "value", "numerator", "denominator")
        if _is_count_share(measure) and num is not None and den is not None:
            # A share k of n also publishes n - k: both must be safe.
            if _small(num, min_cell) or _small(den - num, min_cell):
                hide(k, "value", "numerator")
        elif _small(num, min_cell):
            hide(k, "value", "numerator")
    return hidden


def _is_count_share(measure: str) -> bool:
    base = measure.split(":", 1)[0]
    return base in {"confidence_improved", "reliably_improved", "reliably_deteriorated"}


def _whole(value: object) -> int:
    number = float(value)  # type: ignore[arg-type]
    if not number.is_integer() or number < 0:
        raise ReportError(f"a published count must be a non-negative whole number, got {value!r}")
    return int(number)


def _whole_pivot(
    rows: pd.DataFrame, *, index: str, columns: str, keep_absent: bool = False
) -> pd.DataFrame:
    """Sum ``value`` by ``index`` x ``columns``; whole numbers required (NA where no row)."""
    values = pd.to_numeric(rows["value"], errors="coerce").astype("float64")
    frame = rows.assign(
        value=values, **{index: rows[index].astype(str), columns: rows[columns].astype(str)}
    )
    grid = frame.pivot_table(
        index=index, columns=columns, values="value", aggfunc="sum", dropna=False
    )
    present = frame.groupby([index, columns]).size().unstack()
    grid = grid.where(present.reindex_like(grid).notna())
    fractional = grid.notna() & (grid != grid.round())
    if fractional.to_numpy().any():
        r, k = (int(x) for x in np.argwhere(fractional.to_numpy())[0])
        raise ReportError(
            f"{columns} {grid.columns[k]!r} of {index} {grid.index[r]!r} sums to a fraction: "
            "counts must be whole"
        )
    return grid if keep_absent else grid.fillna(0).astype("int64")


def _is_quarter(values: pd.DataFrame) -> pd.Series:
    days = (
        pd.to_datetime(values["period_end"]) - pd.to_datetime(values["period_start"])
    ).dt.days + 1
    return (days >= QUARTER_DAYS[0]) & (days <= QUARTER_DAYS[1])


def quarter_order(values: pd.DataFrame) -> list[str]:
    """Labels of the quarter-length periods in ``values``, oldest first."""
    quarters = values[_is_quarter(values)]
    ordered = (
        quarters[["period_label", "period_start"]]
        .drop_duplicates("period_label")
        .sort_values("period_start", kind="stable")
    )
    return [str(label) for label in ordered["period_label"]]
