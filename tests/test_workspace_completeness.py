"""Field completeness of a workspace period: what the pure functions give on its records."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hubspoke.indicators.quality import field_completeness, field_completeness_people
from hubspoke.workspace import Workspace
from workspace_fixtures import cases_csv, programme


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three spokes' cases for four quarters, but SP-AL1 sends none for the fourth."""
    folder = tmp_path_factory.mktemp("completeness")
    source = cases_csv(folder / "cases.csv")
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("SP-AL1,2015-16 Q4")]
    assert len(kept) < len(lines)
    source.write_text("".join(kept), encoding="utf-8")
    path = folder / "w.hubspoke"
    with Workspace.open(path) as ws:
        ws.set_programme(programme())
        assert ws.import_file(source).status == "imported"
    return path


@pytest.mark.parametrize("period", ["2015-16", "2015-16 Q4", "2015-16 Q2"])
def test_a_periods_completeness_is_that_of_its_records(workspace: Path, period: str) -> None:
    with Workspace.open(workspace, read_only=True) as ws:
        chosen = ws.period(period)
        cases = ws.frames().cases
        inside = cases[
            (cases["period_start"] >= pd.Timestamp(chosen.start))
            & (cases["period_end"] <= pd.Timestamp(chosen.end))
        ].drop(columns=["return_id"])
        records = ws.field_completeness(period)
        people = ws.field_completeness(period, per="young_person")
    pd.testing.assert_frame_equal(records, field_completeness(inside))
    pd.testing.assert_frame_equal(people, field_completeness_people(inside))
    services = set(records["service_id"])
    assert services == set(inside["service_id"])
    if period == "2015-16 Q4":
        assert services == {"SP-NM1", "SP-NM2"}
