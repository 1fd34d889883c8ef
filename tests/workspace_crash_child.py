"""Child process of tests/test_workspace_crash.py: import one big returns file, maybe get killed.

Usage: python workspace_crash_child.py WORKSPACE RETURNS_JSON

Prints ``ready`` just before the import (hashing, reading, storing) begins,
``writing`` when the first row is written inside the transaction, and, after
it commits, ``done TOTAL WRITE_START STATUS`` (seconds from ``ready`` to the commit and to the first
row written), so the parent can aim its SIGKILL at the write and tell where
it landed.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from hubspoke.workspace import Workspace, writing

STAMP = datetime(2016, 8, 1, 12, 0, tzinfo=UTC)


def main(workspace: Path, returns_file: Path) -> None:
    with Workspace.open(workspace, clock=lambda: STAMP) as ws:
        first_write: list[float] = []
        insert = writing.insert_return

        def timed_insert(*args: object) -> object:
            if not first_write:
                first_write.append(time.perf_counter())
                print("writing", flush=True)  # inside the transaction now
            return insert(*args)  # type: ignore[arg-type]

        writing.insert_return = timed_insert  # type: ignore[assignment]
        print("ready", flush=True)
        started = time.perf_counter()
        outcome = ws.import_file(returns_file)
        total = time.perf_counter() - started
        if not first_write:
            sys.exit(
                f"nothing written: {outcome.status} {outcome.message} {outcome.diagnostics[:3]}"
            )
        print("done", f"{total:.4f}", f"{first_write[0] - started:.4f}", outcome.status, flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
