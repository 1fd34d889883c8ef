"""docs/formats.md: its samples are real files of their formats, and every format is described."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hubspoke.plugins.contract import LoadOptions, Probe
from hubspoke_importers import hubspoke_register_importers

DOC = Path(__file__).resolve().parents[1] / "docs" / "formats.md"
IMPORTERS = {i.name: i for i in hubspoke_register_importers()}


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_every_built_in_format_has_a_section() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in IMPORTERS:
        assert f"\n## {name}\n" in text


@pytest.mark.parametrize(
    ("kind", "index", "name"),
    [
        ("csv", 0, "hubspoke-values"),  # the one-figure correction (issue 9)
        ("csv", 1, "hubspoke-values"),
        ("csv", 2, "hubspoke-cases"),
        ("csv", 3, "annual-summary-csv"),
        ("json", 0, "hubspoke-json"),
    ],
)
def test_doc_samples_are_claimed_and_load_cleanly(
    tmp_path: Path, kind: str, index: int, name: str
) -> None:
    path = tmp_path / f"sample.{kind}"
    path.write_text(blocks(kind)[index], encoding="utf-8")
    probe = Probe.from_path(path)
    scores = {n: (i.sniff(probe) or 0.0) for n, i in IMPORTERS.items()}
    assert max(scores, key=lambda n: scores[n]) == name
    result = IMPORTERS[name].load(path, options=LoadOptions())
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.rows_imported == result.rows_read > 0
