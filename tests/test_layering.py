"""Layering rules: the core never pulls in pandas or the plugin machinery; hubspoke never
imports hubspoke_importers (the built-ins arrive through entry points like any plugin).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import hubspoke

CORE_MODULES = (
    "hubspoke.model",
    "hubspoke.periods",
    "hubspoke.codes",
    "hubspoke.measures",
    "hubspoke.indicators.inputs",
)
HEAVY = ("pandas", "pluggy")
SRC = Path(hubspoke.__file__).parent


def _modules_after_importing(modules: tuple[str, ...]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout))


def test_core_modules_do_not_import_pandas_or_pluggy() -> None:
    loaded = _modules_after_importing(CORE_MODULES)
    assert set(CORE_MODULES) <= loaded  # the check really imported them
    for heavy in HEAVY:
        assert heavy not in loaded, f"importing the core loaded {heavy}"


@pytest.mark.parametrize("module", CORE_MODULES)
def test_each_core_module_alone_stays_light(module: str) -> None:
    loaded = _modules_after_importing((module,))
    assert not set(HEAVY) & loaded


def _imported_names(path: Path) -> list[tuple[int, str]]:
    """Every module named by an import statement in ``path`` (with its line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def test_hubspoke_never_imports_hubspoke_importers() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 10
    offenders = [
        f"{path.relative_to(SRC.parent)}:{line}: {name}"
        for path in files
        for line, name in _imported_names(path)
        if name == "hubspoke_importers" or name.startswith("hubspoke_importers.")
    ]
    assert offenders == []


def test_the_static_check_finds_an_offending_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import hubspoke_importers.csv\n"
        "from hubspoke_importers import x\n"
        "import importlib\n"
        "importlib.import_module('hubspoke_importers')\n",
        encoding="utf-8",
    )
    names = [name for _, name in _imported_names(bad)]
    assert names.count("hubspoke_importers") == 2
    assert "hubspoke_importers.csv" in names
