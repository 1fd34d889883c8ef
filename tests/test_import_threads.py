"""The threaded parts of a large import store exactly what the serial parts store.

A cases file is imported twice into fresh workspaces: once with every
threshold out of reach (one thread trims the columns, one staging file), once
with every threshold at one row (two threads trim, the rows are split between
two staging files at a return). The stored records, returns and figures must
be the same, row for row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hubspoke_importers._csv as csv_module
from hubspoke.workspace import Workspace
from hubspoke.workspace import records as records_module
from workspace_fixtures import cases_csv, programme


def _imported(tmp_path: Path, name: str, source: Path) -> dict[str, pd.DataFrame]:
    with Workspace.open(tmp_path / f"{name}.hubspoke") as ws:
        ws.set_programme(programme())
        outcome = ws.import_file(source)
        assert outcome.status == "imported", outcome
        frames = ws.record_frames()
        frames["figures"] = ws.figures("2015-16")
        return frames


def test_threaded_and_serial_imports_store_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = cases_csv(tmp_path / "cases.csv")
    serial = _imported(tmp_path, "serial", source)
    monkeypatch.setattr(csv_module, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(records_module, "PARALLEL_STAGING", 1)
    threaded = _imported(tmp_path, "threaded", source)
    assert len(serial["cases"]) == 3 * (4 + 5 + 6 + 7)
    assert serial["cases"]["gender"].astype(str).eq("2").all()  # " Female " trimmed, coded
    for name, frame in serial.items():
        pd.testing.assert_frame_equal(threaded[name], frame, obj=name)


@pytest.mark.parametrize("size", [10, 3 << 20])
def test_a_file_hashed_while_it_is_parsed_has_its_own_digest(size: int) -> None:
    import hashlib

    from hubspoke_importers._common import hashed_meanwhile

    data = bytes(range(256)) * (size // 256 + 1)
    with hashed_meanwhile(data) as sha256:
        assert sha256() == hashlib.sha256(data).hexdigest()
