"""``hubspoke score --workspace W [--period P] [--rubric FILE] [--json|--csv]``: score every spoke.

Prints each active spoke's embeddedness, independence and sustainability for
the period with its coverage (the share of the rubric's evidence that was
available), then the six key outcomes rolled up to the programme.
``--table components`` shows what each score is made of; ``--table
outcomes`` the outcomes at every level (spoke, hub, phase, programme).
``--table reconciliation`` lists every figure two sources of a return
disagree on (a reported total and the case records, say): both are kept, the
documented one is used, and the difference is shown.
``--json`` prints everything as one document, ``--csv`` the chosen table.
The default period is the latest financial year with a return.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hubspoke.cli._common import EXIT_OK, EXIT_USAGE, fail, friendly_errors
from hubspoke.cli._frames import json_value, records
from hubspoke.errors import PeriodError
from hubspoke.periods import Period, financial_year_of, parse_period
from hubspoke.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

TABLES = ("scores", "components", "outcomes", "reconciliation")


def default_period(ws: Workspace) -> Period:
    """The financial year holding the start of the latest stored return."""
    latest = ws.latest_period_start()
    if latest is None:
        fail(
            f"{ws.path} holds no returns yet; import some (hubspoke import FILE... "
            "--workspace ...) or name a --period",
            1,
        )
    return financial_year_of(latest)


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


def reconciliation_text(differences: pd.DataFrame) -> str:
    """One line per figure whose sources disagree, or a line saying they all agree."""
    if differences.empty:
        return "Every figure's sources agree: nothing to reconcile in this period."
    lines = [f"{len(differences)} figure(s) where two sources of a return disagree:"]
    lines += [f"  {m}" for m in differences["message"].astype(str)]
    return "\n".join(lines)


@click.command()
@click.option(
    "--workspace",
    "-w",
    required=True,
    envvar="HUBSPOKE_WORKSPACE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The workspace file. Default: $HUBSPOKE_WORKSPACE.",
)
@click.option(
    "--period",
    metavar="P",
    help="Assessment period, e.g. 2015-16 or '2015-16 Q2'. Default: latest year with returns.",
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
@friendly_errors
def score(
    workspace: Path,
    period: str | None,
    rubric_file: Path | None,
    table: str,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Score every spoke's indicators, with coverage, and roll up the six key outcomes."""
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    rubric = None
    if rubric_file is not None:
        from hubspoke.indicators.rubric import load_rubric

        rubric = load_rubric(rubric_file)
    with Workspace.open(workspace, read_only=True) as ws:
        try:
            chosen = parse_period(period) if period is not None else default_period(ws)
        except PeriodError as exc:
            fail(f"--period: {exc}", EXIT_USAGE)
        result = ws.scores(chosen, rubric)
        outcomes = ws.key_outcomes(chosen, rubric)
        differences = ws.reconciliation(chosen)
    frames = {
        "scores": result.scores,
        "components": result.components,
        "outcomes": outcomes,
        "reconciliation": differences,
    }
    if as_json:
        document = {
            "period": {
                "label": chosen.label,
                "start": chosen.start.isoformat(),
                "end": chosen.end.isoformat(),
            },
            "rubric_version": result.rubric_version,
            **{name: records(frame) for name, frame in frames.items()},
        }
        click.echo(json.dumps(document, indent=2))
        raise click.exceptions.Exit(EXIT_OK)
    if as_csv:
        click.echo(frames[table].to_csv(index=False), nl=False)
        raise click.exceptions.Exit(EXIT_OK)
    click.echo(
        f"Period {chosen.label} ({chosen.start} to {chosen.end}), rubric {result.rubric_version}"
    )
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
    else:
        click.echo(outcomes_text(outcomes, None))
    raise click.exceptions.Exit(EXIT_OK)
