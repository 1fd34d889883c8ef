"""The example third-party plugin (examples/plugins/hubspoke-northmoor), without installing it.

Its module is imported from its source tree; the contract suite runs on its
sample export, with the built-in formats' samples as files it must not claim.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hubspoke.plugins import hookimpl
from hubspoke.plugins.registry import Registry
from hubspoke.testing import ImporterContract
from hubspoke.validation import validate_file
from plugin_fakes import NORTHMOOR_DATA, NORTHMOOR_SRC, northmoor_module

EXAMPLES = Path(__file__).parents[1] / "examples" / "returns"
BUILTIN_SAMPLES = tuple(
    sorted(p for p in EXAMPLES.glob("*") if p.suffix in {".csv", ".xlsx", ".json"})
)
plugin = northmoor_module()


class TestNorthmoorContract(ImporterContract):
    importer = plugin.NorthmoorCasesImporter()
    samples = (NORTHMOOR_DATA / "northmoor-2015-16-q1.csv",)
    foreign_samples = BUILTIN_SAMPLES


class TestNorthmoorContractWithBadRows(ImporterContract):
    importer = plugin.NorthmoorCasesImporter()
    samples = (NORTHMOOR_DATA / "northmoor-with-errors.csv",)
    expect_clean = False


class _Single:
    """A plugin object supplying one given importer."""

    def __init__(self, importer: object) -> None:
        self.importer = importer
        self.__name__ = f"single-{getattr(importer, 'name', '?')}"

    @hookimpl
    def hubspoke_register_importers(self) -> list[object]:
        return [self.importer]


def test_the_plugin_declares_its_entry_point() -> None:
    text = (NORTHMOOR_SRC.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points."hubspoke.importers"]\nnorthmoor = "hubspoke_northmoor"' in text


def test_registered_beside_the_builtins_it_claims_only_its_own_files() -> None:
    builtins = Registry.from_entry_points()
    reg = Registry.from_plugins(
        [
            *(
                (r.distribution, _Single(r.importer))
                for r in builtins.importers.values()
                if r.distribution == "hubspoke"
            ),
            ("hubspoke-northmoor", plugin),
        ]
    )
    assert reg.failures == []
    report = validate_file(NORTHMOOR_DATA / "northmoor-2015-16-q1.csv", registry=reg)
    assert report.importer == "northmoor-casebook"
    for sample in BUILTIN_SAMPLES:
        assert validate_file(sample, registry=reg).importer != "northmoor-casebook", sample.name


def _installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(
    not _installed("hubspoke-northmoor"),
    reason="hubspoke-northmoor is not pip-installed (CI installs it to run this)",
)
def test_installed_plugin_shows_up_in_hubspoke_plugins() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "hubspoke"), "plugins", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    plugins = {p["distribution"]: p for p in json.loads(done.stdout)["plugins"]}
    northmoor = plugins["hubspoke-northmoor"]
    assert northmoor["name"] == "northmoor"
    assert [i["name"] for i in northmoor["importers"]] == ["northmoor-casebook"]
