"""``hubspoke export --workspace W --out DIR [--format parquet|csv] [--history]``.

Writes every workspace table (returns with provenance, values, cases,
activities, outcomes, files, file diagnostics, expected returns) and the
programme's structure tables into the folder ``--out``, for DuckDB, Spark or
pandas (:mod:`hubspoke.workspace.export`). Parquet tables of returns and
records are hive-partitioned by ``period_start``; CSV is one file per table,
with formula-like text neutralised. Current returns by default, every
version with ``--history``.

The export holds row-level pseudonymous case records: a warning saying so is
printed on stderr every time. Exit status: 0 written, 1 the workspace cannot
be read, 2 usage errors (a non-empty ``--out`` without ``--replace``...).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from hubspoke.cli._common import EXIT_OK, EXIT_USAGE, fail, friendly_errors, workspace_option
from hubspoke.workspace import Workspace
from hubspoke.workspace.export import (
    FORMATS,
    NOTICE,
    ExportFormat,
    ExportTargetError,
    check_target,
    export_workspace,
    summary_lines,
)


@click.command()
@workspace_option()
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=True, dir_okay=True, path_type=Path),
    help="The folder to write; must be absent or empty (see --replace).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="parquet",
    show_default=True,
    help="Parquet (partitioned by period) or CSV (one file per table).",
)
@click.option(
    "--history", is_flag=True, help="Export every version of every return, not just current ones."
)
@click.option("--replace", is_flag=True, help="Replace an earlier export in --out.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@friendly_errors
def export(
    workspace: Path, out: Path, fmt: ExportFormat, history: bool, replace: bool, as_json: bool
) -> None:
    """Export the workspace's tables as Parquet or CSV, for DuckDB, Spark or pandas."""
    try:
        check_target(out, replace=replace)
    except ExportTargetError as exc:
        fail(str(exc), EXIT_USAGE)
    click.echo(f"warning: {NOTICE}", err=True)
    with Workspace.open(workspace, read_only=True) as ws:
        try:
            result = export_workspace(ws, out, format=fmt, history=history, replace=replace)
        except ExportTargetError as exc:
            fail(str(exc), EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        click.echo("\n".join(summary_lines(result)))
    raise click.exceptions.Exit(EXIT_OK)
