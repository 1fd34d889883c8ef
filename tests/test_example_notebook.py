"""examples/evaluator.ipynb runs: every code cell, in order, with plain nbformat and exec.

No Jupyter server or kernel: the cells are executed in one namespace against
a small fictional workspace (``HUBSPOKE_WORKSPACE``), in a temporary folder.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hubspoke.cli import main

NOTEBOOK = Path(__file__).parents[1] / "examples" / "evaluator.ipynb"


def _run_cell(source: str, namespace: dict[str, Any]) -> Any:
    """Execute a cell; return the value of its last expression, as a notebook shows it."""
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = tree.body[:-1] if last is not None else tree.body
    exec(compile(ast.Module(body=body, type_ignores=[]), "<cell>", "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(body=last.value), "<cell>", "eval"), namespace)


def test_the_example_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    from hubspoke.serialization import dumps_programme, dumps_returns
    from test_evaluator_kit import _programme, _returns

    (tmp_path / "programme.json").write_text(dumps_programme(_programme()), encoding="utf-8")
    (tmp_path / "returns.json").write_text(dumps_returns(_returns()), encoding="utf-8")
    workspace = tmp_path / "evaluation.hubspoke"
    files = [str(tmp_path / "programme.json"), str(tmp_path / "returns.json")]
    result = CliRunner().invoke(main, ["import", *files, "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("HUBSPOKE_WORKSPACE", str(workspace))
    monkeypatch.chdir(tmp_path)

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    namespace: dict[str, Any] = {"__name__": "__notebook__"}
    shown = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            shown.append(_run_cell(cell.source, namespace))
    assert len(shown) >= 8
    assert "<table" in shown[0]._repr_html_()  # the programme shows itself
    assert (tmp_path / "referrals-by-quarter.svg").read_text(encoding="utf-8").startswith("<svg")
    by_phase = namespace["by_phase"]
    assert set(by_phase["unit_label"]) == {"Phase 1", "Phase 2"}
