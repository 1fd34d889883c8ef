"""``--max-file-size``: a default that lets a million-row CSV through, an option and a variable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.plugins.contract import DEFAULT_MAX_BYTES, MAX_WORKBOOK_BYTES

SAMPLE = Path(__file__).parents[1] / "examples" / "returns" / "values-S12-2015-16-Q2.csv"


def test_the_default_lets_a_million_row_cases_file_through() -> None:
    # a 1,000,000-row cases CSV is about 80-100 MiB; workbooks keep a lower cap
    assert DEFAULT_MAX_BYTES >= 200 * 1024 * 1024
    assert MAX_WORKBOOK_BYTES <= 64 * 1024 * 1024


@pytest.mark.parametrize("command", ["validate", "import"])
def test_a_file_over_the_limit_is_refused_with_the_way_to_raise_it(
    command: str, tmp_path: Path
) -> None:
    args = [command, str(SAMPLE), "--max-file-size", "1K", "--json"]
    if command == "import":
        args += ["-w", str(tmp_path / "w.hubspoke")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    text = json.dumps(json.loads(result.output))
    assert "over the limit of 1,024 bytes" in text
    assert "--max-file-size" in text


def test_the_environment_variable_sets_the_limit(tmp_path: Path) -> None:
    runner = CliRunner(env={"HUBSPOKE_MAX_FILE_SIZE": "100"})
    result = runner.invoke(main, ["validate", str(SAMPLE), "--json"])
    assert result.exit_code == 1
    assert "over the limit of 100 bytes" in result.output
    raised = CliRunner(env={"HUBSPOKE_MAX_FILE_SIZE": "2M"}).invoke(main, ["validate", str(SAMPLE)])
    assert "over the limit" not in raised.output


@pytest.mark.parametrize("bad", ["10x", "-5", "0", "M", "99999999999999999G"])
def test_a_bad_size_is_a_usage_error(bad: str) -> None:
    result = CliRunner().invoke(main, ["validate", str(SAMPLE), "--max-file-size", bad])
    assert result.exit_code == 2
    assert "is not a size" in result.output
