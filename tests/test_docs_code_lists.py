"""docs/code-lists.md is generated from hubspoke.codes and kept current."""

from __future__ import annotations

from pathlib import Path

from hubspoke.code_lists_doc import render
from hubspoke.codes import BUILTIN_CODE_LISTS

PAGE = Path(__file__).parents[1] / "docs" / "code-lists.md"


def test_the_page_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), (
        "docs/code-lists.md is out of date: "
        "run python -m hubspoke.code_lists_doc docs/code-lists.md"
    )


def test_every_code_and_alias_is_listed() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for cl in BUILTIN_CODE_LISTS:
        assert f"(`{cl.name}`)" in text
        for code in cl.codes:
            assert f"| `{code.value}` | {code.label} |" in text
            assert all(f"`{a}`" in text for a in code.aliases)


def test_declined_is_its_own_status_in_the_cin_lists() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert "| `declined` | Declined (prefer not to say) | declined | `prefer not to say`" in text
    assert "| `REFU` | Refused | declined |" in text
