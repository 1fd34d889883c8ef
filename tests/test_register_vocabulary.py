"""Issue 9: one vocabulary for the returns register, and returns covering a period."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from builders_outcomes import FY15, expected, programme, quarters, ret
from hubspoke.cli import main
from hubspoke.indicators.quality import (
    RECEIVED_RULE,
    STATUS_LABELS,
    register_counts,
    register_line,
    reporting,
)
from hubspoke.report import tables as t
from hubspoke.report.from_workspace import report_data_from_workspace
from hubspoke.workspace import Workspace

Q1, Q2, Q3, Q4 = quarters(2015)
EXAMPLES = Path(__file__).parents[1] / "examples"


def _statuses(today: date, *returns: object) -> list[str]:
    p = programme(expected_returns=(expected("S1", FY15),))
    return [str(s) for s in reporting(p, list(returns), today)["status"]]  # type: ignore[arg-type]


def test_four_quarters_cover_a_year_and_two_only_partly() -> None:
    after = date(2016, 12, 1)
    dated = [ret("S1", q, submitted_on=q.end) for q in (Q1, Q2, Q3, Q4)]
    assert _statuses(after, *dated) == ["on_time"]
    assert _statuses(after, *dated[:2]) == ["partial"]
    assert _statuses(after) == ["missing"]
    # one quarter without a date: received, but nothing says when
    assert _statuses(after, *dated[:3], ret("S1", Q4)) == ["undated"]


def test_a_return_without_a_date_is_not_on_time() -> None:
    p = programme(expected_returns=(expected("S1", Q1),))
    row = reporting(p, [ret("S1", Q1)], date(2026, 1, 1)).iloc[0]
    assert (row["status"], row["label"]) == ("undated", "received (date unknown)")


def test_the_register_line_uses_the_labels() -> None:
    counts = dict.fromkeys(STATUS_LABELS, 1)
    assert register_line(counts) == (
        "3 of 5 expected returns due received (1 received on time, 1 received late, "
        "1 received (date unknown), 1 partly received, 1 missing); 1 not yet due."
    )


def test_returns_score_and_report_count_the_register_alike(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(tmp_path / "w.hubspoke")
    returns = EXAMPLES / "returns"
    files = [
        returns / name
        for name in (
            "values-S12-2015-16-Q2.csv",
            "returns-S12-2015-16.json",
            "annual-S02-2014-15.csv",
            "quarterly-S21-2015-16-Q3.xlsx",
        )
    ]
    done = runner.invoke(
        main, ["import", str(EXAMPLES / "programme.json"), *map(str, files), "-w", ws]
    )
    assert done.exit_code == 0, done.output
    today = date.today()
    listed = runner.invoke(main, ["returns", "-w", ws, "--json", "--today", today.isoformat()])
    document = json.loads(listed.output)
    text = runner.invoke(main, ["returns", "-w", ws, "--today", today.isoformat()]).output
    scored = json.loads(runner.invoke(main, ["score", "-w", ws, "--json"]).output)
    assert scored["register"]["counts"] == document["summary"]
    assert scored["register"]["rule"] == document["rule"] == RECEIVED_RULE
    assert document["text"].split(": ", 1)[1] == scored["register"]["text"]
    assert scored["register"]["text"] in text
    score_text = runner.invoke(main, ["score", "-w", ws]).output
    assert scored["register"]["text"] in score_text
    with Workspace.open(ws, read_only=True) as opened:
        data = report_data_from_workspace(opened, None, today=today)
        counts = register_counts(opened.returns_status(today))
    assert counts == document["summary"]
    # the report counts the register entries of its period, with the same statuses
    table = t.returns_status_counts(data.returns_status, {})
    total = table.cells.loc[table.total_label]
    register = data.returns_status
    shown = set(zip(register["service_id"], register["period_label"], strict=True))
    inside = [r for r in document["returns"] if (r["service_id"], r["period_label"]) in shown]
    assert inside
    for status, label in STATUS_LABELS.items():
        if status != "not_due":
            expected_count = sum(r["status"] == status for r in inside)
            assert int(str(total[t.status_column(status)])) == expected_count, status
            assert label[0].upper() + label[1:] in table.cells.columns
    assert counts["on_time"] >= 1
