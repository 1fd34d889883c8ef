"""docs/hooks.md documents every hook with its exact signature, and no hook that does not exist."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from hubspoke.plugins import hookspecs

DOC = (Path(__file__).parents[1] / "docs" / "hooks.md").read_text(encoding="utf-8")

HOOKS: dict[str, Callable[..., object]] = {
    name: fn
    for name, fn in vars(hookspecs).items()
    if callable(fn) and hasattr(fn, f"{hookspecs.PROJECT_NAME}_spec")
}


def rendered(name: str, fn: Callable[..., object]) -> str:
    """``def name(param: annotation, ...) -> annotation`` exactly as written in hookspecs.py."""
    signature = inspect.signature(fn)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"def {name}({params}) -> {signature.return_annotation}"


def test_there_are_hooks() -> None:
    assert set(HOOKS) == {
        "hubspoke_register_importers",
        "hubspoke_register_measures",
        "hubspoke_register_codes",
        "hubspoke_configure_converter",
    }


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_documented_with_exact_signature(name: str) -> None:
    assert f"## {name}\n" in DOC
    assert f"```python\n{rendered(name, HOOKS[name])}\n```" in DOC


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_hook_has_a_contract_docstring(name: str) -> None:
    doc = inspect.getdoc(HOOKS[name]) or ""
    assert len(doc.splitlines()) >= 3


def test_docs_mention_no_hook_that_does_not_exist() -> None:
    documented = set(re.findall(r"^## (hubspoke_\w+)$", DOC, flags=re.MULTILINE))
    assert documented == set(HOOKS)
