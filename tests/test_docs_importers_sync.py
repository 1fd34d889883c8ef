"""writing-importers.md cannot drift: signatures match the code, snippets come from examples."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest

import hubspoke.reading
import hubspoke.rules

ROOT = Path(__file__).parents[1]
PAGE = (ROOT / "docs" / "writing-importers.md").read_text(encoding="utf-8")
EXAMPLES = "\n".join(
    p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "plugins").rglob("*.py"))
)
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


def _indented_python_blocks() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", PAGE, re.DOTALL)
    return [b for b in blocks if b.startswith("    ")]


@pytest.mark.parametrize("block", _indented_python_blocks())
def test_code_snippets_are_taken_from_the_example_plugins(block: str) -> None:
    """Snippets cut from a method body appear, line for line, in an example that CI runs."""
    lines = [line.strip() for line in textwrap.dedent(block).splitlines() if line.strip()]
    source = [line.strip() for line in EXAMPLES.splitlines()]
    n = len(lines)
    found = any(source[i : i + n] == lines for i in range(len(source) - n + 1))
    assert found, "snippet not found in examples/plugins:\n" + block
