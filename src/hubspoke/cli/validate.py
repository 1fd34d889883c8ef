"""``hubspoke validate FILE... [--format NAME] [--json]``: check return files, report problems.

Options ``[--programme FILE] [--period P] [--service ID]``: with
``--programme`` the services and periods of every return are checked
against the programme (as ``hubspoke import`` does with the workspace's
programme); ``--period`` and ``--service`` supply what an export does not
carry (``LoadOptions.period`` and ``LoadOptions.service_id``);
``--submitted DATE`` is the submission date of returns that carry none, as
``hubspoke import --submitted`` stores it.

Exit status: 0 when no file has an error, 1 when any has (invalid data),
2 on usage errors (a missing file, an unknown format name). ``--json``
prints one JSON document on stdout: per file, the importer chosen and why,
rows read / imported / rejected, and every diagnostic.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import attrs
import click

from hubspoke.cli._common import EXIT_DATA, EXIT_OK, fail, friendly_errors, max_file_size_option
from hubspoke.cli.import_cmd import submitted_option
from hubspoke.diagnostics import Diagnostic, Severity, printable
from hubspoke.plugins.contract import LoadOptions
from hubspoke.plugins.registry import Registry, UnknownFormatError, get_registry
from hubspoke.rules import closest_service
from hubspoke.validation import FileReport, validate_file
from hubspoke.workspace.writing import as_submitted

#: Diagnostics shown per rule in the text report (all are in --json).
SHOWN_PER_RULE = 10


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _where(d: Diagnostic) -> str:
    text = str(attrs.evolve(d.location, file=None))
    return "whole file" if text == "(no location)" else text


def _line(d: Diagnostic) -> str:
    text = f"{_where(d)}: {d.message}"
    if d.value is not None and d.value not in d.message:
        text += f" (value: {d.value!r})"
    if d.suggestion:
        text += f"; {d.suggestion}"
    return printable(text)


def report_text(report: FileReport) -> str:
    """One file's report for a terminal: importer, row counts, diagnostics grouped by rule."""
    lines = [printable(str(report.path))]  # a newline or ANSI escape in a name is shown, not obeyed
    if report.importer is not None:
        lines.append(f"  {printable(report.selection_reason)}")
    if report.rows_read or report.importer is not None:
        if not report.rows_read:
            lines.append("  no data rows read")
        elif report.rows_rejected:
            lines.append(
                f"  {report.rows_rejected} of {report.rows_read} rows rejected "
                f"({report.rows_imported} imported)"
            )
        else:
            lines.append(f"  all {_plural(report.rows_read, 'row')} imported")
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    if not report.diagnostics:
        lines.append("  No problems found.")
        return "\n".join(lines)
    lines.append(
        f"  {_plural(errors, 'error')}, {_plural(warnings, 'warning')}, "
        f"{_plural(report.count(Severity.INFO), 'note')}"
    )
    groups: dict[tuple[Severity, str], list[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        groups[(d.severity, d.code)].append(d)
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    for (severity, code), found in sorted(groups.items(), key=lambda g: (order[g[0][0]], g[0][1])):
        lines.append(f"  {severity.value} [{code}] x{len(found)}:")
        lines.extend(f"    {_line(d)}" for d in found[:SHOWN_PER_RULE])
        if len(found) > SHOWN_PER_RULE:
            lines.append(f"    ... and {len(found) - SHOWN_PER_RULE} more (see --json)")
    return "\n".join(lines)


def load_options(
    programme_file: Path | None, period_label: str | None, service_id: str | None
) -> LoadOptions:
    """The :class:`LoadOptions` for the command's options; a usage error (exit 2) if one is bad."""
    from hubspoke.errors import PeriodError, SerializationError
    from hubspoke.periods import parse_period
    from hubspoke.serialization import loads_programme

    programme = None
    if programme_file is not None:
        try:
            programme = loads_programme(programme_file.read_text(encoding="utf-8-sig"))
        except (SerializationError, UnicodeDecodeError) as exc:
            fail(f"--programme {programme_file}: not a readable programme file ({exc})")
    period = None
    if period_label is not None:
        try:
            period = parse_period(period_label)
        except PeriodError as exc:
            fail(f"--period: {exc}")
    known = programme.service_ids if programme is not None else None
    if service_id is not None and known is not None and service_id not in known:
        close = closest_service(service_id, known)
        hint = f"; did you mean {close!r}?" if close else ""
        fail(f"--service: {service_id!r} is not a spoke or hub of the programme{hint}")
    return LoadOptions(programme=programme, period=period, service_id=service_id)


def _plugin_warning(registry: Registry) -> str | None:
    if not registry.failures:
        return None
    return f"warning: {_plural(len(registry.failures), 'plugin problem')} (see `hubspoke plugins`)"


@click.command()
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--format", "format_name", metavar="NAME", help="Read every file with this importer.")
@click.option(
    "--programme",
    "programme_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check services and periods against this programme file.",
)
@click.option(
    "--period",
    "period_label",
    metavar="PERIOD",
    help="The period the files cover, for exports that do not say (e.g. '2015-16 Q3').",
)
@click.option(
    "--service",
    "service_id",
    metavar="ID",
    help="The service the files are from, for exports that do not say (e.g. S07).",
)
@submitted_option()
@max_file_size_option()
@click.option("--json", "as_json", is_flag=True, help="Print the full report as one JSON document.")
@friendly_errors
def validate(
    files: tuple[Path, ...],
    format_name: str | None,
    programme_file: Path | None,
    period_label: str | None,
    service_id: str | None,
    submitted: date | None,
    max_file_size: int,
    as_json: bool,
) -> None:
    """Check return FILEs and report every problem with its location."""
    registry = get_registry()
    if format_name is not None:
        try:
            format_name = registry.get(format_name).name
        except UnknownFormatError as exc:
            fail(str(exc))
    options = attrs.evolve(
        load_options(programme_file, period_label, service_id), max_bytes=max_file_size
    )
    reports = [
        validate_file(path, format=format_name, registry=registry, options=options)
        for path in files
    ]
    if submitted is not None:  # as import does: the date of returns that carry none
        reports = [
            attrs.evolve(r, returns=tuple(as_submitted(r.returns, submitted, False)))
            for r in reports
        ]
    ok = all(r.ok for r in reports)
    if as_json:
        document = {
            "ok": ok,
            "files": [r.to_json() for r in reports],
            "plugin_failures": [str(f) for f in registry.failures],
        }
        click.echo(json.dumps(document, indent=2))
    else:
        warning = _plugin_warning(registry)
        if warning:
            click.echo(warning, err=True)
        click.echo("\n\n".join(report_text(r) for r in reports))
        if len(reports) > 1:
            bad = sum(1 for r in reports if not r.ok)
            click.echo(
                f"\n{_plural(len(reports), 'file')} checked: "
                + (f"{bad} with errors." if bad else "no errors.")
            )
    raise click.exceptions.Exit(EXIT_OK if ok else EXIT_DATA)
