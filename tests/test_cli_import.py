"""``hubspoke import``, ``returns`` and ``score`` end to end, through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.periods import financial_quarter
from hubspoke.serialization import dumps_programme, dumps_returns
from hubspoke.workspace import dump_content
from workspace_fixtures import SPOKES, a_return, programme, write_file

Q1, Q2 = financial_quarter(2015, 1), financial_quarter(2015, 2)

VALUES_CSV = """service,period,measure,value,gender
SP-NM2,2015-16 Q2,referrals_received,14,
SP-NM2,2015-16 Q2,referrals_received,9,Female
SP-NM2,2015-16 Q2,referrals_received,oops,Male
"""
FLAWED_CSV = "service,period,measure,value\nSP-XX,2015-16 Q3,nonsense,abc\n"


def hubspoke(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the installed command line in a fresh process."""
    code = "import sys; from hubspoke.cli import main; sys.argv[0] = 'hubspoke'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    q1 = [a_return(s, Q1, cases=3, seed=i, submitted_on=Q1.end) for i, s in enumerate(SPOKES)]
    return {
        "programme": write_file(tmp_path / "programme.json", dumps_programme(programme())),
        "q1": write_file(tmp_path / "q1.json", dumps_returns(q1)),
        "values": write_file(tmp_path / "sp-nm2-q2.csv", VALUES_CSV),
        "flawed": write_file(tmp_path / "flawed.csv", FLAWED_CSV),
        "q1-fixed": write_file(
            tmp_path / "q1-fixed.json", dumps_returns([a_return("SP-NM1", Q1, referrals=12)])
        ),
    }


def test_import_then_returns_then_score(tmp_path: Path, files: dict[str, Path]) -> None:
    ws = tmp_path / "evaluation.hubspoke"
    run = hubspoke("import", files["q1"], files["values"], files["programme"], "--workspace", ws)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    # the programme is stored first, whatever the order on the command line
    assert lines[0].split() == ["imported", str(files["programme"])]
    assert "3 rows read, 3 imported, 0 rejected" in run.stdout
    assert "3 rows read, 2 imported, 1 rejected" in run.stdout
    assert "row 4, column 'value' (D)" in run.stdout
    assert (
        "3 files: 3 imported, 0 merged, 0 superseded, 0 history, 0 unchanged, 0 rejected."
        in run.stdout
    )
    assert "Traceback" not in run.stderr

    before = dump_content(ws)
    again = hubspoke("import", files["programme"], files["q1"], "--workspace", ws, "--json")
    assert again.returncode == 0
    document = json.loads(again.stdout)
    assert [f["status"] for f in document["files"]] == ["unchanged", "unchanged"]
    assert document["summary"]["unchanged"] == 2
    assert dump_content(ws) == before

    fixed = hubspoke("import", files["q1-fixed"], "-w", ws)
    assert fixed.returncode == 0
    assert fixed.stdout.startswith("merged"), fixed.stdout  # the cases of q1.json are kept
    assert "SP-NM1 2015-16 Q1: replaced 3 items (referrals_received: 10 -> 12" in fixed.stdout

    status = hubspoke("returns", "-w", ws, "--today", "2015-11-15")
    assert status.returncode == 0, status.stderr
    header = status.stdout.splitlines()[0].split()
    assert header[:3] == ["service", "2015-16", "Q1"]
    assert "MISSING 16d" in status.stdout  # SP-AL1 and SP-NM1 Q2, due 30 October
    # SP-NM2's Q2 values file carries no submission date: received, never "on time" (issue 9)
    said = (
        "4 of 6 expected returns due received (3 received on time, 0 received late, "
        "1 received (date unknown), 0 partly received, 2 missing); 6 not yet due."
    )
    assert said in status.stdout
    assert "no date" in status.stdout
    as_json = json.loads(hubspoke("returns", "-w", ws, "--today", "2015-11-15", "--json").stdout)
    assert as_json["summary"] == {
        "on_time": 3,
        "late": 0,
        "undated": 1,
        "partial": 0,
        "missing": 2,
        "not_due": 6,
    }
    assert as_json["received"] == 4
    assert said in as_json["text"]  # text and JSON say the same
    assert len(as_json["returns"]) == 12

    scored = hubspoke("score", "-w", ws, "--json")
    assert scored.returncode == 0, scored.stderr
    result = json.loads(scored.stdout)
    # the default period is programme to date: the register's start to the latest return's end
    assert result["period"]["label"] == "2015-16 Q1 to 2015-16 Q2"
    assert result["default_period"] is True
    assert {(r["spoke_id"], r["indicator"]) for r in result["scores"]} == {
        (s, i) for s in SPOKES for i in ("embeddedness", "independence", "sustainability")
    }
    assert all(0 <= r["coverage"] <= 1 for r in result["scores"])
    rolled = [r for r in result["outcomes"] if r["level"] == "programme"]
    assert {r["outcome"] for r in rolled} == {1, 2, 3, 4, 5, 6}
    assert result["components"]

    text = hubspoke("score", "-w", ws)
    assert text.returncode == 0
    assert "spoke   hub     phase  embeddedness" in text.stdout
    assert "--table components" in text.stdout
    csv = hubspoke("score", "-w", ws, "--csv", "--table", "components")
    assert csv.stdout.splitlines()[0] == (
        "spoke_id,hub_id,phase,period_label,indicator,component,value,weight,reason"
    )


def test_a_rejected_file_exits_1_with_its_reasons(tmp_path: Path, files: dict[str, Path]) -> None:
    ws = tmp_path / "w.hubspoke"
    run = hubspoke("import", files["programme"], files["flawed"], "-w", ws)
    assert run.returncode == 1
    assert "rejected   " + str(files["flawed"]) in run.stdout
    assert "service 'SP-XX' is not a spoke or hub" in run.stdout
    assert "'nonsense' is not a measure" in run.stdout
    assert "Rejected files stored nothing" in run.stderr
    assert "Traceback" not in run.stderr


# -- edge cases, in process (faster) -----------------------------------------------------


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_json_reports_rejections_with_locations(tmp_path: Path, files: dict[str, Path]) -> None:
    code, out, _ = invoke(
        "import", files["programme"], files["flawed"], "-w", tmp_path / "w", "--json"
    )
    assert code == 1
    document = json.loads(out)
    assert document["ok"] is False
    flawed = document["files"][1]
    assert (flawed["kind"], flawed["status"], flawed["rows_rejected"]) == ("returns", "rejected", 1)
    assert {d["location"]["row"] for d in flawed["diagnostics"]} == {2}


def test_many_files_show_a_progress_bar_on_stderr(tmp_path: Path) -> None:
    paths = [
        write_file(
            tmp_path / f"q{i}.json",
            dumps_returns([a_return("SP-NM1", financial_quarter(2015 + i, 1))]),
        )
        for i in range(5)
    ]
    code, out, err = invoke("import", *paths, "-w", tmp_path / "w")
    assert code == 0, out + err
    assert "importing" in err
    assert "5 files: 5 imported" in out


def test_an_invalid_programme_is_rejected_with_paths(tmp_path: Path) -> None:
    good = json.loads(dumps_programme(programme()))
    good["programme"]["spokes"][0]["planned_start"] = "2015-13-01"
    path = write_file(tmp_path / "programme.json", json.dumps(good))
    code, out, _ = invoke("import", path, "-w", tmp_path / "w")
    assert code == 1
    assert "$.programme.spokes[0].planned_start" in out


def test_usage_errors_exit_2(tmp_path: Path, files: dict[str, Path]) -> None:
    code, _, err = invoke("import", files["q1"], "-w", tmp_path / "w", "--format", "no-such-format")
    assert code == 2
    assert "no-such-format" in err
    code, _, err = invoke("import", tmp_path / "missing.csv", "-w", tmp_path / "w")
    assert code == 2
    invoke("import", files["programme"], files["q1"], "-w", tmp_path / "w")
    code, _, err = invoke("score", "-w", tmp_path / "w", "--period", "2015-16 Q9")
    assert code == 2
    assert "--period" in err


def test_not_a_workspace_is_a_clear_error(tmp_path: Path, files: dict[str, Path]) -> None:
    code, _, err = invoke("returns", "-w", files["values"])
    assert code == 1
    assert "not a hubspoke workspace" in err


def test_score_without_returns_says_what_to_do(tmp_path: Path, files: dict[str, Path]) -> None:
    invoke("import", files["programme"], "-w", tmp_path / "w")
    code, _, err = invoke("score", "-w", tmp_path / "w")
    assert code == 1
    assert "holds no returns yet" in err
