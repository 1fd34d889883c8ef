"""``hubspoke score --workspace W [--period P] [--level L] [--measure M] [--json|--csv|--xlsx F]``.

Prints each active spoke's embeddedness, independence and sustainability for
the period with its coverage (the share of the rubric's evidence that was
available), then the six key outcomes rolled up to the programme.
``--table components`` shows what each score is made of; ``--table
outcomes`` the outcomes at every level (spoke, hub, phase, programme).
``--table reconciliation`` lists every figure two sources of a return
disagree on (a reported total and the case records, say): both are kept, the
documented one is used, and the difference is shown.

``--level programme|phase|hub|spoke`` and ``--measure NAME`` (repeatable)
show the figures frame (:meth:`Workspace.figures
<hubspoke.workspace.Workspace.figures>`) for that level or measure: counts as
whole numbers, shares as percentages with their Wilson 95% interval, and
beside a count with missing returns its estimate adjusted for them (labelled
an estimate). ``--by quarter|year`` splits the period.

``--period`` takes a label (``2016-17``, ``2016-17 Q2``), a run of financial
years or quarters (``2013-14 to 2016-17``) or ``all`` (programme to date);
the default is ``all`` for both ``score`` and ``report``, and the period used
is printed first. ``--json`` prints everything as one document, ``--csv`` the
chosen table, ``--xlsx FILE`` every table of the period in one workbook
(published, suppressed view; ``--internal`` for the unsuppressed one, marked
so in the file).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pandas as pd

from hubspoke.cli._common import EXIT_OK, EXIT_USAGE, fail, friendly_errors, workspace_option
from hubspoke.cli._frames import json_value, records
from hubspoke.errors import PeriodError
from hubspoke.periods import Period
from hubspoke.workspace import Workspace

if TYPE_CHECKING:
    from hubspoke.indicators.rubric import Rubric

TABLES = ("scores", "components", "outcomes", "figures", "reconciliation", "completeness")
LEVELS = ("programme", "phase", "hub", "spoke")


def default_period(ws: Workspace) -> Period:
    """The default of ``score`` and ``report``: programme to date (``Workspace.default_period``)."""
    if ws.latest_period_start() is None:
        fail(
            f"{ws.path} holds no returns yet; import some (hubspoke import FILE... "
            "--workspace ...) or name a --period",
            1,
        )
    return ws.default_period()


def resolve_period(ws: Workspace, text: str | None) -> Period:
    """``--period`` read against the workspace: a label, a range, ``all``, or the default."""
    if text is None:
        return default_period(ws)
    try:
        return ws.period(text)
    except PeriodError as exc:
        fail(f"--period: {exc}", EXIT_USAGE)


def figure_value(rec: dict[str, object]) -> object:
    """A figures-frame value for JSON and CSV: whole numbers for counts, else the float."""
    value = json_value(rec.get("value"))
    if rec.get("kind") == "count" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def figures_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The figures frame as JSON rows, counts as integers."""
    rows = records(frame)
    for row in rows:
        row["value"] = figure_value(row)
    return rows


def _outcome_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    from hubspoke.figures.table import figure_kind

    rows = records(frame)
    for row in rows:
        row["value"] = figure_value(
            {"value": row["value"], "kind": figure_kind(str(row["measure"]))}
        )
    return rows


def _shown(rec: Mapping[Any, object]) -> str:
    value = json_value(rec["value"])
    if value is None:
        return "n/a"
    kind = rec["kind"]
    if kind == "share":
        assert isinstance(value, float | int)
        low, high = json_value(rec["ci_low"]), json_value(rec["ci_high"])
        text = f"{100 * value:.1f}%"
        if isinstance(low, float) and isinstance(high, float):
            text += f" (95% CI {100 * low:.1f}-{100 * high:.1f}%)"
        return text
    if kind == "count" and isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return _number(value)


def _estimate(rec: Mapping[Any, object]) -> str:
    est = json_value(rec["estimate"])
    if not isinstance(est, float):
        return ""
    low, high = json_value(rec["estimate_low"]), json_value(rec["estimate_high"])
    assert isinstance(low, float)
    assert isinstance(high, float)
    return f"estimate {est:.0f} ({low:.0f}-{high:.0f}), {rec['missing_returns']} missing"


def figures_text(frame: pd.DataFrame) -> str:
    """The figures frame as aligned text: period, unit, measure, value, returns, estimate, note."""
    if frame.empty:
        return "(no figures: no spoke is active in the period, or no such measure)"
    several = frame["period_label"].nunique() > 1
    rows = []
    for rec in frame.to_dict("records"):
        note = json_value(rec["note"])
        rows.append(
            ([str(rec["period_label"])] if several else [])
            + [
                str(rec["unit_label"]),
                str(rec["measure"]),
                _shown(rec),
                f"{_number(rec['returns_received'])}/{_number(rec['returns_expected'])}",
                _estimate(rec),
                "" if note is None else str(note),
            ]
        )
    header = ["unit", "measure", "value", "returns", "adjusted for missing returns", "note"]
    return _grid((["period"] if several else []) + header, rows)


def _number(value: object, digits: int = 2) -> str:
    v = json_value(value)
    if v is None:
        return "n/a"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.{digits}f}"
    return str(int(v)) if isinstance(v, float | int) else str(v)


def _grid(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def scores_text(scores: pd.DataFrame) -> str:
    """One line per spoke: each indicator's value with its coverage in brackets."""
    indicators = list(dict.fromkeys(scores["indicator"].tolist()))
    by_spoke: dict[str, dict[str, str]] = {}
    keys: dict[str, list[str]] = {}
    for rec in scores.to_dict("records"):
        sid = str(rec["spoke_id"])
        keys[sid] = [sid, str(rec["hub_id"]), _number(rec["phase"])]
        value = json_value(rec["value"])
        # scores always with 2 decimals, so 1.00 and 0.99 line up
        shown = f"{value:.2f}" if isinstance(value, float | int) else "n/a"
        by_spoke.setdefault(sid, {})[str(rec["indicator"])] = (
            f"{shown} ({float(rec['coverage']):.0%})"
        )
    rows = [keys[s] + [by_spoke[s].get(i, "") for i in indicators] for s in sorted(by_spoke)]
    return _grid(["spoke", "hub", "phase", *indicators], rows)


def components_text(components: pd.DataFrame) -> str:
    rows = [
        [
            str(rec["spoke_id"]),
            str(rec["indicator"]),
            str(rec["component"]),
            _number(rec["value"]),
            f"{float(rec['weight']):.2f}",
        ]
        for rec in components.to_dict("records")
    ]
    return _grid(["spoke", "indicator", "component", "value", "weight"], rows)


def outcomes_text(outcomes: pd.DataFrame, level: str | None) -> str:
    chosen = outcomes if level is None else outcomes[outcomes["level"] == level]
    rows = [
        ([str(rec["level"]), str(rec["unit_id"])] if level is None else [])
        + [
            _number(rec["outcome"]),
            str(rec["measure"]),
            _number(rec["value"]),
            f"{_number(rec['returns_received'])}/{_number(rec['returns_expected'])}",
            "" if json_value(rec["note"]) is None else str(rec["note"]),
        ]
        for rec in chosen.to_dict("records")
    ]
    if not rows:
        return "(no outcomes: no spoke is active in the period)"
    header = ["outcome", "measure", "value", "returns", "note"]
    return _grid((["level", "unit"] if level is None else []) + header, rows)


def _register(ws: Workspace) -> dict[str, Any]:
    """The returns register as of today, in the words ``hubspoke returns`` uses (issue 9)."""
    from datetime import date

    from hubspoke.indicators.quality import RECEIVED_RULE, register_counts, register_line

    today = date.today()
    counts = register_counts(ws.returns_status(today))
    return {
        "today": today.isoformat(),
        "counts": counts,
        "text": register_line(counts),
        "rule": RECEIVED_RULE,
    }


def completeness_text(completeness: pd.DataFrame) -> str:
    """Per field, the whole programme: known / declined / not recorded / missing, both counts."""
    if completeness.empty:
        return "No case records in this period: field completeness needs case records."
    parts = ["known", "declined", "not_recorded", "missing"]
    sums = completeness.groupby(["unit", "field"], sort=False)[["records", *parts]].sum()
    flat = sums.reset_index()
    rows = [
        [
            str(r["field"]),
            str(r["unit"]),
            str(int(r["records"])),
            *(str(int(r[p])) for p in parts),
            f"{100 * int(r['known']) / int(r['records']):.1f}%" if int(r["records"]) else "n/a",
        ]
        for r in flat.to_dict("records")
    ]
    return (
        "Field completeness, counting case records (a young person in four returns counts "
        "four times) and young people (each once per service):\n"
        + _grid(["field", "counting", "total", *parts, "known %"], rows)
    )


def reconciliation_text(differences: pd.DataFrame) -> str:
    """One line per figure whose sources disagree, or a line saying they all agree."""
    if differences.empty:
        return "Every figure's sources agree: nothing to reconcile in this period."
    lines = [f"{len(differences)} figure(s) where two sources of a return disagree:"]
    lines += [f"  {m}" for m in differences["message"].astype(str)]
    return "\n".join(lines)


@click.command()
@workspace_option()
@click.option(
    "--period",
    metavar="P",
    help="Assessment period: 2015-16, '2015-16 Q2', '2013-14 to 2016-17', "
    "'2015-16 Q1 to 2015-16 Q3', or all (programme to date). Default: all.",
)
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    help="Show the figures of one level (programme, phase, hub or spoke).",
)
@click.option(
    "--measure",
    "measures",
    multiple=True,
    metavar="NAME",
    help="Show only this measure (repeatable), e.g. young_people_one_to_one or embedded.",
)
@click.option(
    "--by",
    type=click.Choice(("quarter", "year")),
    help="Split the period into financial quarters or years (with --level or --measure).",
)
@click.option(
    "--rubric",
    "rubric_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A rubric file to score with instead of the default rubric.",
)
@click.option(
    "--table",
    type=click.Choice(TABLES),
    default="scores",
    show_default=True,
    help="What to show (and what --csv writes): scores, their components, all outcomes, "
    "or where two sources of a figure disagree (reconciliation).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print scores, components and outcomes as JSON."
)
@click.option("--csv", "as_csv", is_flag=True, help="Print the chosen --table as CSV.")
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every table of the period to this workbook (suppressed unless --internal).",
)
@click.option(
    "--internal",
    is_flag=True,
    help="With --xlsx: the unsuppressed internal view (marked so in the file).",
)
@click.option(
    "--min-cell",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="With --xlsx: the largest count of people suppressed.",
)
@friendly_errors
def score(
    workspace: Path,
    period: str | None,
    level: str | None,
    measures: tuple[str, ...],
    by: str | None,
    rubric_file: Path | None,
    table: str,
    as_json: bool,
    as_csv: bool,
    xlsx: Path | None,
    internal: bool,
    min_cell: int,
) -> None:
    """Score every spoke's indicators, with coverage, and roll up the six key outcomes."""
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    rubric = None
    if rubric_file is not None:
        from hubspoke.indicators.rubric import load_rubric

        rubric = load_rubric(rubric_file)
    if internal and xlsx is None:
        fail("--internal goes with --xlsx FILE")
    if by is not None and level is None and not measures:
        fail("--by goes with --level or --measure")
    with Workspace.open(workspace, read_only=True) as ws:
        chosen = resolve_period(ws, period)
        result = ws.scores(chosen, rubric)
        outcomes = ws.key_outcomes(chosen, rubric)
        differences = ws.reconciliation(chosen)
        figures = ws.figures(chosen, level=level, by=by, measures=measures or None, rubric=rubric)
        completeness = pd.concat(
            [
                ws.field_completeness(chosen).assign(unit="records"),
                ws.field_completeness(chosen, per="young_person"),
            ],
            ignore_index=True,
        )
        register = _register(ws)
        if xlsx is not None:
            _write_xlsx(ws, chosen, xlsx, internal=internal, min_cell=min_cell, rubric=rubric)
    if level is not None or measures:
        table = "figures" if table == "scores" else table
    frames = {
        "scores": result.scores,
        "components": result.components,
        "outcomes": outcomes,
        "figures": figures,
        "reconciliation": differences,
        "completeness": completeness,
    }
    said = f"Period {chosen.label} ({chosen.start} to {chosen.end})"
    if period is None:
        said += ", the default: programme to date (name another with --period)"
    if as_json:
        document = {
            "period": {
                "label": chosen.label,
                "start": chosen.start.isoformat(),
                "end": chosen.end.isoformat(),
            },
            "default_period": period is None,
            "rubric_version": result.rubric_version,
            "register": register,
            **{
                name: figures_records(frame)
                if name == "figures"
                else _outcome_records(frame)
                if name == "outcomes"
                else records(frame)
                for name, frame in frames.items()
            },
        }
        click.echo(json.dumps(document, indent=2))
        raise click.exceptions.Exit(EXIT_OK)
    if as_csv:
        shown = frames[table]
        if table in ("figures", "outcomes"):
            rows = figures_records(shown) if table == "figures" else _outcome_records(shown)
            shown = pd.DataFrame(rows, columns=list(shown.columns))
        click.echo(shown.to_csv(index=False), nl=False)
        raise click.exceptions.Exit(EXIT_OK)
    if xlsx is not None:
        view = (
            "internal, unsuppressed" if internal else f"published, counts 1-{min_cell} suppressed"
        )
        click.echo(f"Workbook: {xlsx} ({view})")
    click.echo(f"{said}, rubric {result.rubric_version}")
    click.echo("")
    if table == "scores":
        if result.scores.empty:
            click.echo("No spoke is active in this period.")
        else:
            click.echo(scores_text(result.scores))
            click.echo(
                "\nValues run from 0 to 1; (coverage) is the share of the rubric's evidence "
                "available; n/a means too little evidence to score."
            )
        click.echo("\nSix key outcomes, whole programme (returns: received/expected):")
        click.echo(outcomes_text(outcomes, "programme"))
        click.echo(f"\nReturns register as of {register['today']}: {register['text']}")
        if len(differences):
            click.echo(
                f"\n{len(differences)} figure(s) differ between the sources of a return; the "
                "documented source is used and both are kept: --table reconciliation."
            )
        click.echo(
            "\nTo see what each score is made of: --table components "
            '(or the "components" list of --json); outcomes per spoke, hub and phase: '
            "--table outcomes."
        )
    elif table == "components":
        click.echo(components_text(result.components))
    elif table == "reconciliation":
        click.echo(reconciliation_text(differences))
    elif table == "completeness":
        click.echo(completeness_text(completeness))
    elif table == "figures":
        click.echo(figures_text(figures))
        if bool(figures["distinct"].fillna(False).any()):
            click.echo(
                "\nYoung people given one-to-one support are distinct over each row's whole "
                "period (and across a hub's or phase's spokes): never add them up."
            )
    else:
        click.echo(outcomes_text(outcomes, None))
    raise click.exceptions.Exit(EXIT_OK)


def _write_xlsx(
    ws: Workspace,
    period: Period,
    path: Path,
    *,
    internal: bool,
    min_cell: int,
    rubric: Rubric | None,
) -> None:
    """Every table of ``period`` in one workbook (see :mod:`hubspoke.report.workbook`)."""
    from datetime import date

    from hubspoke.report.workbook import write_workbook

    about = [
        f"Period {period.label} ({period.start} to {period.end})",
        f"Workspace {ws.path.name}; written by hubspoke score --xlsx",
    ]
    if internal:
        from hubspoke.indicators.quality import field_completeness, field_completeness_people

        scores = ws.scores(period, rubric)
        cases = ws.frames().cases
        inside = cases[
            (cases["period_start"] >= pd.Timestamp(period.start))
            & (cases["period_end"] <= pd.Timestamp(period.end))
        ].drop(columns=["return_id"])
        sheets = [
            ("scores", scores.scores),
            ("components", scores.components),
            ("figures", ws.figures(period, rubric=rubric)),
            ("figures_by_return", ws.figures_by_return(period)),
            ("reconciliation", ws.reconciliation(period)),
            ("completeness_records", field_completeness(inside)),
            ("completeness_people", field_completeness_people(inside)),
        ]
    else:
        from hubspoke.report.build import render_report
        from hubspoke.report.from_workspace import report_data_from_workspace

        data = report_data_from_workspace(ws, period, today=date.today(), rubric=rubric)
        published = render_report(data, min_cell=min_cell)
        sheets = [(t.name, t.export_frame()) for t in published.tables]
    write_workbook(path, sheets, internal=internal, about=about, min_cell=min_cell)
