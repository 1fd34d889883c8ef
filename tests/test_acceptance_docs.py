"""Acceptance: the docs and README name only code and commands that exist.

For every page in ``docs/`` and the README: each Python block parses, each
``from hubspoke... import name`` in it resolves, and each ``hubspoke COMMAND
--option`` line names a real command and real options of that command. A
renamed function or option then fails here instead of in a reader's hands.
(``docs/hooks.md`` holds bare hook signatures, checked by test_docs_hooks.)
"""

from __future__ import annotations

import ast
import importlib
import re
import shlex
import textwrap
from pathlib import Path

import click
import pytest

from hubspoke.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([*(ROOT / "docs").glob("*.md"), ROOT / "README.md"])
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.DOTALL)
COMMAND_LINE = re.compile(r"(?m)^\s*(?:\$ )?(hubspoke [a-z][^\n#|>]*)")


def _blocks(page: Path) -> list[tuple[int, str, str]]:
    text = page.read_text(encoding="utf-8")
    return [
        (text[: m.start()].count("\n") + 1, m.group(1), m.group(2)) for m in BLOCK.finditer(text)
    ]


def _python_blocks(page: Path) -> list[tuple[int, str]]:
    if page.name == "hooks.md":
        return []
    return [(line, textwrap.dedent(body)) for line, lang, body in _blocks(page) if lang == "python"]


def test_there_are_pages_with_code() -> None:
    assert any(_python_blocks(p) for p in PAGES)
    assert any(COMMAND_LINE.search(body) for p in PAGES for _, _, body in _blocks(p))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_blocks_parse_and_their_hubspoke_imports_resolve(page: Path) -> None:
    problems = []
    for line, body in _python_blocks(page):
        try:
            tree = ast.parse(body)
        except SyntaxError as exc:
            problems.append(f"{page.name}:{line}: does not parse: {exc.msg}")
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
                continue
            if node.module.split(".")[0] != "hubspoke":
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                if hasattr(module, alias.name):
                    continue
                try:
                    importlib.import_module(f"{node.module}.{alias.name}")
                except ImportError:
                    problems.append(f"{page.name}:{line}: {node.module} has no {alias.name}")
    assert problems == []


def _options(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        names.update(getattr(param, "opts", []))
        names.update(getattr(param, "secondary_opts", []))
    return names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_command_lines_use_real_commands_and_options(page: Path) -> None:
    ctx = click.Context(main)
    problems = []
    for line, _, body in _blocks(page):
        for text in COMMAND_LINE.findall(body):
            try:
                words = shlex.split(text)
            except ValueError:
                continue
            command = main.get_command(ctx, words[1])
            if command is None:
                problems.append(f"{page.name}:{line}: no command {words[1]!r}")
                continue
            known = _options(command)
            for word in words[2:]:
                option = word.split("=", 1)[0]
                if option.startswith("-") and option not in known:
                    problems.append(f"{page.name}:{line}: {words[1]} has no option {option}")
    assert problems == []
