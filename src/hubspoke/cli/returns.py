"""``hubspoke returns --workspace W [--json] [--today DATE]``: the returns register.

Checks the workspace's returns against the programme's expected-returns
register as of ``--today`` (default: today) and prints one line per service
with a cell per period, then a count summary in the register's words
(:data:`hubspoke.indicators.quality.STATUS_LABELS`: received on time,
received late, received (date unknown), partly received, missing, not yet
due) and the rule they follow; ``--json`` gives the same counts, words and
rule. Exit status: 0 (missing
returns are a finding, not a failure: use ``--json`` to act on them), 1 when
the workspace cannot be read, 2 for usage errors.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hubspoke.cli._common import EXIT_OK, friendly_errors, workspace_option
from hubspoke.cli._frames import records
from hubspoke.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

#: How each status (:data:`hubspoke.indicators.quality.STATUSES`) reads in a terminal cell.
CELL = {
    "on_time": "ok",
    "late": "late",
    "undated": "no date",
    "partial": "PART",
    "missing": "MISSING",
    "not_due": "-",
}


def _cell(status: str, days_late: object) -> str:
    text = CELL.get(status, status)
    if status in ("late", "missing", "partial") and isinstance(days_late, int):
        text += f" {days_late}d"
    return text


def legend() -> str:
    """What each cell means, in the register's words."""
    from hubspoke.indicators.quality import STATUS_LABELS

    return "; ".join(f"{CELL[s]}: {label}" for s, label in STATUS_LABELS.items()) + (
        " (days: after the due date)"
    )


def status_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The status frame as JSON-ready rows (dates ISO, NA as None, categories as text)."""
    return [
        {**row, "status": str(row["status"])} for row in records(frame.astype({"status": "string"}))
    ]


def status_table(rows: Sequence[dict[str, Any]], width: int) -> str:
    """A service x period grid of status cells, in blocks of periods that fit ``width``."""
    services = list(dict.fromkeys(r["service_id"] for r in rows))
    # Periods in order of their first due date, so columns read left to right in time.
    first_due: dict[str, str] = {}
    for r in rows:
        due = str(r["due_on"] or "")
        first_due[r["period_label"]] = min(first_due.get(r["period_label"], due), due)
    periods = sorted(first_due, key=lambda p: (first_due[p], p))
    cells = {(r["service_id"], r["period_label"]): _cell(r["status"], r["days_late"]) for r in rows}
    first = max([len("service"), *(len(s) for s in services)])
    widths = {p: max(len(p), *(len(cells.get((s, p), "")) for s in services)) for p in periods}
    blocks: list[list[str]] = [[]]
    used = first
    for p in periods:
        if blocks[-1] and used + 2 + widths[p] > width:
            blocks.append([])
            used = first
        blocks[-1].append(p)
        used += 2 + widths[p]
    out: list[str] = []
    for block in blocks:
        header = "service".ljust(first) + "".join("  " + p.ljust(widths[p]) for p in block)
        out.append(header.rstrip())
        for s in services:
            line = s.ljust(first) + "".join(
                "  " + cells.get((s, p), "").ljust(widths[p]) for p in block
            )
            out.append(line.rstrip())
        out.append("")
    return "\n".join(out).rstrip()


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Register entries per status (every status, zeros included)."""
    counts = dict.fromkeys(CELL, 0)
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


def summary_text(counts: dict[str, int], today: date) -> str:
    """``As of DATE: N of M expected returns due received (...)``, in the register's words."""
    from hubspoke.indicators.quality import register_line

    text = f"As of {today.isoformat()}: {register_line(counts)}"
    if not counts["missing"] and not counts["partial"] and sum(counts.values()) > counts["not_due"]:
        text += " Every return due is in."
    return text


def completeness_text(carried: pd.DataFrame) -> str:
    """Per key-outcome measure and case field: how many returns received carry it."""
    lines = ["Of the returns received, how many carry what the key outcomes need:"]
    for kind, name, outcome, received, carrying in zip(
        carried["kind"],
        carried["name"],
        carried["outcome"],
        carried["received"],
        carried["carrying"],
        strict=True,
    ):
        of = "returns" if kind == "measure" else "returns with case records"
        lines.append(f"  outcome {outcome}: {name}: {carrying} of {received} {of}")
    return "\n".join(lines)


@click.command()
@workspace_option()
@click.option("--json", "as_json", is_flag=True, help="Print every expected return as JSON.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Judge lateness as of this date (YYYY-MM-DD). Default: today.",
)
@friendly_errors
def returns(workspace: Path, as_json: bool, today: Any) -> None:
    """Show which expected returns are received, late or missing, per service and period."""
    day: date = today.date() if today is not None else date.today()
    from hubspoke.indicators.quality import measure_completeness

    with Workspace.open(workspace, read_only=True) as ws:
        rows = status_rows(ws.returns_status(day))
        carried = measure_completeness(ws.frames())
    counts = summary(rows)
    if as_json:
        from hubspoke.indicators.quality import RECEIVED, RECEIVED_RULE, STATUS_LABELS

        document = {
            "today": day.isoformat(),
            "summary": counts,
            "received": sum(counts[s] for s in RECEIVED),
            "labels": STATUS_LABELS,
            "rule": RECEIVED_RULE,
            "text": summary_text(counts, day),
            "returns": rows,
            "measures": records(carried),
        }
        click.echo(json.dumps(document, indent=2))
    elif not rows:
        click.echo("The programme expects no returns (its expected-returns register is empty).")
    else:
        width = shutil.get_terminal_size((100, 24)).columns
        click.echo(status_table(rows, width))
        click.echo("")
        click.echo(legend())
        click.echo(summary_text(counts, day))
        from hubspoke.indicators.quality import RECEIVED_RULE

        click.echo(f"Rule: {RECEIVED_RULE}.")
        click.echo("")
        click.echo(completeness_text(carried))
    raise click.exceptions.Exit(EXIT_OK)
