"""Build the published report: one self-contained HTML file plus CSV and XLSX exports.

:class:`ReportData` holds aggregate frames only (no case records). The
generation date is passed in, never read from the clock, so the same data
always gives the same bytes. :func:`build_report` writes::

    out_dir/report.html
    out_dir/exports/<table>.csv and <table>.xlsx   (the same published tables)

Every count of people passes through :mod:`hubspoke.privacy.suppression`
before it reaches either; see ``docs/privacy.md``.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from hubspoke import __version__
from hubspoke.errors import PrivacyError, ReportError
from hubspoke.indicators.outcomes import COLUMNS as OUTCOME_COLUMNS
from hubspoke.indicators.quality import RECEIVED_RULE
from hubspoke.privacy.exports import write_csv, write_xlsx
from hubspoke.privacy.rounding import rounded_figures, rounded_outcomes
from hubspoke.privacy.suppression import DEFAULT_MIN_CELL, MARKER, TOTAL
from hubspoke.report import charts, units
from hubspoke.report import html as h
from hubspoke.report import tables as t

#: Columns that would carry row-level or personal data; a frame holding one is refused.
ROW_LEVEL_COLUMNS = frozenset(
    {
        "case_id",
        "name",
        "first_name",
        "last_name",
        "full_name",
        "date_of_birth",
        "dob",
        "email",
        "postcode",
        "address",
    }
)

_REQUIRED: dict[str, tuple[str, ...]] = {
    "spokes": ("spoke_id", "hub_id", "phase", "area_name"),
    "scores": ("spoke_id", "indicator", "value", "coverage"),
    "components": ("spoke_id", "indicator", "component", "value"),
    "key_outcomes": OUTCOME_COLUMNS,
    "values": ("service_id", "period_label", "period_start", "period_end", "measure", "value"),
    "returns_status": ("service_id", "period_label", "status"),
    "field_completeness": ("service_id", "field", "records", *t.COMPLETENESS_PARTS),
}

_STATUS_COLOURS = {
    "Received on time": "#009E73",
    "Received late": "#E69F00",
    "Received (date unknown)": "#56B4E9",
    "Partly received": "#CC79A7",
    "Missing": "#D55E00",
}


@attrs.frozen(kw_only=True)
class Provenance:
    """Where a stored return came from: file name, its SHA-256, importer, import time (text)."""

    file_name: str
    sha256: str
    importer: str
    imported_at: str


@attrs.frozen(kw_only=True, eq=False)
class ReportData:
    """Everything the report shows, as aggregate frames (column names: ``docs/INTERFACES``).

    ``spokes``: spokes frame; ``scores`` / ``components``: ProgrammeScores
    frames; ``key_outcomes``: key outcomes frame; ``values``: the figure used
    per return and measure (:func:`hubspoke.figures.published.figures_by_return`,
    for trends and totals; a plain values frame's total rows also serve);
    ``returns_status``: the returns register with a status per expected
    return; ``field_completeness``: per service and field; ``reconciliation``:
    figures whose sources disagree (:meth:`Workspace.reconciliation`), published
    only as counts of returns per measure and pair of sources.
    Frames must not hold row-level columns (:data:`ROW_LEVEL_COLUMNS`).
    """

    programme_name: str
    period_label: str
    rubric_version: str
    generated_on: date
    spokes: pd.DataFrame
    scores: pd.DataFrame
    components: pd.DataFrame
    key_outcomes: pd.DataFrame
    values: pd.DataFrame
    returns_status: pd.DataFrame
    field_completeness: pd.DataFrame
    provenance: tuple[Provenance, ...] = ()
    reconciliation: pd.DataFrame | None = None
    #: The figures frame of the period (:func:`hubspoke.figures.table.figures_frame`, every
    #: level): the phase section, the hub tables, intervals and missing-return estimates.
    figures: pd.DataFrame | None = None
    #: Field completeness counted per young person (``unit`` "young people"), beside
    #: ``field_completeness`` per case record.
    completeness_people: pd.DataFrame | None = None

    def __attrs_post_init__(self) -> None:
        for name, required in _REQUIRED.items():
            frame = getattr(self, name)
            personal = sorted(ROW_LEVEL_COLUMNS & {str(c).lower() for c in frame.columns})
            if personal:
                raise PrivacyError(
                    f"ReportData.{name} holds row-level column(s) {personal}: "
                    "the report takes aggregate frames only"
                )
            missing = [c for c in required if c not in frame.columns]
            if missing:
                raise ReportError(f"ReportData.{name} lacks column(s) {missing}")


@attrs.frozen(kw_only=True, eq=False)
class PublishedReport:
    """The report's HTML and every table it publishes (as exported)."""

    html: str
    tables: tuple[t.PublishedTable, ...]


def build_report(data: ReportData, out_dir: Path, *, min_cell: int = DEFAULT_MIN_CELL) -> Path:
    """Write ``out_dir/report.html`` and ``out_dir/exports/*.csv|xlsx``; return the HTML path.

    Counts of people from 1 to ``min_cell`` are suppressed, with secondary
    suppression against recovery from totals.

    Everything is written first into a temporary folder beside ``out_dir``
    and then moved into place (``exports/`` swapped whole, ``report.html``
    replaced by a rename), so a failure part-way (a full disk) leaves the
    previous report and exports as they were, and a new report never keeps
    stale exports of an earlier one. Other files in ``out_dir`` are left alone.
    """
    published = render_report(data, min_cell=min_cell)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent)
    )
    try:
        try:
            exports = staging / "exports"
            for table in published.tables:
                frame = table.export_frame()
                write_csv(frame, exports / f"{table.name}.csv")
                write_xlsx(frame, exports / f"{table.name}.xlsx", sheet=table.name)
            (staging / "report.html").write_text(published.html, encoding="utf-8")
            _move_into_place(staging, out_dir)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise ReportError(
                    f"{out_dir}: the disk is full, so the report was not written; "
                    "any earlier report there is unchanged"
                ) from exc
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir / "report.html"


def _move_into_place(staging: Path, out_dir: Path) -> None:
    """Move the staged ``report.html`` and ``exports/`` into ``out_dir`` by renames only."""
    if not out_dir.exists():
        out_dir.mkdir()
    old = staging / "old-exports"
    if (out_dir / "exports").exists():
        (out_dir / "exports").rename(old)
    (staging / "exports").rename(out_dir / "exports")
    os.replace(staging / "report.html", out_dir / "report.html")


def render_report(data: ReportData, *, min_cell: int = DEFAULT_MIN_CELL) -> PublishedReport:
    """The report as HTML text plus its published tables, without writing anything."""
    labels = t.service_labels(data.spokes)
    # Counts of people are rounded per return before anything adds them up, and the key
    # outcomes repeat the rounded totals: every edition publishes only sums of rounded
    # figures, so no set of editions can be differenced (hubspoke.privacy.rounding).
    figures = rounded_figures(data.values, t.TREND_MEASURES)
    by_period = {
        m: q
        for m in t.TREND_MEASURES
        if (q := t.period_table(figures, m, labels, min_cell=min_cell)) is not None
    }
    grand = {m: _row(q.cells, TOTAL).get(TOTAL) for m, q in by_period.items()}
    data = attrs.evolve(
        data,
        key_outcomes=rounded_outcomes(
            data.key_outcomes,
            people_outcomes=t.PEOPLE_OUTCOMES,
            not_people=t.NOT_PEOPLE,
            shares=t.SHARE_MEASURES,
            totals={m: v for m, v in grand.items() if isinstance(v, int) and not t._distinct(m)},
        ),
    )
    quarterly = list(by_period.values())
    totals = t.service_totals(by_period)
    professions = t.profession_tables(data.key_outcomes, min_cell=min_cell)
    # A figure hidden in one table must not be shown by another: the same programme totals
    # appear in the key outcomes, so hide them there when their own table hides them.
    hidden = {m for m, q in by_period.items() if _row(q.cells, TOTAL).get(TOTAL) == MARKER}
    hidden |= {
        p.name.removesuffix("_by_profession")
        for p in professions
        if _row(p.cells, TOTAL).get(p.cells.columns[0]) == MARKER
    }
    outcomes = t.outcomes_table(
        data.key_outcomes, min_cell=min_cell, hidden_measures=hidden, figures=data.figures
    )
    phases, hubs = (
        units.unit_tables(
            data.figures,
            data.spokes,
            units.hidden_spokes(by_period, labels),
            min_cell=min_cell,
            by_return=data.values,
        )
        if data.figures is not None
        else ([], [])
    )
    status = t.returns_status_counts(data.returns_status, labels)
    completeness = t.field_completeness_table(data.field_completeness, min_cell=min_cell)
    people = (
        attrs.evolve(
            t.field_completeness_table(data.completeness_people, min_cell=min_cell),
            name="field_completeness_young_people",
            title="Field completeness across young people (each counted once per service)",
        )
        if data.completeness_people is not None and len(data.completeness_people)
        else None
    )
    if people is not None:
        people = attrs.evolve(
            people, cells=people.cells.rename(columns={"Records": "Young people"})
        )
    scores = t.scores_table(data.scores, labels)
    components = t.components_table(data.components, labels)

    sections = [
        h.Section(
            id="overview", heading="Programme overview", body=_overview(data, totals, status)
        ),
        h.Section(
            id="outcomes",
            heading="The six key outcomes",
            body=_outcomes(data, outcomes, professions),
        ),
        *(
            [
                h.Section(id="phases", heading="Each phase", body=_units_body(phases, "phase")),
                h.Section(id="hubs", heading="Each hub", body=_units_body(hubs, "hub")),
            ]
            if data.figures is not None
            else []
        ),
        h.Section(id="indicators", heading="Indicators by spoke", body=_indicators(data, labels)),
        h.Section(id="trends", heading="Trends by quarter", body=_trends(data, quarterly)),
        h.Section(
            id="data-quality",
            heading="Data quality",
            body=_quality(data, status, completeness, labels, min_cell)
            + ("" if people is None else _people_completeness(people)),
        ),
        h.Section(id="provenance", heading="Rubric and data provenance", body=_provenance(data)),
    ]
    footer = (
        f"Small-number suppression: counts of people from 1 to {min_cell} are shown as "
        f"{MARKER}, and further cells are suppressed so that no hidden count can be worked out "
        "from the totals beside it in the same table. Zeros are shown. The report holds no "
        "row-level records. Generated on "
        f"{data.generated_on.isoformat()} by hubspoke {__version__}; rubric "
        f"{data.rubric_version}."
    )
    document = h.page(
        title=f"{data.programme_name}: evaluation report",
        subtitle_lines=[
            f"Period: {data.period_label}",
            f"Generated on {data.generated_on.isoformat()} · rubric {data.rubric_version}",
        ],
        sections=sections,
        footer=footer,
    )
    published = (
        totals,
        *quarterly,
        outcomes,
        *professions,
        scores,
        components,
        status,
        completeness,
        *([] if people is None else [people]),
        *phases,
        *hubs,
    )
    if data.reconciliation is not None and not data.reconciliation.empty:
        published += (t.reconciliation_counts(data.reconciliation),)
    return PublishedReport(html=document, tables=published)


# -- sections --------------------------------------------------------------------------------


def _overview(data: ReportData, totals: t.PublishedTable, status: t.PublishedTable) -> str:
    spokes = data.spokes
    phases = sorted({int(p) for p in spokes["phase"].dropna()})
    returns = {k: int(v) for k, v in _row(status.cells, TOTAL).items()}
    received = sum(returns[t.status_column(s)] for s in ("on_time", "late", "undated"))
    expected = sum(returns.values())
    figures = [
        (str(len(spokes)), "spokes"),
        (str(spokes["hub_id"].nunique()), "hubs"),
        (", ".join(str(p) for p in phases) or "–", "phases"),
        (f"{received} of {expected}", "expected returns due received (whole period covered)"),
    ]
    if TOTAL in totals.cells.index:
        figures += [(_count_text(v), c) for c, v in _row(totals.cells, TOTAL).items()]
    spoke_table = pd.DataFrame(
        {
            "Hub": spokes["hub_id"].astype(str).tolist(),
            "Phase": [None if pd.isna(p) else int(p) for p in spokes["phase"]],
            "Area": spokes["area_name"].astype(str).tolist(),
        },
        index=pd.Index(spokes["spoke_id"].astype(str).tolist(), name="Spoke"),
        dtype=object,
    )
    return "".join(
        [
            h.paragraph(
                f"{data.programme_name}: {len(spokes)} spokes placed by "
                f"{spokes['hub_id'].nunique()} hubs, reported for {data.period_label}. "
                "Totals below add up the figures services reported in their returns; "
                "where a return is missing the total is an underestimate (see Data quality). "
                "Counts of young people summed over periods count a young person once in "
                "each period they were supported; the six key outcomes count each young "
                "person once where services sent case records."
            ),
            h.cards(figures),
            h.table(totals.cells, caption=totals.title, total_label=TOTAL),
            h.table(spoke_table, caption="Spokes in the programme"),
        ]
    )


def _outcomes(
    data: ReportData, outcomes: t.PublishedTable, professions: Sequence[t.PublishedTable]
) -> str:
    rows = data.key_outcomes[data.key_outcomes["level"] == "programme"]
    parts = []
    if len(rows):
        first = rows.iloc[0]
        got, expected = first["returns_received"], first["returns_expected"]
        share = first["completeness"]
        parts.append(
            h.paragraph(
                f"Completeness of the data behind these outcomes: {got} of {expected} expected "
                f"returns received ({'n/a' if pd.isna(share) else f'{100 * float(share):.0f}%'})."
            )
        )
    headline = [
        ("sustainable_funding", 1, "Sustainable funding"),
        ("embedded", 2, "Embedded"),
        ("distinct_identity", 3, "Distinct identity"),
    ]
    labels, values, texts = [], [], []
    for measure, number, short in headline:
        found = rows[rows["measure"] == measure]
        if found.empty:
            continue
        r = found.iloc[0]
        labels.append(f"{number}. {short}")
        value = None if pd.isna(r["value"]) else float(r["value"])
        values.append(value)
        texts.append(
            "no evidence"
            if value is None
            else f"{100 * value:.0f}% ({int(r['numerator'])} of {int(r['denominator'])} spokes)"
        )
    if labels:
        parts.append(
            h.figure(
                charts.bar_chart(
                    labels,
                    values,
                    texts=texts,
                    max_value=1.0,
                    title="Outcomes 1 to 3: share of spokes meeting each",
                ),
                "Share of spokes meeting outcomes 1 to 3 (spokes with evidence only).",
            )
        )
    names = "; ".join(f"{n}. {name}" for n, name in t.OUTCOME_NAMES.items())
    parts.append(h.paragraph(f"Outcomes: {names}.", note=True))
    shown = outcomes.cells.set_index("Measure")[
        [
            "Outcome",
            "Value",
            "95% interval",
            "Numerator",
            "Denominator",
            "Estimate for missing returns",
            "Note",
        ]
    ]
    parts.append(h.table(shown, caption=outcomes.title))
    for table in professions:
        parts.append(h.table(table.cells, caption=table.title, total_label=TOTAL))
    return "".join(parts)


def _units_body(tables: Sequence[t.PublishedTable], level: str) -> str:
    """The phase section or the hub section: one table per unit (see :mod:`.units`)."""
    if not tables:
        return h.paragraph(f"No {level} has an active spoke in this period.")
    intro = (
        f"Each {level}'s reach, training, outcomes 1 to 3 (shares of its spokes, with "
        "Wilson 95% intervals) and the returns behind them. Young people given one-to-one "
        f"support are counted once across the {level}'s spokes and over the whole period, "
        "never summed. Where returns are missing, counts show an estimate adjusted for them "
        "(ratio imputation from each spoke's other periods, see the indicators "
        "documentation): an estimate, never the count. A count is suppressed where it is "
        "small or where one of its spokes' totals is suppressed."
    )
    parts = [h.paragraph(intro)]
    for table in tables:
        parts.append(h.heading(table.title))
        parts.append(h.table(table.cells, caption=table.title))
    return "".join(parts)


def _people_completeness(people: t.PublishedTable) -> str:
    return "".join(
        [
            h.heading("Field completeness across young people"),
            h.paragraph(
                "The table above counts case records: a young person in four quarterly returns "
                "counts four times. This one counts each young person once per service: a "
                "field is known if any of their records gives it, else declined, else not "
                "recorded, else missing."
            ),
            h.table(people.cells, caption=people.title),
        ]
    )


def _indicators(data: ReportData, labels: dict[str, str]) -> str:
    parts = [
        h.paragraph(
            "Each indicator is the weighted mean of its available components, each from 0 to 1. "
            "Coverage is the share of the weight with evidence; below the rubric's minimum the "
            "indicator is not scored (insufficient evidence). Grey cells had no evidence."
        )
    ]
    for indicator in data.scores["indicator"].astype(str).unique():
        mine = data.scores[data.scores["indicator"].astype(str) == indicator]
        spoke_ids = [str(s) for s in mine["spoke_id"]]
        values = [None if pd.isna(v) else float(v) for v in mine["value"]]
        texts = [
            ("insufficient evidence" if v is None else f"{v:.2f}")
            + f" · coverage {100 * float(c):.0f}%"
            for v, c in zip(values, mine["coverage"], strict=True)
        ]
        names = [labels.get(s, s) for s in spoke_ids]
        parts.append(h.heading(indicator.capitalize()))
        parts.append(
            h.figure(
                charts.bar_chart(
                    names,
                    values,
                    texts=texts,
                    max_value=1.0,
                    title=f"{indicator.capitalize()} by spoke",
                ),
                f"{indicator.capitalize()} (0 to 1) per spoke, with the coverage of its evidence.",
            )
        )
        comp = data.components[data.components["indicator"].astype(str) == indicator]
        if comp.empty:
            continue
        components = list(dict.fromkeys(comp["component"].astype(str)))
        held: dict[str, dict[str, float | None]] = {}
        for sid, c, v in zip(comp["spoke_id"], comp["component"], comp["value"], strict=True):
            held.setdefault(str(sid), {})[str(c)] = None if pd.isna(v) else float(v)
        grid = []
        for spoke in spoke_ids:
            by = held.get(spoke, {})
            grid.append([by.get(c) for c in components])
        parts.append(
            h.figure(
                charts.heat_map(
                    names,
                    [c.replace("_", " ").capitalize() for c in components],
                    grid,
                    title=f"{indicator.capitalize()} components by spoke",
                ),
                f"Components of {indicator} per spoke (0 to 1); grey: not available.",
            )
        )
    return "".join(parts)


def _trends(data: ReportData, quarterly: Sequence[t.PublishedTable]) -> str:
    if not quarterly:
        return h.paragraph("No quarterly figures were reported for this period.")
    order = t.quarter_order(t.total_rows(data.values))
    if not order:
        return h.paragraph("No quarterly figures were reported for this period.")
    series = []
    for table in quarterly:
        row = _row(table.cells, TOTAL)
        series.append(
            charts.Series(
                name=table.title.removesuffix(" by quarter"),
                values=tuple(float(row[q]) if isinstance(row.get(q), int) else None for q in order),
            )
        )
    parts = [
        h.paragraph(
            "Programme totals per quarter from quarterly returns; annual and other returns are "
            "in the tables' last period column and in the totals, not in the chart. A gap means "
            "the total is suppressed or not reported."
        ),
        h.figure(
            charts.line_chart(
                order, series, title="Referrals, reach and training by quarter", y_label="people"
            ),
            "Programme totals by quarter.",
        ),
    ]
    for table in quarterly:
        parts.append(h.table(table.cells, caption=table.title, total_label=TOTAL))
    return "".join(parts)


def _quality(
    data: ReportData,
    status: t.PublishedTable,
    completeness: t.PublishedTable,
    labels: dict[str, str],
    min_cell: int,
) -> str:
    services = status.cells.drop(index=TOTAL)
    segments = [
        charts.Segment(
            name=name, colour=_STATUS_COLOURS[name], values=tuple(int(v) for v in services[name])
        )
        for name in services.columns
    ]
    parts = [
        h.heading("Returns received, late and missing"),
        h.figure(
            charts.stacked_bar_chart(
                [str(s) for s in services.index], segments, title="Returns by service"
            ),
            "Expected returns by status (returns not yet due are left out).",
        ),
        h.table(status.cells, caption=status.title, total_label=TOTAL),
        h.paragraph(f"Rule: {RECEIVED_RULE}."),
        h.heading("Field completeness"),
    ]
    cells = completeness.cells
    shares = [None if not isinstance(v, float | int) else float(v) / 100 for v in cells["Known %"]]
    texts = [
        (MARKER if v == MARKER else "n/a") if not isinstance(v, float | int) else f"{v:.0f}%"
        for v in cells["Known %"]
    ]
    parts.append(
        h.figure(
            charts.bar_chart(
                [str(i) for i in cells.index],
                shares,
                texts=texts,
                max_value=1.0,
                colour=charts.PALETTE[2],
                title="Share of case records with a known value, by field",
            ),
            "Known values as a share of all case records; declined and not recorded are apart.",
        )
    )
    parts.append(h.table(cells, caption=completeness.title))
    parts.append(_reconciliation(data))
    rows, columns, grid = t.completeness_shares(data.field_completeness, labels, min_cell=min_cell)
    if rows:
        parts.append(
            h.figure(
                charts.heat_map(rows, columns, grid, title="Field completeness by service"),
                f"Share known per service and field; grey where a service has {min_cell} or "
                "fewer records for the field.",
            )
        )
    return "".join(parts)


def _reconciliation(data: ReportData) -> str:
    """Where two sources of a return's figure disagree: counts of returns, never the figures."""
    found = data.reconciliation
    heading = h.heading("Figures whose sources disagree")
    if found is None or found.empty:
        return heading + h.paragraph(
            "In every return counted here, the figures services reported agree with their own "
            "breakdowns, activity records and case records."
        )
    table = t.reconciliation_counts(found)
    return "".join(
        [
            heading,
            h.paragraph(
                f"{len(found)} figure(s) differ between two sources of the same return. The "
                "report uses each measure's documented source (the reported total first, then "
                "a breakdown, activity records, case records; distinct young people from case "
                "records) and keeps both. The figures themselves are in `hubspoke score --table "
                "reconciliation`, for the evaluation team."
            ),
            h.table(table.cells, caption=table.title),
        ]
    )


def _provenance(data: ReportData) -> str:
    parts = [
        h.paragraph(
            f"Scores use rubric version {data.rubric_version}. Each stored return keeps the file "
            "it came from, the file's SHA-256, and the importer that read it."
        )
    ]
    if data.provenance:
        frame = pd.DataFrame(
            {
                "SHA-256": [p.sha256 for p in data.provenance],
                "Importer": [p.importer for p in data.provenance],
                "Imported at": [p.imported_at for p in data.provenance],
            },
            # never the file's name, which may hold anything a sender typed (a name, a date
            # of birth): a short hash and the format say which file it was
            index=pd.Index([provenance_label(p) for p in data.provenance], name="File"),
            dtype=object,
        )
        parts.append(h.table(frame, caption="Files behind this report"))
    else:
        parts.append(h.paragraph("No provenance was supplied.", note=True))
    return "".join(parts)


def provenance_label(p: Provenance) -> str:
    """How the report names a file: ``file 3f2a9c1e (hubspoke-values 1.0)``, never its name."""
    return f"file {p.sha256[:8]} ({p.importer})"


def _row(frame: pd.DataFrame, label: str) -> dict[str, Any]:
    """The row labelled ``label`` as column name -> Python value."""
    position = list(frame.index).index(label)
    return {str(c): v for c, v in zip(frame.columns, frame.iloc[position].tolist(), strict=True)}


def _count_text(value: object) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return MARKER if value == MARKER else "–"
