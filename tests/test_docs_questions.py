"""The user guide's "questions an evaluator asks": every command and every API call runs.

Each ``<!-- question -->`` block of ``docs/user-guide.md`` holds one ``sh``
command and one ``python`` expression. They run against a small fictional
workspace (the one of ``tests/test_evaluator_kit.py``): the command must
exit 0 and print something, the expression must give a non-empty answer.
"""

from __future__ import annotations

import re
import shlex
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.workspace import Workspace

GUIDE = Path(__file__).parents[1] / "docs" / "user-guide.md"
_BLOCK = re.compile(r"```sh\n(?P<sh>.+?)\n```\s*```python\n(?P<py>.+?)\n```", re.S)


def _questions() -> list[tuple[str, str, str]]:
    text = GUIDE.read_text(encoding="utf-8").split("## 10. Questions an evaluator asks", 1)[1]
    found = []
    for part in text.split("<!-- question -->")[1:]:
        title = re.search(r"\*\*(.+?)\*\*", part, re.S)
        block = _BLOCK.search(part)
        assert title is not None
        assert block is not None, part[:200]
        found.append((title.group(1), block["sh"].strip(), block["py"].strip()))
    return found


QUESTIONS = _questions()


def test_every_question_of_the_evaluation_is_answered() -> None:
    titles = " ".join(t for t, _, _ in QUESTIONS)
    for needed in ("Outcome 1", "Outcome 2", "Outcome 3", "Outcome 4", "Outcome 5",
                   "Outcome 6", "three indicators", "Reach by phase", "complete"):  # fmt: skip
        assert needed in titles, needed


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hubspoke.serialization import dumps_programme, dumps_returns
    from test_evaluator_kit import _programme, _returns

    folder = tmp_path_factory.mktemp("questions")
    (folder / "programme.json").write_text(dumps_programme(_programme()), encoding="utf-8")
    (folder / "returns.json").write_text(dumps_returns(_returns()), encoding="utf-8")
    path = folder / "evaluation.hubspoke"
    result = CliRunner().invoke(
        main,
        ["import", str(folder / "programme.json"), str(folder / "returns.json"), "-w", str(path)],
    )
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize(
    ("title", "command", "call"), QUESTIONS, ids=[q[0][:40] for q in QUESTIONS]
)
def test_the_command_and_the_call_answer_it(
    workspace: Path, title: str, command: str, call: str
) -> None:
    words = shlex.split(command)
    assert words[0] == "hubspoke"
    args = [str(workspace) if w == "evaluation.hubspoke" else w for w in words[1:]]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, (title, result.output)
    assert result.output.strip()
    with Workspace.open(workspace) as ws:
        answer = eval(call, {"ws": ws, "date": date})  # the guide's own expression
    if isinstance(answer, pd.DataFrame):
        assert len(answer), title
    else:
        assert str(answer).strip(), title
