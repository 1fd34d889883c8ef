"""docs/indicators.md and the code agree: the worked example, the v1 tables and the TOML.

Every number is read from the document (blocks and tables marked with
``<!-- worked-example: ... -->`` and ``<!-- rubric-v1: ... -->`` comments),
so editing either the doc or the code alone makes these tests fail.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pytest

from hubspoke.indicators import (
    COMPONENTS,
    DEFAULT_RUBRIC,
    INDICATORS,
    EmbeddednessInputs,
    IndependenceInputs,
    IndicatorScore,
    SustainabilityInputs,
    load_rubric,
    rubric_to_toml,
    score_embeddedness,
    score_frame,
    score_independence,
    score_sustainability,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "indicators.md"


def _after_marker(marker: str) -> list[str]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    tag = f"<!-- {marker} -->"
    positions = [i for i, line in enumerate(lines) if line.strip() == tag]
    assert len(positions) == 1, f"{tag} must appear exactly once in {DOC.name}"
    return lines[positions[0] + 1 :]


def fenced_block(marker: str) -> str:
    """The fenced code block right after ``<!-- marker -->``."""
    rest = _after_marker(marker)
    assert rest[0].startswith("```"), f"{marker}: a fenced block must follow the marker"
    end = next(i for i in range(1, len(rest)) if rest[i].startswith("```"))
    return "\n".join(rest[1:end]) + "\n"


def table(marker: str) -> list[dict[str, str]]:
    """The Markdown table right after ``<!-- marker -->``, as one dict per row."""
    rest = _after_marker(marker)
    rows: list[list[str]] = []
    for line in rest:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, separator, *body = rows
    assert all(set(cell) <= {"-", ":"} for cell in separator)
    return [dict(zip(header, row, strict=True)) for row in body]


def worked_inputs() -> dict[str, Any]:
    data = tomllib.loads(fenced_block("worked-example: inputs"))
    assert set(data) == set(INDICATORS)
    sustainability = dict(data["sustainability"])
    sustainability["funding_by_funder"] = tuple(sustainability["funding_by_funder"])
    return {
        "embeddedness": EmbeddednessInputs(**data["embeddedness"]),
        "independence": IndependenceInputs(**data["independence"]),
        "sustainability": SustainabilityInputs(**sustainability),
    }


def worked_scores() -> dict[str, IndicatorScore]:
    inputs = worked_inputs()
    return {
        "embeddedness": score_embeddedness(inputs["embeddedness"]),
        "independence": score_independence(inputs["independence"]),
        "sustainability": score_sustainability(inputs["sustainability"]),
    }


def test_worked_example_components_match_the_code() -> None:
    scores = worked_scores()
    rows = table("worked-example: components")
    listed = [(r["indicator"], r["component"]) for r in rows]
    assert listed == [(i, c) for i in INDICATORS for c in COMPONENTS[i]]
    for row in rows:
        component = scores[row["indicator"]].components[row["component"]]
        assert float(row["weight"]) == component.weight, row
        if row["value"] == "unavailable":
            assert component.value is None, row
            assert row["weighted"] == "-"
            assert component.reason is not None
            assert component.reason in row["working"], row
        else:
            assert component.value is not None, row
            assert float(row["value"]) == pytest.approx(component.value, abs=5e-5), row
            weighted = component.value * component.weight
            assert float(row["weighted"]) == pytest.approx(weighted, abs=5e-5), row


def test_worked_example_scores_match_the_code() -> None:
    scores = worked_scores()
    rows = table("worked-example: scores")
    assert [r["indicator"] for r in rows] == list(INDICATORS)
    for row in rows:
        score = scores[row["indicator"]]
        assert score.value is not None
        assert float(row["value"]) == pytest.approx(score.value, abs=5e-5), row
        assert float(row["coverage"]) == pytest.approx(score.coverage, abs=5e-3), row


def test_worked_example_hand_arithmetic() -> None:
    """The sums stated in the doc's prose, recomputed from the components."""
    scores = worked_scores()
    independence = scores["independence"]
    assert independence.coverage == 0.9
    assert independence.value == pytest.approx(0.575 / 0.9, abs=1e-12)
    assert scores["embeddedness"].value == pytest.approx(0.6575, abs=1e-12)
    diversity = scores["sustainability"].components["diversity"].value
    assert diversity == pytest.approx(1 - 74 / 144, abs=1e-15)


def test_worked_example_explanations_match_the_code() -> None:
    expected = fenced_block("worked-example: explain").splitlines()
    assert expected == [s.explain() for s in worked_scores().values()]


def test_worked_example_vectorised_form_agrees() -> None:
    scores = worked_scores()
    for indicator, inputs in worked_inputs().items():
        values = attrs.asdict(inputs, recurse=False)
        row = {name: [value] for name, value in values.items()}
        frame = pd.DataFrame(row, index=["Northmoor-1"])
        result = score_frame(frame, indicator)
        assert result.loc["Northmoor-1", "value"] == pytest.approx(scores[indicator].value)
        assert result.loc["Northmoor-1", "coverage"] == scores[indicator].coverage


@pytest.mark.parametrize("indicator", INDICATORS)
def test_v1_weight_tables_match_the_default_rubric(indicator: str) -> None:
    rows = table(f"rubric-v1: {indicator}")
    assert [r["component"] for r in rows] == list(COMPONENTS[indicator])
    for row in rows:
        assert float(row["weight"]) == DEFAULT_RUBRIC.weights(indicator)[row["component"]]


def test_v1_targets_appear_in_the_formulas() -> None:
    rows = {r["component"]: r["value"] for i in INDICATORS for r in table(f"rubric-v1: {i}")}
    t = DEFAULT_RUBRIC.targets
    assert f"/ {t.colocation_full_time_days:g}," in rows["colocation"]
    assert f"/ {t.preventative_target:g}," in rows["preventative_work"]
    assert f"/ {t.runway_target:g}," in rows["runway"]
    assert f"x {t.supervision_per_month:g})" in rows["supervision"]
    assert f"/ {t.commitment_months:g}," in rows["commitment"]


def test_thresholds_and_min_coverage_are_stated() -> None:
    text = DOC.read_text(encoding="utf-8")
    th = DEFAULT_RUBRIC.thresholds
    assert f"`o1_months` ({th.o1_months:g})" in text
    assert f"`o2_threshold` ({th.o2_threshold:g})" in text
    assert f"`o3_cse_focus`\n   ({th.o3_cse_focus:g})" in text
    assert f"`min_coverage` ({DEFAULT_RUBRIC.min_coverage:g})" in text


def test_v1_toml_in_the_doc_is_what_the_code_writes() -> None:
    assert fenced_block("rubric-v1: toml") == rubric_to_toml(DEFAULT_RUBRIC)


def test_rubric_example_in_the_doc_loads(tmp_path: Path) -> None:
    path = tmp_path / "northmoor.toml"
    path.write_text(fenced_block("rubric-example"), encoding="utf-8")
    rubric = load_rubric(path)
    assert rubric.version == "northmoor-2016"
    assert rubric.embeddedness["agreement"] == 0.30
    assert rubric.targets.runway_target == 36


def test_markers_are_not_left_dangling() -> None:
    markers = re.findall(r"<!-- ([a-z0-9 :-]+) -->", DOC.read_text(encoding="utf-8"))
    assert len(markers) == len(set(markers))
