"""The vectorised form agrees with the scalar reference, row by row, whatever the row order."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hubspoke.errors import ModelError, RubricError
from hubspoke.indicators import (
    COMPONENTS,
    DEFAULT_RUBRIC,
    INDICATORS,
    IndicatorScore,
    Rubric,
    score_embeddedness,
    score_frame,
    score_independence,
    score_sustainability,
)
from indicator_strategies import INPUT_CLASSES, INPUT_STRATEGIES, rubrics

SCORERS: dict[str, Callable[[Any, Rubric], IndicatorScore]] = {
    "embeddedness": score_embeddedness,
    "independence": score_independence,
    "sustainability": score_sustainability,
}
FLAGS = {
    "formal_agreement",
    "host_in_recruitment",
    "referral_mandate",
    "time_limited_work",
    "manager_funded",
}
COUNTS = {
    "systems_access",
    "forums_attended",
    "forums_held",
    "referrals_from_agencies",
    "referrals_total",
    "cases_below_high_risk",
    "cases_total",
    "supervision_sessions",
}


def _column(name: str, values: list[Any], style: str) -> Any:
    """``values`` (None = missing) as a column in one of several dtype styles."""
    if name == "funding_by_funder":
        return pd.Series(values, dtype=object)
    if name == "line_management":
        return {
            "object": pd.Series(values, dtype=object),
            "nullable": pd.Series(values, dtype="string"),
            "numpy": pd.Series(values, dtype="category"),
        }[style]
    if style == "object":
        return pd.Series(values, dtype=object)
    if style == "nullable":
        dtype = "boolean" if name in FLAGS else "Int64" if name in COUNTS else "Float64"
        return pd.Series(values, dtype=dtype).array
    if name in FLAGS:  # numpy style: 0/1 floats with NaN
        return np.array([np.nan if v is None else float(v) for v in values])
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def frame_of(indicator: str, rows: list[Any], style: str, index: list[str]) -> pd.DataFrame:
    """A frame with one row per inputs record, one column per input field."""
    names = [f.name for f in attrs.fields(INPUT_CLASSES[indicator])]
    data = {n: _column(n, [getattr(r, n) for r in rows], style) for n in names}
    frame = pd.DataFrame(data)
    frame.index = pd.Index(index)
    return frame


def assert_row_matches(row: pd.Series, score: IndicatorScore) -> None:
    def same(frame_value: Any, scalar_value: float | None) -> bool:
        if scalar_value is None:
            return bool(pd.isna(frame_value))
        return not pd.isna(frame_value) and abs(float(frame_value) - scalar_value) <= 1e-12

    assert row["coverage"] == score.coverage
    assert same(row["value"], score.value), (row["value"], score.value)
    for name, component in score.components.items():
        assert same(row[name], component.value), (name, row[name], component.value)


indicator_rows = st.sampled_from(INDICATORS).flatmap(
    lambda name: st.tuples(st.just(name), st.lists(INPUT_STRATEGIES[name], min_size=0, max_size=15))
)


@given(
    case=indicator_rows,
    style=st.sampled_from(["object", "nullable", "numpy"]),
    rubric=st.one_of(st.just(DEFAULT_RUBRIC), rubrics()),
)
def test_score_frame_equals_scalar_form_row_by_row(
    case: tuple[str, list[Any]], style: str, rubric: Rubric
) -> None:
    indicator, rows = case
    index = [f"S-{i:03d}" for i in range(len(rows))]
    result = score_frame(frame_of(indicator, rows, style, index), indicator, rubric)
    assert list(result.columns) == ["value", "coverage", *COMPONENTS[indicator]]
    assert list(result.index) == index
    assert str(result["value"].dtype) == "Float64"
    assert str(result["coverage"].dtype) == "float64"
    for position, inputs in enumerate(rows):
        assert_row_matches(result.iloc[position], SCORERS[indicator](inputs, rubric))


@given(case=indicator_rows, data=st.data())
def test_row_order_never_changes_a_row_result(
    case: tuple[str, list[Any]], data: st.DataObject
) -> None:
    indicator, rows = case
    index = [f"Case-{i:04d}" for i in range(len(rows))]
    frame = frame_of(indicator, rows, "nullable", index)
    order = data.draw(st.permutations(range(len(rows))))
    shuffled = score_frame(frame.iloc[list(order)], indicator)
    original = score_frame(frame, indicator)
    assert list(shuffled.index) == [index[i] for i in order]
    pd.testing.assert_frame_equal(shuffled.loc[original.index], original)


@given(rows=st.lists(INPUT_STRATEGIES["sustainability"], max_size=12))
def test_precomputed_funding_columns_equal_the_tuple_column(rows: list[Any]) -> None:
    # Squares of amounts below ~1e-154 underflow; such amounts are not money.
    assume(all(a == 0 or a >= 1e-6 for r in rows for a in (r.funding_by_funder or ())))
    index = [f"S-{i}" for i in range(len(rows))]
    with_tuples = frame_of("sustainability", rows, "nullable", index)
    funders = [r.funding_by_funder for r in rows]
    totals = [None if f is None else math.fsum(f) for f in funders]
    squares = [None if f is None else math.fsum(a * a for a in f) for f in funders]
    precomputed = with_tuples.drop(columns="funding_by_funder").assign(
        funding_total=pd.Series(totals, index=with_tuples.index, dtype="Float64"),
        funding_sum_squares=pd.Series(squares, index=with_tuples.index, dtype="Float64"),
    )
    a = score_frame(with_tuples, "sustainability")
    b = score_frame(precomputed, "sustainability")
    assert (a["coverage"] == b["coverage"]).all()
    for column in ("diversity", "value"):
        left, right = a[column], b[column]
        assert (left.isna() == right.isna()).all()
        gap = (left - right).abs().fillna(0.0)
        assert (gap <= 1e-12).all(), column


def test_empty_frame_gives_empty_result_with_all_columns() -> None:
    frame = frame_of("independence", [], "nullable", [])
    result = score_frame(frame, "independence")
    assert result.empty
    assert list(result.columns) == ["value", "coverage", *COMPONENTS["independence"]]


def test_duplicate_index_labels_are_kept() -> None:
    rows = [INPUT_CLASSES["embeddedness"](colocation_days=d, formal_agreement=True) for d in (1, 5)]
    frame = frame_of("embeddedness", rows, "object", ["S-1", "S-1"])
    result = score_frame(frame, "embeddedness")
    assert list(result.index) == ["S-1", "S-1"]
    assert list(result["colocation"]) == [0.2, 1.0]


def test_extra_columns_are_ignored() -> None:
    rows = [INPUT_CLASSES["independence"](line_management="hub")]
    frame = frame_of("independence", rows, "object", ["S-1"]).assign(spoke_id=["Northmoor-1"])
    assert score_frame(frame, "independence").loc["S-1", "management"] == 1.0


FUNDERS_RULE = (
    "must hold tuples of finite amounts >= 0, NA for missing (1 of 3 rows; first at index "
)


def _valid_frame(indicator: str) -> pd.DataFrame:
    rows = [
        INPUT_CLASSES[indicator](),
        INPUT_CLASSES[indicator](),
        INPUT_CLASSES[indicator](),
    ]
    return frame_of(indicator, rows, "numpy", ["S-1", "S-2", "S-3"])


@pytest.mark.parametrize(
    ("indicator", "column", "values", "rule"),
    [
        (
            "embeddedness",
            "colocation_days",
            [1, 8, 9],
            "must be at most 7 (2 of 3 rows; first at index 'S-2')",
        ),
        (
            "embeddedness",
            "forums_held",
            [1, -1, 2],
            "must be >= 0 (1 of 3 rows; first at index 'S-2')",
        ),
        ("embeddedness", "systems_access", [1, 2.5, 2], "must be a whole number"),
        ("embeddedness", "formal_agreement", ["yes", None, None], "must hold true/false"),
        (
            "independence",
            "line_management",
            ["hub", None, "council"],
            "must be one of: hub, shared, host",
        ),
        ("independence", "total_hours", [1, np.inf, 2], "must be finite"),
        ("independence", "cse_hours", ["a", "b", "c"], "must hold numbers"),
        ("sustainability", "funding_by_funder", [(), (1.0, -1.0), None], FUNDERS_RULE + "'S-2'"),
        ("sustainability", "funding_by_funder", [(1.0, None), None, ()], FUNDERS_RULE + "'S-1'"),
        ("sustainability", "funding_by_funder", [(), None, (np.nan,)], FUNDERS_RULE + "'S-3'"),
        ("sustainability", "funding_by_funder", [(), (np.inf,), ()], FUNDERS_RULE + "'S-2'"),
        ("sustainability", "funding_by_funder", [(), None, ("1", 2)], FUNDERS_RULE + "'S-3'"),
        ("sustainability", "funding_by_funder", ["1234", None, ()], FUNDERS_RULE + "'S-1'"),
        ("sustainability", "funding_by_funder", [(), 5.0, ()], FUNDERS_RULE + "'S-2'"),
    ],
)
def test_bad_values_raise_naming_the_column(
    indicator: str, column: str, values: list[Any], rule: str
) -> None:
    frame = _valid_frame(indicator)
    frame[column] = pd.Series(values, index=frame.index, dtype=object)
    with pytest.raises(ModelError) as caught:
        score_frame(frame, indicator)
    assert caught.value.field == column
    assert f"score_frame.{column}: " in str(caught.value)
    assert rule in str(caught.value)


@pytest.mark.parametrize(
    ("indicator", "part", "total"),
    [
        ("embeddedness", "referrals_from_agencies", "referrals_total"),
        ("independence", "independent_funding", "total_funding"),
        ("independence", "cases_below_high_risk", "cases_total"),
        ("independence", "cse_hours", "total_hours"),
        ("sustainability", "post_months_filled", "post_months"),
    ],
)
def test_a_part_above_its_total_is_an_error(indicator: str, part: str, total: str) -> None:
    frame = _valid_frame(indicator)
    frame[part] = [1.0, 5.0, np.nan]
    frame[total] = [1.0, 4.0, 3.0]
    with pytest.raises(ModelError, match=f"score_frame.{part}: must not exceed {total}"):
        score_frame(frame, indicator)


def test_forums_attended_above_held_is_capped_like_the_scalar_form() -> None:
    frame = _valid_frame("embeddedness")
    frame["forums_attended"] = [5.0, 1.0, 0.0]
    frame["forums_held"] = [2.0, 4.0, 0.0]
    forums = score_frame(frame, "embeddedness")["forums"]
    assert forums.iloc[0] == 1.0
    assert forums.iloc[1] == 0.25
    assert pd.isna(forums.iloc[2])


@pytest.mark.parametrize("indicator", INDICATORS)
def test_a_missing_column_is_an_error_naming_it(indicator: str) -> None:
    frame = _valid_frame(indicator)
    column = list(frame.columns)[-1]
    with pytest.raises(ModelError, match=f"score_frame.{column}: required column is missing"):
        score_frame(frame.drop(columns=column), indicator)


def test_sustainability_without_any_funder_columns_names_funding_total() -> None:
    frame = _valid_frame("sustainability").drop(columns="funding_by_funder")
    with pytest.raises(
        ModelError, match=re.escape("score_frame.funding_total: required column is missing")
    ):
        score_frame(frame, "sustainability")


def test_precomputed_funding_columns_are_checked() -> None:
    frame = _valid_frame("sustainability").drop(columns="funding_by_funder")
    frame["funding_total"] = [10.0, np.nan, 4.0]
    frame["funding_sum_squares"] = [50.0, 3.0, 16.0]
    with pytest.raises(ModelError, match="funding_total: must be missing exactly when"):
        score_frame(frame, "sustainability")
    frame["funding_sum_squares"] = [150.0, np.nan, 16.0]
    with pytest.raises(ModelError, match="funding_sum_squares: must not exceed funding_total"):
        score_frame(frame, "sustainability")
    frame["funding_sum_squares"] = [50.0, np.nan, 16.0]
    assert list(score_frame(frame, "sustainability")["diversity"].fillna(-1)) == [0.5, -1, 0.0]


def test_unknown_indicator_and_bad_rubric_are_refused() -> None:
    frame = _valid_frame("embeddedness")
    with pytest.raises(ModelError, match=re.escape("score_frame.indicator: must be one of")):
        score_frame(frame, "reach")
    with pytest.raises(RubricError):
        score_frame(frame, "embeddedness", rubric="1")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="must be a pandas DataFrame"):
        score_frame({"colocation_days": [1]}, "embeddedness")  # type: ignore[arg-type]


def test_score_frame_is_reachable_lazily_from_the_package() -> None:
    import hubspoke.indicators as indicators
    from hubspoke.indicators.vectorised import score_frame as direct

    assert indicators.score_frame is direct
    with pytest.raises(AttributeError):
        _ = indicators.no_such_name
