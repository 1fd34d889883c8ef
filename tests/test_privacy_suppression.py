"""Tests for hubspoke.privacy.suppression: primary and secondary suppression.

The properties run over random count tables with margins. The "solver"
check is independent of the implementation's graph method: it builds the
linear system of published sums and asks numpy whether a hidden cell's unit
vector lies in the row space of that system (if it does, the cell is pinned).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.errors import PrivacyError
from hubspoke.privacy.suppression import (
    MARKER,
    TOTAL,
    pinned_cells,
    suppress_series,
    suppress_table,
)

# Skewed towards small counts so that suppression actually happens.
_count = st.one_of(st.integers(0, 7), st.integers(0, 60))


@st.composite
def count_tables(draw: st.DrawFn) -> pd.DataFrame:
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 5))
    values = [[draw(_count) for _ in range(n_cols)] for _ in range(n_rows)]
    return pd.DataFrame(
        values,
        index=[f"Spoke-{i:02d}" for i in range(n_rows)],
        columns=[f"Q{j + 1}" for j in range(n_cols)],
    )


def _equations(
    shape: tuple[int, int], row_totals: bool, col_totals: bool
) -> list[list[tuple[int, int, int]]]:
    """Each published sum as [(i, j, coefficient)] over the augmented grid.

    With both margins the totals row and column are lines too (they add up to
    the grand total), so every row and every column is an equation.
    """
    n_rows, n_cols = shape
    lines: list[list[tuple[int, int, int]]] = []
    if row_totals:
        for i in range(n_rows):
            lines.append([(i, j, 1) for j in range(n_cols - 1)] + [(i, n_cols - 1, -1)])
    if col_totals:
        for j in range(n_cols):
            lines.append([(i, j, 1) for i in range(n_rows - 1)] + [(n_rows - 1, j, -1)])
    return lines


def _determined_by_solver(
    mask: np.ndarray, row_totals: bool, col_totals: bool
) -> list[tuple[int, int]]:
    hidden = [(int(i), int(j)) for i, j in np.argwhere(mask)]
    position = {cell: k for k, cell in enumerate(hidden)}
    rows = []
    for line in _equations(mask.shape, row_totals, col_totals):
        row = np.zeros(len(hidden))
        for i, j, c in line:
            if (i, j) in position:
                row[position[(i, j)]] = c
        if row.any():
            rows.append(row)
    if not rows:
        return []
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)
    pinned = []
    for cell, k in position.items():
        unit = np.zeros(len(hidden))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            pinned.append(cell)
    return pinned


margins = st.sampled_from([(True, True), (True, False), (False, True)])


@given(table=count_tables(), min_cell=st.integers(1, 6), layout=margins)
def test_every_small_count_is_hidden(
    table: pd.DataFrame, min_cell: int, layout: tuple[bool, bool]
) -> None:
    row_totals, col_totals = layout
    result = suppress_table(table, min_cell=min_cell, row_totals=row_totals, col_totals=col_totals)
    shown = result.counts.to_numpy(dtype="float64", na_value=np.nan)
    visible = shown[~np.isnan(shown)]
    assert not ((visible >= 1) & (visible <= min_cell)).any()


@given(table=count_tables(), min_cell=st.integers(1, 6), layout=margins)
def test_no_hidden_cell_is_recoverable(
    table: pd.DataFrame, min_cell: int, layout: tuple[bool, bool]
) -> None:
    row_totals, col_totals = layout
    result = suppress_table(table, min_cell=min_cell, row_totals=row_totals, col_totals=col_totals)
    mask = result.mask.to_numpy()
    # Independent solver: no hidden cell is pinned by the linear system of published sums.
    assert _determined_by_solver(mask, row_totals, col_totals) == []
    assert pinned_cells(mask, row_totals=row_totals, col_totals=col_totals) == []
    # The subtraction attack in particular: no line has exactly one hidden entry.
    for line in _equations(mask.shape, row_totals, col_totals):
        assert sum(bool(mask[i, j]) for i, j, _ in line) != 1


@given(table=count_tables(), min_cell=st.integers(1, 6))
def test_published_cells_are_unchanged_and_totals_add_up(
    table: pd.DataFrame, min_cell: int
) -> None:
    result = suppress_table(table, min_cell=min_cell)
    full = table.copy()
    full[TOTAL] = table.sum(axis=1)
    full.loc[TOTAL] = full.sum(axis=0)
    published = result.counts
    for row in published.index:
        for col in published.columns:
            value = published.loc[row, col]
            if result.mask.loc[row, col]:
                assert pd.isna(value)
            else:
                assert value == full.loc[row, col]
    assert (result.primary.to_numpy() <= result.mask.to_numpy()).all()


@given(table=count_tables())
def test_zeros_are_never_primary(table: pd.DataFrame) -> None:
    result = suppress_table(table)
    counts = table.to_numpy()
    assert not result.primary.to_numpy()[: counts.shape[0], : counts.shape[1]][counts == 0].any()


def test_worked_example_hides_a_complement_in_row_and_column() -> None:
    table = pd.DataFrame(
        {"Q1": [3, 10, 20], "Q2": [12, 0, 8], "Q3": [9, 14, 2]},
        index=["Northmoor", "Eastvale", "Alder Trust"],
    )
    shown = suppress_table(table).display()
    assert shown.loc["Northmoor", "Q1"] == MARKER
    assert shown.loc["Alder Trust", "Q3"] == MARKER
    # Each row/column holding a hidden cell holds at least two.
    mask = shown == MARKER
    assert all(n in (0, 2, 3) for n in mask.sum(axis=0))
    assert all(n in (0, 2, 3) for n in mask.sum(axis=1))
    assert shown.loc[TOTAL, TOTAL] == "78"


def test_small_total_is_hidden_with_its_cells() -> None:
    table = pd.DataFrame({"a": [2, 40], "b": [1, 30]}, index=["Northmoor", "Eastvale"])
    result = suppress_table(table)
    assert result.mask.loc["Northmoor", TOTAL]
    assert result.primary.loc["Northmoor", TOTAL]


def test_series_with_one_small_category_hides_the_next_smallest() -> None:
    counts = pd.Series({"female": 31, "male": 3, "not recorded": 12}, name="referrals")
    shown = suppress_series(counts).display()
    assert list(shown["referrals"]) == ["31", MARKER, MARKER, "46"]


def test_table_without_margins_needs_only_primary() -> None:
    table = pd.DataFrame({"a": [2, 40], "b": [7, 30]})
    result = suppress_table(table, row_totals=False, col_totals=False)
    assert result.suppressed == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([[1, -2]], "non-negative whole"),
        ([[1.5, 2]], "non-negative whole"),
        ([[None, 2]], "missing value"),
    ],
)
def test_bad_counts_are_refused_with_their_location(
    values: list[list[object]], message: str
) -> None:
    with pytest.raises(PrivacyError, match=message):
        suppress_table(pd.DataFrame(values, columns=["a", "b"], index=["Northmoor"]))


def test_min_cell_below_one_is_refused() -> None:
    with pytest.raises(PrivacyError, match="min_cell"):
        suppress_table(pd.DataFrame({"a": [1]}), min_cell=0)


@given(
    shape=st.tuples(st.integers(2, 6), st.integers(2, 6)),
    data=st.data(),
    layout=margins,
)
def test_pinned_cells_agree_with_linear_algebra_on_any_mask(
    shape: tuple[int, int], data: st.DataObject, layout: tuple[bool, bool]
) -> None:
    row_totals, col_totals = layout
    cells = shape[0] * shape[1]
    flat = data.draw(st.lists(st.booleans(), min_size=cells, max_size=cells))
    mask = np.array(flat, dtype=bool).reshape(shape)
    assert sorted(pinned_cells(mask, row_totals=row_totals, col_totals=col_totals)) == sorted(
        _determined_by_solver(mask, row_totals, col_totals)
    )
