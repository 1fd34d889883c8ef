"""``hubspoke import FILE... -w W [--format NAME] [--submitted DATE] [--replace-all] [--json]``.

Each return file is validated and stored in one transaction and reported as
``imported`` (nothing earlier for its periods), ``merged`` (it replaced or
added some figures or records and kept the earlier submissions' others),
``superseded`` (it replaced all that was current), ``history`` (later
submissions carry all it does: an older resubmission arriving late),
``unchanged`` (these exact bytes were imported before) or ``rejected``
(nothing in it could be stored, with the reasons). For each return, the
text and ``--json`` say what it replaced (with old and new figures), merged
in and kept from earlier submissions. ``--submitted DATE`` is the
submission date of returns whose file carries none; ``--replace-all`` marks
every return ``replaces_earlier``. The current figures do not depend on the
order of the FILEs (see docs/workspace.md). A programme file (the JSON
envelope ``{"hubspoke": "programme", ...}``) is stored as the workspace's
programme, before any return file. Exit status: 0 when nothing was
rejected, 1 when a file was rejected, 2 for usage errors.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click

from hubspoke.cli._common import (
    EXIT_DATA,
    EXIT_OK,
    fail,
    friendly_errors,
    max_file_size_option,
)
from hubspoke.diagnostics import Diagnostic, Location, Severity, printable
from hubspoke.errors import DataValidationError, SerializationError
from hubspoke.workspace import ImportOutcome, SourceFile, Workspace
from hubspoke.workspace.outcome import STATUSES

#: Show a progress bar from this many files.
PROGRESS_FROM = 5
#: Problems listed per file in the text output (all are in --json).
SHOWN_PER_FILE = 10

F = TypeVar("F", bound=Callable[..., Any])

_PROGRAMME = re.compile(rb'^\s*\{\s*"hubspoke"\s*:\s*"programme"')


def is_programme_file(path: Path) -> bool:
    """True when the file starts like a programme envelope ``{"hubspoke": "programme"``."""
    from hubspoke.inputs import open_regular  # a FIFO or /dev/zero is refused, never read

    with open_regular(path) as fh:
        head = fh.read(4096).removeprefix(b"\xef\xbb\xbf")
    return _PROGRAMME.match(head) is not None


def import_programme(ws: Workspace, path: Path) -> ImportOutcome:
    """Store a programme file as the workspace's programme (``unchanged`` if identical)."""
    from hubspoke.serialization import loads_programme

    source = SourceFile.read(path)
    base = ImportOutcome(
        status="imported",
        path=path,
        sha256=source.sha256,
        importer="programme",
        rows_read=0,
        rows_imported=0,
        rows_rejected=0,
    )
    try:
        programme = loads_programme(path.read_text(encoding="utf-8-sig"))
    except (SerializationError, UnicodeDecodeError) as exc:
        messages = exc.messages if isinstance(exc, SerializationError) else [str(exc)]
        return _rejected_programme(base, path, messages)
    if ws.has_programme() and ws.programme() == programme:
        return attrs.evolve(
            base, status="unchanged", message="the workspace already holds this programme"
        )
    problems = [d for d in programme.validate() if d.severity is Severity.ERROR]
    if problems:
        located = tuple(
            attrs.evolve(d, location=attrs.evolve(d.location, file=path.name)) for d in problems
        )
        return attrs.evolve(
            base,
            status="rejected",
            diagnostics=located,
            message=f"rejected: the programme has {len(problems)} error(s)",
        )
    try:
        ws.set_programme(programme, source=source)
    except DataValidationError as exc:  # validate() above makes this unlikely
        return _rejected_programme(base, path, [str(exc)])
    return attrs.evolve(
        base,
        message=(
            f"programme {programme.name!r} stored: {len(programme.hubs)} hubs, "
            f"{len(programme.spokes)} spokes, {len(programme.expected_returns)} expected returns"
        ),
    )


def _rejected_programme(base: ImportOutcome, path: Path, messages: list[str]) -> ImportOutcome:
    found = []
    for text in messages:
        where, _, rule = text.partition(": ")
        json_path = where if where.startswith("$") else None
        found.append(
            Diagnostic(
                code="programme-invalid",
                severity=Severity.ERROR,
                message=rule if json_path else text,
                location=Location(file=path.name, path=json_path),
            )
        )
    return attrs.evolve(
        base,
        status="rejected",
        diagnostics=tuple(found),
        message=f"rejected: not a readable programme ({len(found)} problem(s))",
    )


def parse_submitted(ctx: click.Context, param: click.Parameter, text: str | None) -> date | None:
    """``--submitted``: a UK day-first or ISO date (``19/10/2015``, ``2015-10-19``)."""
    if text is None:
        return None
    import pandas as pd

    from hubspoke.rules.dates import parse_dates

    parsed = parse_dates(pd.Series([text], dtype=object)).iloc[0]
    if pd.isna(parsed):
        raise click.BadParameter(f"{text!r} is not a date; write e.g. 19/10/2015 or 2015-10-19")
    day: date = parsed.date()
    return day


def submitted_option() -> Callable[[F], F]:
    """``--submitted DATE``, shared by ``import`` and ``validate``."""
    return click.option(
        "--submitted",
        metavar="DATE",
        callback=parse_submitted,
        help="The submission date of returns whose file carries none (19/10/2015 or "
        "2015-10-19); the latest submitted is current.",
    )


def _problem_line(d: Diagnostic) -> str:
    where = str(attrs.evolve(d.location, file=None))
    text = f"{'whole file' if where == '(no location)' else where}: {d.message}"
    if d.value is not None and d.value not in d.message:
        text += f" (value: {d.value!r})"
    if d.suggestion:
        text += f"; {d.suggestion}"
    return printable(text)


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n} rows"


def outcome_text(outcome: ImportOutcome) -> str:
    """One file's outcome for a terminal: status, row counts, then the problems."""
    # a newline or ANSI escape in a file name (or a message quoting one) is shown, not obeyed
    lines = [f"{outcome.status:<10} {printable(str(outcome.path))}"]
    if outcome.importer == "programme":
        lines.append(f"           {printable(outcome.message)}")
    else:
        counts = (
            f"{_rows(outcome.rows_read)} read, {outcome.rows_imported} imported, "
            f"{outcome.rows_rejected} rejected"
        )
        by = f" by {printable(outcome.importer)}" if outcome.importer else ""
        lines.append(f"           read{by}: {counts}; {printable(outcome.message)}")
    for stored in outcome.stored:
        if stored.status != "imported" or len(outcome.stored) > 1:
            lines.append(f"           {stored.status}: {printable(stored.message)}")
    # the supersession notes are the lines above
    said = {"kept-earlier-records", "older-resubmission"}
    shown = [
        d for d in outcome.diagnostics if d.severity is not Severity.INFO and d.code not in said
    ]
    if outcome.status == "unchanged":
        shown = []  # reported when the file was first imported
    shown.sort(key=lambda d: d.severity is not Severity.ERROR)
    for d in shown[:SHOWN_PER_FILE]:
        lines.append(f"           {d.severity.value}: {_problem_line(d)}")
    if len(shown) > SHOWN_PER_FILE:
        lines.append(f"           ... and {len(shown) - SHOWN_PER_FILE} more (see --json)")
    return "\n".join(lines)


def summary_text(outcomes: Iterable[ImportOutcome]) -> str:
    counts = Counter(o.status for o in outcomes)
    total = sum(counts.values())
    parts = [f"{counts[s]} {s}" for s in STATUSES]
    return f"{total} file{'s' if total != 1 else ''}: " + ", ".join(parts) + "."


def _with_progress(files: list[Path], show: bool) -> Iterator[Path]:
    if not show:
        yield from files
        return
    with click.progressbar(
        files,
        label="importing",
        file=sys.stderr,
        item_show_func=lambda p: p.name if p is not None else None,
    ) as bar:
        yield from bar


def _document(workspace: Path, outcomes: list[ImportOutcome]) -> dict[str, Any]:
    counts = Counter(o.status for o in outcomes)
    return {
        "workspace": str(workspace),
        "ok": counts["rejected"] == 0,
        "summary": {s: counts[s] for s in STATUSES},
        "files": [
            {"kind": "programme" if o.importer == "programme" else "returns", **o.to_json()}
            for o in outcomes
        ],
    }


@click.command(name="import")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--workspace",
    "-w",
    required=True,
    envvar="HUBSPOKE_WORKSPACE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The workspace file (created if absent). Default: $HUBSPOKE_WORKSPACE.",
)
@click.option("--format", "format_name", metavar="NAME", help="Read every file with this importer.")
@submitted_option()
@click.option(
    "--replace-all",
    is_flag=True,
    help="Each return replaces everything earlier for its period (replaces_earlier), "
    "not only the figures and kinds of record it carries.",
)
@max_file_size_option()
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON document.")
@friendly_errors
def import_(
    files: tuple[Path, ...],
    workspace: Path,
    format_name: str | None,
    submitted: date | None,
    replace_all: bool,
    max_file_size: int,
    as_json: bool,
) -> None:
    """Store return FILEs (and a programme file) in a workspace, one transaction per file."""
    if format_name is not None:
        from hubspoke.plugins.registry import UnknownFormatError, get_registry

        try:
            format_name = get_registry().get(format_name).name
        except UnknownFormatError as exc:
            fail(str(exc))
    programmes = [p for p in files if is_programme_file(p)]
    returns = [p for p in files if p not in programmes]
    outcomes: list[ImportOutcome] = []
    with Workspace.open(workspace) as ws:
        for path in programmes:
            outcomes.append(import_programme(ws, path))
        show = len(returns) >= PROGRESS_FROM
        for path in _with_progress(returns, show):
            outcomes.append(
                ws.import_file(
                    path,
                    format=format_name,
                    max_bytes=max_file_size,
                    submitted=submitted,
                    replace_all=replace_all,
                )
            )
    rejected = any(o.status == "rejected" for o in outcomes)
    if as_json:
        click.echo(json.dumps(_document(workspace, outcomes), indent=2))
    else:
        click.echo("\n".join(outcome_text(o) for o in outcomes))
        click.echo(summary_text(outcomes))
        if rejected:
            click.echo(
                "Rejected files stored nothing; fix the problems listed and import them again.",
                err=True,
            )
    raise click.exceptions.Exit(EXIT_DATA if rejected else EXIT_OK)
