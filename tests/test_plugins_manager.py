"""The plugin host: entry-point loading in isolation, and the environment's policy."""

from __future__ import annotations

import importlib.metadata
import types
from collections.abc import Callable
from typing import Any

import pytest

from hubspoke.plugins.manager import PluginHost, PluginPolicy, PluginSource
from hubspoke.plugins.registry import Registry
from plugin_fakes import FakeImporter, FakePlugin


class FakeDist:
    def __init__(self, name: str, version: str = "1.0") -> None:
        self.name = name
        self.version = version


class FakeEntryPoint:
    def __init__(self, name: str, dist: str, load: Callable[[], object]) -> None:
        self.name = name
        self.value = f"{dist.replace('-', '_')}_module"
        self.dist = FakeDist(dist)
        self._load = load

    def load(self) -> object:
        return self._load()


def install(monkeypatch: pytest.MonkeyPatch, *eps: FakeEntryPoint) -> None:
    def entry_points(**kwargs: Any) -> list[FakeEntryPoint]:
        assert kwargs == {"group": "hubspoke.importers"}
        return list(eps)

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)


def module_plugin(name: str, *importers: FakeImporter) -> types.ModuleType:
    module = types.ModuleType(name)
    plugin = FakePlugin(name, *importers)
    module.hubspoke_register_importers = plugin.hubspoke_register_importers  # type: ignore[attr-defined]
    return module


def raise_import_error() -> object:
    raise ImportError("No module named 'northmoor_helpers'")


def test_an_entry_point_that_fails_to_import_is_recorded_and_the_rest_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    install(
        monkeypatch,
        FakeEntryPoint("northmoor", "hubspoke-northmoor", raise_import_error),
        FakeEntryPoint(
            "alder", "hubspoke-alder", lambda: module_plugin("alder", FakeImporter("alder-xlsx"))
        ),
        FakeEntryPoint(
            "builtins", "hubspoke", lambda: module_plugin("b", FakeImporter("hubspoke-values"))
        ),
    )
    reg = Registry.from_entry_points(PluginPolicy())
    assert list(reg.importers) == ["hubspoke-values", "alder-xlsx"]  # built-ins load first
    [failure] = reg.failures
    assert (failure.distribution, failure.plugin, failure.stage) == (
        "hubspoke-northmoor",
        "northmoor",
        "load",
    )
    assert failure.entry_point == "northmoor = hubspoke_northmoor_module"
    assert failure.error == "ImportError: No module named 'northmoor_helpers'"
    assert [p.distribution for p in reg.plugins] == ["hubspoke", "hubspoke-alder"]
    assert reg.plugins[0].builtin


def test_the_same_entry_point_seen_twice_loads_once(monkeypatch: pytest.MonkeyPatch) -> None:
    ep = FakeEntryPoint("alder", "hubspoke-alder", lambda: module_plugin("a", FakeImporter("a")))
    install(monkeypatch, ep, ep)
    reg = Registry.from_entry_points(PluginPolicy())
    assert list(reg.importers) == ["a"]
    assert reg.failures == []


def test_environment_policy_is_read_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    install(
        monkeypatch,
        FakeEntryPoint("builtins", "hubspoke", lambda: module_plugin("b", FakeImporter("x"))),
        FakeEntryPoint("alder", "hubspoke-alder", lambda: module_plugin("a", FakeImporter("y"))),
    )
    monkeypatch.setenv("HUBSPOKE_DISABLE_PLUGINS", "builtins")
    monkeypatch.delenv("HUBSPOKE_PLUGINS", raising=False)
    host = PluginHost.from_entry_points()
    assert [p.name for p in host.plugins] == ["alder"]
    assert host.skipped[0].reason == "disabled by HUBSPOKE_DISABLE_PLUGINS"


def source(name: str, dist: str, builtin: bool = False) -> PluginSource:
    return PluginSource(name=name, distribution=dist, builtin=builtin)


BUILTINS = source("builtins", "hubspoke", builtin=True)
NORTHMOOR = source("northmoor", "hubspoke-northmoor")
ALDER = source("alder", "hubspoke-alder")


@pytest.mark.parametrize(
    ("env", "loads"),
    [
        ({}, {"builtins", "northmoor", "alder"}),
        ({"HUBSPOKE_DISABLE_PLUGINS": "hubspoke_northmoor"}, {"builtins", "alder"}),
        ({"HUBSPOKE_DISABLE_PLUGINS": " Northmoor , alder"}, {"builtins"}),
        ({"HUBSPOKE_DISABLE_PLUGINS": "all"}, {"builtins"}),
        ({"HUBSPOKE_DISABLE_PLUGINS": "all,builtins"}, set()),
        ({"HUBSPOKE_DISABLE_PLUGINS": "hubspoke"}, {"northmoor", "alder"}),
        ({"HUBSPOKE_PLUGINS": "alder"}, {"builtins", "alder"}),
        ({"HUBSPOKE_PLUGINS": ""}, {"builtins"}),
        (
            {"HUBSPOKE_PLUGINS": "alder,northmoor", "HUBSPOKE_DISABLE_PLUGINS": "alder"},
            {"builtins", "northmoor"},
        ),
    ],
)
def test_policy_from_environment(env: dict[str, str], loads: set[str]) -> None:
    policy = PluginPolicy.from_env(env)
    permitted = {s.name for s in (BUILTINS, NORTHMOOR, ALDER) if policy.refusal(s) is None}
    assert permitted == loads


def test_refusal_names_the_variable() -> None:
    policy = PluginPolicy.from_env({"HUBSPOKE_PLUGINS": "alder"})
    assert policy.refusal(NORTHMOOR) == "not listed in HUBSPOKE_PLUGINS"
