"""Crash safety: a process killed (SIGKILL) mid-import leaves the workspace before or after.

The child (``workspace_crash_child.py``) stores a large file of returns into
a copy of a workspace; the parent kills it after a seeded random delay aimed
at the write, then checks the file holds exactly the state before the import
or exactly the state after it, and passes ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from hubspoke.periods import financial_quarter
from hubspoke.serialization import dumps_returns
from hubspoke.workspace import SourceFile, Workspace, dump_content
from workspace_fixtures import SPOKES, FakeReport, a_return, programme, write_file

TRIALS = 25
CHILD = Path(__file__).with_name("workspace_crash_child.py")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


def _start(workspace: Path, returns_file: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(CHILD.parent), *sys.path]))
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(workspace), str(returns_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise AssertionError(
            f"child did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}"
        )
    return proc


def _differences(
    state: dict[str, list[tuple[object, ...]]],
    before: dict[str, list[tuple[object, ...]]],
    after: dict[str, list[tuple[object, ...]]],
) -> str:
    """Per table, row counts now / before / after, for tables that match neither."""
    return "; ".join(
        f"{table}: {len(rows)} rows (before {len(before.get(table, []))}, "
        f"after {len(after.get(table, []))})"
        for table, rows in state.items()
        if rows != before.get(table) and rows != after.get(table)
    )


def test_a_killed_import_leaves_the_workspace_before_or_after(tmp_path: Path) -> None:
    base = tmp_path / "base.hubspoke"
    with Workspace.open(base) as ws:
        ws.set_programme(programme())
        first = (a_return(s, financial_quarter(2015, 1), seed=i) for i, s in enumerate(SPOKES))
        source = SourceFile.read(write_file(tmp_path / "first.csv", "first"))
        ws.store_report(source, FakeReport(returns=tuple(first)))
    # big enough that the write spills to the WAL before it commits; it also
    # supersedes the three returns already there
    big = tuple(
        a_return(s, financial_quarter(year, q), cases=100, seed=year * 10 + q)
        for s in SPOKES
        for year in (2015, 2016, 2017)
        for q in (1, 2, 3, 4)
    )
    returns_file = write_file(tmp_path / "big.json", dumps_returns(big))
    before = dump_content(base)

    calibration = tmp_path / "calibration.hubspoke"
    shutil.copy(base, calibration)
    proc = _start(calibration, returns_file)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    _, _, total, write_start, _ = out.split()
    duration, write_from = float(total), float(write_start)
    after = dump_content(calibration)
    assert after != before

    rng = random.Random(20151126)
    seen: Counter[str] = Counter()
    for trial in range(TRIALS):
        target = tmp_path / f"trial-{trial}.hubspoke"
        shutil.copy(base, target)
        proc = _start(target, returns_file)
        if trial % 2:  # aim at the transaction itself: wait until it writes
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "writing"
            time.sleep(rng.uniform(0, (duration - write_from) * 1.2))
        else:  # anywhere from the start of the store to just after it
            time.sleep(rng.uniform(0, duration * 1.1))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        in_transaction = "writing" in out or trial % 2 == 1
        state = dump_content(target)  # opening recovers (rolls back) the WAL
        conn = sqlite3.connect(target)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        if state == after:
            seen["after"] += 1
        elif state == before:
            seen["mid-transaction" if in_transaction else "before"] += 1
        else:
            raise AssertionError(
                f"trial {trial}: neither before nor after: {_differences(state, before, after)}"
            )
        with Workspace.open(target) as ws:
            assert len(ws.returns()) in (len(SPOKES), len(big))
    print(f"\ncrash trials: {dict(seen)}; store {duration:.3f} s, writes from {write_from:.3f} s")
    # the kills must land mid-write sometimes, or this test proves nothing
    assert seen["mid-transaction"] >= 1
