"""docs/model.md stays runnable: its python blocks run in order, printing what the page shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "model.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _expected_output(block: str) -> list[str]:
    """Comment lines (``# ...``) right after a print: the output the page promises."""
    expected: list[str] = []
    after_print = False
    for line in block.splitlines():
        if after_print and line.startswith("# "):
            expected.append(line[2:])
            continue
        after_print = "print(" in line
    return expected


def test_docs_model_examples_run_and_print_what_they_show() -> None:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    namespace: dict[str, object] = {}
    for number, block in enumerate(blocks, start=1):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, f"{DOC.name} block {number}", "exec"), namespace)
        assert out.getvalue().splitlines() == _expected_output(block), f"block {number}"
