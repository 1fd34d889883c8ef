"""``hubspoke report --workspace W --out DIR [--min-cell N]``: the published report and exports.

Writes ``DIR/report.html`` (one self-contained file) and ``DIR/exports/``
(CSV and XLSX of every published table). Everything written is the
published form: counts of people from 1 to ``--min-cell`` are suppressed,
with secondary suppression; no row-level records. Exit status: 0 written,
1 when the workspace or its data cannot make a report, 2 for usage errors.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from hubspoke.cli._common import EXIT_OK, friendly_errors, workspace_option
from hubspoke.privacy.suppression import DEFAULT_MIN_CELL
from hubspoke.workspace import Workspace


@click.command()
@workspace_option()
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write report.html and exports/ into (created if absent).",
)
@click.option(
    "--min-cell",
    type=click.IntRange(min=1),
    default=DEFAULT_MIN_CELL,
    show_default=True,
    help="Largest count of people that is suppressed.",
)
@click.option(
    "--period",
    help="Assessment period: 2015-16, '2013-14 to 2016-17', '2015-16 Q1 to 2015-16 Q3' or "
    "'all'. Default: all (programme to date), as for hubspoke score.",
)
@click.option(
    "--rubric",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A rubric file. Default: the built-in rubric.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge lateness and date the report as of this day (YYYY-MM-DD). Default: today.",
)
@friendly_errors
def report(
    workspace: Path,
    out: Path,
    min_cell: int,
    period: str | None,
    rubric: Path | None,
    today: datetime | None,
) -> None:
    """Write the published report (HTML) and its exports, small counts suppressed."""
    from hubspoke.indicators.rubric import load_rubric
    from hubspoke.report.build import build_report
    from hubspoke.report.from_workspace import report_data_from_workspace

    day = today.date() if today is not None else date.today()
    chosen_rubric = load_rubric(rubric) if rubric is not None else None
    with Workspace.open(workspace, read_only=True) as ws:
        data = report_data_from_workspace(ws, period, today=day, rubric=chosen_rubric)
    path = build_report(data, out, min_cell=min_cell)
    exports = sorted((out / "exports").glob("*.csv"))
    default = " (the default: programme to date; name another with --period)"
    click.echo(f"Period: {data.period_label}{default if period is None else ''}")
    click.echo(f"Report: {path}")
    click.echo(f"Exports: {out / 'exports'} ({len(exports)} tables, CSV and XLSX)")
    click.echo(
        f"Published form: counts of people from 1 to {min_cell} suppressed as [c], "
        "with secondary suppression; no row-level records."
    )
    raise click.exceptions.Exit(EXIT_OK)
