"""``hubspoke demo [--out DIR]``: the whole pipeline on the bundled example programme.

Creates a fresh workspace in ``DIR`` (default ``hubspoke-demo``), stores the
example programme, imports every return in the examples (every built-in
format, including deliberately flawed returns that are rejected with their
reasons), scores every spoke, writes the published report and prints where
it is with a short summary. Exit status 0 when the pipeline ran (rejected
example files are expected and reported), 1 if it could not.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import attrs
import click

from hubspoke.cli._common import friendly_errors
from hubspoke.diagnostics import Diagnostic
from hubspoke.errors import HubspokeError

#: File types in the examples folder that are returns (scripts and notes are not).
RETURN_SUFFIXES = frozenset({".csv", ".txt", ".xlsx", ".xlsm", ".json"})
DEFAULT_PERIOD = "2016-17"


def examples_dir() -> Path:
    """The bundled examples: the repository's ``examples/`` or the wheel's copy.

    Raises :class:`HubspokeError` naming both places when neither exists.
    """
    here = Path(__file__).resolve()
    candidates = (here.parents[3] / "examples", here.parents[1] / "_examples")
    for candidate in candidates:
        if (candidate / "programme.json").is_file() and (candidate / "returns").is_dir():
            return candidate
    raise HubspokeError(
        "cannot find the example programme; looked in "
        + " and ".join(str(c) for c in candidates)
        + "; pass --examples DIR"
    )


def return_files(folder: Path) -> list[Path]:
    """Every return file under ``folder``, recursively, in a stable order."""
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in RETURN_SUFFIXES
    )


@click.command()
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("hubspoke-demo"),
    show_default=True,
    help="Folder for the workspace and the report (the workspace is made afresh).",
)
@click.option(
    "--examples",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder holding programme.json and returns/. Default: the bundled examples.",
)
@click.option(
    "--period",
    default=DEFAULT_PERIOD,
    show_default=True,
    help="Assessment period for scores and outcomes.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge returns late or missing as of this day. Default: today.",
)
@friendly_errors
def demo(out: Path, examples: Path | None, period: str, today: datetime | None) -> None:
    """Run the whole pipeline on the bundled example programme and write the report."""
    from hubspoke.measures import AREAS_SERVED_LABEL, NEW_AREAS, areas_served, new_area_codes
    from hubspoke.report.build import build_report
    from hubspoke.report.from_workspace import report_data_from_workspace
    from hubspoke.serialization import loads_programme
    from hubspoke.workspace import Workspace
    from hubspoke.workspace.outcome import STATUSES

    folder = examples or examples_dir()
    day = today.date() if today is not None else date.today()
    out.mkdir(parents=True, exist_ok=True)
    ws_path = out / "workspace.sqlite"
    for stale in (
        ws_path,
        ws_path.with_name(ws_path.name + "-wal"),
        ws_path.with_name(ws_path.name + "-shm"),
    ):
        stale.unlink(missing_ok=True)

    files = return_files(folder / "returns")
    click.echo(f"Example programme: {folder / 'programme.json'}", err=True)
    with Workspace.open(ws_path) as ws:
        programme = loads_programme((folder / "programme.json").read_text(encoding="utf-8"))
        ws.set_programme(programme)
        outcomes = []
        with click.progressbar(
            files, label=f"Importing {len(files)} return files", file=sys.stderr
        ) as bar:
            for path in bar:
                outcomes.append(ws.import_file(path))
        data = report_data_from_workspace(ws, period, today=day)
    report_dir = out / "report"
    html = build_report(data, report_dir)

    statuses = Counter(o.status for o in outcomes)
    rows: Counter[str] = Counter()
    for o in outcomes:
        rows["read"] += o.rows_read
        rows["imported"] += o.rows_imported
        rows["rejected"] += o.rows_rejected
    click.echo("")
    click.echo(
        f"{programme.name}: {len(programme.hubs)} hubs, {len(programme.spokes)} spokes, "
        f"{len(new_area_codes(programme))} {NEW_AREAS.label.lower()} "
        f"({len(areas_served(programme))} {AREAS_SERVED_LABEL})"
    )
    click.echo(
        f"Imported {len(files)} files: "
        + ", ".join(f"{statuses[s]} {s}" for s in STATUSES if statuses[s] or s == "imported")
    )
    click.echo(
        f"Rows: {rows['read']:,} read = {rows['imported']:,} imported + "
        f"{rows['rejected']:,} rejected (each with a reason)"
    )
    flawed = [o for o in outcomes if o.status == "rejected" or o.rows_rejected]
    if flawed:
        click.echo("Files with problems (deliberately flawed examples):")
        for o in flawed:
            first = o.errors[0] if o.errors else None
            reason = o.message if first is None else _where_and_what(first)
            click.echo(
                f"  {o.path.name}: {o.status}, {o.rows_rejected} of {o.rows_read} rows "
                f"rejected; {len(o.errors)} errors, e.g. {reason}"
            )
    click.echo("")
    click.echo(_score_table(data.scores, period))
    click.echo("")
    click.echo(f"Workspace: {ws_path}")
    click.echo(f"Report:    {html}")


def _where_and_what(d: Diagnostic) -> str:
    """``row 3, column 'Risk level' (F): message`` without the file's path."""
    where = attrs.evolve(d.location, file=None)
    return f"{where}: {d.message}" if str(where) != "(no location)" else d.message


def _score_table(scores: object, period: str) -> str:
    """Mean indicator value and how many spokes had enough evidence, by phase."""
    import pandas as pd

    assert isinstance(scores, pd.DataFrame)
    if scores.empty:
        return f"No spoke was active in {period}."
    lines = [f"Indicators for {period} (mean over spokes with enough evidence):"]
    header = f"  {'phase':<7}" + "".join(f"{name:>18}" for name in _INDICATORS)
    lines.append(header)
    for phase, group in scores.groupby("phase", sort=True):
        cells = []
        for name in _INDICATORS:
            part = group[group["indicator"] == name]
            scored = part["value"].dropna()
            mean = f"{scored.mean():.2f}" if len(scored) else "-"
            cells.append(f"{mean} ({len(scored)}/{len(part)})".rjust(18))
        lines.append(f"  {phase!s:<7}" + "".join(cells))
    return "\n".join(lines)


_INDICATORS = ("embeddedness", "independence", "sustainability")
