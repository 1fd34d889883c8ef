"""A command parses the programme once, however many figures it derives."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import hubspoke.serialization
from hubspoke.cli import main

ROOT = Path(__file__).parents[1]
PROGRAMME = ROOT / "examples" / "programme.json"
SAMPLE = ROOT / "examples" / "returns" / "values-S12-2015-16-Q2.csv"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counted = [0]
    real = hubspoke.serialization.loads_programme

    def counting(text: str) -> object:
        counted[0] += 1
        return real(text)

    monkeypatch.setattr(hubspoke.serialization, "loads_programme", counting)
    return counted


def test_import_and_score_parse_the_programme_once(parses: list[int], tmp_path: Path) -> None:
    workspace = str(tmp_path / "w.hubspoke")
    result = CliRunner().invoke(main, ["import", str(PROGRAMME), str(SAMPLE), "-w", workspace])
    assert result.exit_code == 0, result.output
    assert parses[0] == 1
    parses[0] = 0
    result = CliRunner().invoke(main, ["score", "-w", workspace, "--period", "2015-16", "--json"])
    assert result.exit_code == 0, result.output
    assert parses[0] == 1
