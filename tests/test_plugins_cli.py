"""``hubspoke plugins`` and ``hubspoke template``."""

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
from hubspoke.plugins.manager import PluginPolicy
from hubspoke.plugins.registry import Registry
from plugin_fakes import FakeImporter, FakePlugin, northmoor_module


class TemplatedImporter(FakeImporter):
    def write_template(self, out: Path) -> None:
        out.write_text("service,period,measure,value\n", encoding="utf-8")


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Registry:
    reg = Registry.from_plugins(
        [
            (
                "hubspoke",
                FakePlugin(
                    "builtins",
                    TemplatedImporter("fake-values"),
                    FakeImporter("fake-json", extensions=(".json",)),
                ),
            ),
            ("hubspoke-northmoor", northmoor_module()),
            ("hubspoke-broken", FakePlugin("broken", error=ImportError("no module named 'lxml'"))),
        ],
        PluginPolicy(disabled=frozenset({"fake-json"})),
    )
    monkeypatch.setattr(registry_module, "_registry", reg)
    return reg


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.usefixtures("registry")
def test_plugins_lists_distributions_importers_skips_and_failures() -> None:
    code, out, _ = run("plugins")
    assert code == 0
    assert "hubspoke (plugin 'builtins', built-in)" in out
    assert "fake-values  .csv  fake importer fake-values  [template]" in out
    assert "hubspoke-northmoor (plugin 'hubspoke_northmoor')" in out
    assert "northmoor-casebook  .csv .txt  Northmoor Young People's Project" in out
    assert "fake-json (hubspoke): importer disabled by HUBSPOKE_DISABLE_PLUGINS" in out
    assert "Failed to load (1):" in out
    assert "hubspoke-broken" in out
    assert "ImportError: no module named 'lxml'" in out


@pytest.mark.usefixtures("registry")
def test_plugins_json() -> None:
    code, out, _ = run("plugins", "--json")
    assert code == 0
    doc = json.loads(out)
    assert [(p["distribution"], len(p["importers"])) for p in doc["plugins"]] == [
        ("hubspoke", 1),
        ("hubspoke-northmoor", 1),
        ("hubspoke-broken", 0),  # loaded, but its hook raised
    ]
    assert doc["plugins"][1]["importers"][0] == {
        "name": "northmoor-casebook",
        "description": "Northmoor Young People's Project: CaseBook case export",
        "extensions": [".csv", ".txt"],
        "version": "0.1.0",
        "template": False,
    }
    assert doc["skipped"] == [
        {
            "name": "fake-json",
            "distribution": "hubspoke",
            "reason": "importer disabled by HUBSPOKE_DISABLE_PLUGINS",
        }
    ]
    [failure] = doc["failures"]
    assert failure["stage"] == "hubspoke_register_importers"
    assert failure["distribution"] == "hubspoke-broken"


def test_plugins_on_the_real_entry_points() -> None:
    registry_module.reset_registry()
    try:
        code, out, _ = run("plugins", "--json")
    finally:
        registry_module.reset_registry()
    assert code == 0
    doc = json.loads(out)
    assert any(p["builtin"] and p["name"] == "builtins" for p in doc["plugins"])


@pytest.mark.usefixtures("registry")
def test_template_writes_the_blank_template(tmp_path: Path) -> None:
    out = tmp_path / "blank.csv"
    code, text, _ = run("template", "fake-values", str(out))
    assert code == 0
    assert out.read_text(encoding="utf-8") == "service,period,measure,value\n"
    assert "Wrote a blank fake-values template" in text
    code, _, err = run("template", "fake-values", str(out))
    assert code == 2
    assert "already exists; use --force" in err
    assert run("template", "fake-values", str(out), "--force")[0] == 0


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("northmoor-casebook", "format 'northmoor-casebook' has no template"),
        ("nothing", "no format named 'nothing'"),
    ],
)
def test_template_without_one_names_formats_that_have_templates(
    tmp_path: Path, name: str, message: str
) -> None:
    code, _, err = run("template", name, str(tmp_path / "x"))
    assert code == 2
    assert message in err
    assert "formats with templates: fake-values" in err
    assert not (tmp_path / "x").exists()


def test_disabling_the_builtins_in_a_real_subprocess() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "hubspoke"), "plugins", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "HUBSPOKE_DISABLE_PLUGINS": "builtins"},
        timeout=120,
        check=True,
    )
    doc = json.loads(done.stdout)
    assert all(not p["builtin"] for p in doc["plugins"])
    assert {
        "name": "builtins",
        "distribution": "hubspoke",
        "reason": "disabled by HUBSPOKE_DISABLE_PLUGINS",
    } in doc["skipped"]
