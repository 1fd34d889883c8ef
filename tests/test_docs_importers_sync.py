"""writing-importers.md cannot drift: signatures match the code, snippets come from examples."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import hubspoke.reading
import hubspoke.rules

ROOT = Path(__file__).parents[1]
PAGE = (ROOT / "docs" / "writing-importers.md").read_text(encoding="utf-8")
_CALL = re.compile(r"`((check_\w+|read_sheet|glance_workbook|split_total_rows)\((.*?)\))`")
#: Signatures in the tables (rows starting "| `name(" ): prose shows calls, not signatures.
TABLE_ROWS = "\n".join(line for line in PAGE.splitlines() if line.startswith("| `"))
SHOWN = sorted({(m[2], m[1]) for m in _CALL.finditer(TABLE_ROWS)})


def _function(name: str) -> object:
    for module in (hubspoke.rules, hubspoke.reading):
        if hasattr(module, name):
            return getattr(module, name)
    raise AssertionError(f"writing-importers.md shows {name}, which hubspoke does not export")


@pytest.mark.parametrize(("name", "shown"), SHOWN, ids=[n for n, _ in SHOWN])
def test_signature_shown_matches_the_code(name: str, shown: str) -> None:
    """Every parameter, in order, with the same kind (positional or keyword-only)."""
    tree = ast.parse(f"def {shown.replace(name, 'f', 1)}: pass")
    node = tree.body[0]
    assert isinstance(node, ast.FunctionDef)
    doc = [(a.arg, "positional") for a in node.args.args]
    doc += [(a.arg, "keyword") for a in node.args.kwonlyargs]
    real = [
        (p.name, "keyword" if p.kind is p.KEYWORD_ONLY else "positional")
        for p in inspect.signature(_function(name)).parameters.values()  # type: ignore[arg-type]
    ]
    assert doc == real, f"writing-importers.md shows {shown}; the code is {real}"


def test_the_rules_table_lists_every_check_function() -> None:
    shown = {n for n, _ in SHOWN}
    exported = {n for n in hubspoke.rules.__all__ if n.startswith("check_")}
    missing = exported - shown - {"check_return", "check_breakdown_sums"}
    assert not missing, f"not documented in writing-importers.md: {sorted(missing)}"


#: A snippet marked ``<!-- from: PATH -->`` just above its ```python fence is cut from PATH.
_MARKED = re.compile(r"<!-- from: (\S+) -->\n```python\n(.*?)```", re.DOTALL)
MARKED = _MARKED.findall(PAGE)


def _squeezed(text: str) -> str:
    """Text without whitespace: indentation and line wrapping (ruff's) do not matter."""
    return re.sub(r"\s+", "", text)


def test_the_walkthrough_marks_its_snippets() -> None:
    assert len(MARKED) >= 6
    assert {p for p, _ in MARKED} >= {
        "examples/plugins/hubspoke-northmoor/src/hubspoke_northmoor/importer.py",
        "examples/plugins/hubspoke-kestrel/src/hubspoke_kestrel/importer.py",
    }


@pytest.mark.parametrize(("path", "block"), MARKED)
def test_code_snippets_are_taken_from_the_example_plugins(path: str, block: str) -> None:
    """Each marked snippet appears in the example file CI installs and tests."""
    source = (ROOT / path).read_text(encoding="utf-8")
    assert _squeezed(block) in _squeezed(source), f"snippet not found in {path}:\n{block}"
