"""``hubspoke validate``: exit statuses, grouped report, JSON document, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.plugins import registry as registry_module
from plugin_fakes import NORTHMOOR_DATA, rules_registry

CLEAN = NORTHMOOR_DATA / "northmoor-2015-16-q1.csv"
WITH_ERRORS = NORTHMOOR_DATA / "northmoor-with-errors.csv"
EXAMPLES = Path(__file__).parents[1] / "examples" / "returns"


@pytest.fixture
def fake_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI use the test registry (tidy values + Northmoor) instead of entry points."""
    monkeypatch.setattr(registry_module, "_registry", rules_registry())


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.usefixtures("fake_registry")
def test_clean_file_exits_0_with_a_positive_message() -> None:
    code, out, _ = invoke(str(CLEAN))
    assert code == 0
    assert "'northmoor-casebook' recognised the file (score 0.95)" in out
    assert "all 9 rows imported" in out
    assert "No problems found." in out


@pytest.mark.usefixtures("fake_registry")
def test_data_errors_exit_1_with_counts_and_grouped_diagnostics() -> None:
    code, out, _ = invoke(str(WITH_ERRORS))
    assert code == 1
    assert "4 of 5 rows rejected (1 imported)" in out
    assert "error [unknown-code] x1:" in out
    assert (
        "row 4, column 'Risk Start' (E): 'Amberish' is not a risk level code "
        "(codes: low, medium, high, not_recorded); did you mean 'medium' (Medium)?"
    ) in out


@pytest.mark.usefixtures("fake_registry")
def test_json_is_one_document_per_file(tmp_path: Path) -> None:
    junk = tmp_path / "picture.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n")
    code, out, _ = invoke(str(CLEAN), str(WITH_ERRORS), str(junk), "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["ok"] is False
    clean, errors, png = doc["files"]
    assert (clean["importer"], clean["rows_read"], clean["ok"]) == ("northmoor-casebook", 9, True)
    assert (errors["rows_read"], errors["rows_imported"], errors["rows_rejected"]) == (5, 1, 4)
    first = errors["diagnostics"][0]
    assert first["location"] == {
        "file": "northmoor-with-errors.csv",
        "row": 4,
        "column": "Risk Start",
        "column_letter": "E",
    }
    assert png["importer"] is None
    assert png["diagnostics"][0]["code"] == "format-not-detected"
    assert {c["importer"] for c in png["considered"]} == {"northmoor-casebook", "test-values"}


@pytest.mark.usefixtures("fake_registry")
def test_explicit_format_and_unknown_format() -> None:
    code, out, _ = invoke(str(CLEAN), "--format", "Northmoor-CaseBook")
    assert code == 0
    assert "format 'northmoor-casebook' was named explicitly" in out
    code, out, err = invoke(str(CLEAN), "--format", "nope")
    assert code == 2
    assert out == ""
    assert "error: no importer named 'nope'; known: northmoor-casebook, test-values" in err


@pytest.mark.usefixtures("fake_registry")
def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke(str(tmp_path / "nowhere.csv"))
    assert code == 2
    assert "does not exist" in err


def test_plugin_failures_are_mentioned_on_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    from hubspoke.plugins.registry import Registry
    from plugin_fakes import FakePlugin, northmoor_module

    reg = Registry.from_plugins(
        [("broken", FakePlugin("broken", error=RuntimeError("x"))), ("nm", northmoor_module())]
    )
    monkeypatch.setattr(registry_module, "_registry", reg)
    code, _, err = invoke(str(CLEAN))
    assert code == 0
    assert "warning: 1 plugin problem (see `hubspoke plugins`)" in err


def run_hubspoke(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "hubspoke"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_real_subprocess_never_shows_a_traceback(tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 4)
    done = run_hubspoke("validate", str(junk), str(tmp_path / "missing.csv"))
    assert done.returncode == 2  # the missing file is a usage error
    assert "Traceback" not in done.stderr
    done = run_hubspoke("validate", str(junk), "--json")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [report] = json.loads(done.stdout)["files"]
    assert report["diagnostics"][0]["code"] == "format-not-detected"


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="examples/returns/ is absent")
def test_real_subprocess_on_the_built_in_samples() -> None:
    samples = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".csv", ".xlsx", ".json"})
    done = run_hubspoke("validate", "--json", *map(str, samples))
    assert "Traceback" not in done.stderr
    doc = json.loads(done.stdout)
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    for name, report in by_name.items():
        assert report["rows_read"] == report["rows_imported"] + report["rows_rejected"], name
        assert report["importer"] is not None, name
        if name.startswith("flawed-"):
            assert report["diagnostics"], name
        else:
            assert report["ok"], name
    assert done.returncode == (0 if doc["ok"] else 1)
    assert doc["ok"] is all(f["ok"] for f in doc["files"])
    clean = [str(p) for p in samples if not p.name.startswith("flawed-")]
    assert run_hubspoke("validate", *clean).returncode == 0
