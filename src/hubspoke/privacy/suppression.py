"""Small-number suppression with secondary suppression, for published count tables.

A published table is a grid of non-negative whole counts, optionally with a
total per row (shown as a last column), a total per column (shown as a last
row) and, when both are present, a grand total. :func:`suppress_table` hides:

1. **Primary**: every count, interior or total, from 1 to ``min_cell``
   (default 5). A count this small could identify a child.
2. **Secondary** (complementary): more cells, until no hidden cell can be
   worked out exactly from the published cells and totals.

Zero is never suppressed for being small: a zero describes no child, and
hiding zeros would hide most of a sparse table. A published zero beside
hidden cells does not help to recover them (it is a known term in the sums).
Zeros are avoided as complementary cells, because hiding a zero next to a
small count leaves the total of the hidden pair equal to the small count.

How secondary suppression works. Write the table with its margins as an
augmented grid; each row with a row total, each column with a column total,
and the totals row/column when a grand total is published, is a *line*: an
equation "sum of its cells = its total". Unknowns are the hidden entries. A
hidden entry is pinned by the published numbers exactly when it is a
*bridge* in the graph whose nodes are the lines (lines without an equation
merged into one free node) and whose edges are the hidden entries: any other
hidden entry lies on a cycle along which values can be shifted by +e/-e
without changing a published number. The algorithm repeats until no hidden
entry is a bridge:

- if a line has exactly one hidden entry, hide the next smallest entry of
  that line (positive interior cells first, then totals, zeros last);
- otherwise hide the smallest entry joining the two sides of the bridge,
  which puts it on a cycle.

Each step hides one more entry, so it stops. Limits, stated plainly: it
prevents *exact* recovery from the sums within one table. It does not
guarantee a minimum width for the interval an attacker can bound a hidden
cell to (non-negativity and the known range 1..``min_cell`` still bound it),
and it cannot see other tables or other periods: a total published here and
a slightly different total published elsewhere may still be differenced.
See ``docs/privacy.md``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable

import attrs
import numpy as np
import pandas as pd

from hubspoke.errors import PrivacyError

#: The marker published in place of a suppressed count (the GSS "confidential" symbol).
MARKER = "[c]"
#: Default largest count that is suppressed.
DEFAULT_MIN_CELL = 5
#: Label of the totals row and column.
TOTAL = "Total"

_Node = tuple[str, int]
_GROUND: _Node = ("ground", 0)


@attrs.frozen(kw_only=True, eq=False)
class SuppressedTable:
    """A published table: ``counts`` (Int64, NA where hidden) and its ``mask``.

    ``counts`` and ``mask`` include the margin row/column labelled ``TOTAL``
    when they were asked for. ``primary`` marks cells hidden for being small
    (a subset of ``mask``); the rest of ``mask`` is secondary suppression.
    """

    counts: pd.DataFrame
    mask: pd.DataFrame
    primary: pd.DataFrame
    min_cell: int

    def display(self, marker: str = MARKER) -> pd.DataFrame:
        """The table as strings, with ``marker`` in place of every hidden count."""
        shown = self.counts.astype("string")
        return shown.mask(self.mask.to_numpy(), marker)

    @property
    def suppressed(self) -> int:
        """How many cells (margins included) are hidden."""
        return int(self.mask.to_numpy().sum())


def suppress_table(
    counts: pd.DataFrame,
    *,
    min_cell: int = DEFAULT_MIN_CELL,
    row_totals: bool = True,
    col_totals: bool = True,
    total_label: str = TOTAL,
) -> SuppressedTable:
    """Publish a 2-D count table with margins, small counts and their complements hidden.

    ``counts`` holds only the interior cells (no totals): non-negative whole
    numbers, no missing values. Margins are computed here, so they always
    add up. ``row_totals`` appends a ``total_label`` column, ``col_totals`` a
    ``total_label`` row; with both, the corner is the grand total.
    Raises :class:`~hubspoke.errors.PrivacyError` for negative, fractional or
    missing counts, or ``min_cell`` < 1.
    """
    grid = _validated_grid(counts, min_cell)
    augmented = _augment(grid, row_totals=row_totals, col_totals=col_totals)
    primary = (augmented >= 1) & (augmented <= min_cell)
    mask = _secondary(augmented, primary.copy(), row_totals=row_totals, col_totals=col_totals)

    index: list[Hashable] = list(counts.index)
    columns: list[Hashable] = list(counts.columns)
    if col_totals:
        index.append(total_label)
    if row_totals:
        columns.append(total_label)
    full = pd.DataFrame(augmented, index=index, columns=columns).astype("Int64")
    mask_frame = pd.DataFrame(mask, index=index, columns=columns)
    published = full.mask(mask_frame)
    return SuppressedTable(
        counts=published,
        mask=mask_frame,
        primary=pd.DataFrame(primary, index=index, columns=columns),
        min_cell=min_cell,
    )


def suppress_series(
    counts: pd.Series,
    *,
    min_cell: int = DEFAULT_MIN_CELL,
    total: bool = True,
    total_label: str = TOTAL,
    name: str | None = None,
) -> SuppressedTable:
    """Publish a 1-D count table (categories as rows, a ``total_label`` row if ``total``).

    The result has one column, named ``name`` or the series' name or "count".
    """
    column = name if name is not None else (counts.name if counts.name is not None else "count")
    frame = pd.DataFrame({column: counts})
    return suppress_table(
        frame, min_cell=min_cell, row_totals=False, col_totals=total, total_label=total_label
    )


def pinned_cells(mask: np.ndarray, *, row_totals: bool, col_totals: bool) -> list[tuple[int, int]]:
    """Hidden entries of an augmented grid that published sums determine exactly.

    ``mask`` is the boolean hidden-mask of the augmented grid (margins
    included, as :func:`suppress_table` lays them out). Empty means safe.
    """
    edges = _hidden_edges(mask, row_totals=row_totals, col_totals=col_totals)
    return [edges[k][0] for k in _bridges(edges)]


# ---------------------------------------------------------------------------


def _validated_grid(counts: pd.DataFrame, min_cell: int) -> np.ndarray:
    if min_cell < 1:
        raise PrivacyError(f"min_cell must be at least 1, got {min_cell}")
    missing = counts.isna().to_numpy()
    if missing.any():
        i, j = (int(x) for x in np.argwhere(missing)[0])
        raise PrivacyError(
            f"count table has a missing value at row {counts.index[i]!r}, "
            f"column {counts.columns[j]!r}"
        )
    try:
        values = counts.to_numpy(dtype="float64")
    except (TypeError, ValueError) as exc:
        raise PrivacyError(f"count table holds non-numeric values: {exc}") from exc
    bad = (values < 0) | (values != np.floor(values))
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        raise PrivacyError(
            f"counts must be non-negative whole numbers; row {counts.index[i]!r}, "
            f"column {counts.columns[j]!r} holds {values[i, j]!r}"
        )
    return values.astype("int64")


def _augment(grid: np.ndarray, *, row_totals: bool, col_totals: bool) -> np.ndarray:
    out = grid
    if row_totals:
        out = np.column_stack([out, out.sum(axis=1)])
    if col_totals:
        out = np.vstack([out, out.sum(axis=0)])
    return out


def _line_nodes(
    shape: tuple[int, int], *, row_totals: bool, col_totals: bool
) -> tuple[list[_Node], list[_Node]]:
    """Graph node of each augmented row and column (equation-less lines -> ground)."""
    n_rows, n_cols = shape
    both = row_totals and col_totals
    interior_rows = n_rows - (1 if col_totals else 0)
    interior_cols = n_cols - (1 if row_totals else 0)
    rows: list[_Node] = []
    for i in range(n_rows):
        has_equation = row_totals if i < interior_rows else both
        rows.append(("row", i) if has_equation else _GROUND)
    cols: list[_Node] = []
    for j in range(n_cols):
        has_equation = col_totals if j < interior_cols else both
        cols.append(("col", j) if has_equation else _GROUND)
    return rows, cols


_Edge = tuple[tuple[int, int], _Node, _Node]


def _hidden_edges(mask: np.ndarray, *, row_totals: bool, col_totals: bool) -> list[_Edge]:
    rows, cols = _line_nodes(mask.shape, row_totals=row_totals, col_totals=col_totals)
    return [((int(i), int(j)), rows[int(i)], cols[int(j)]) for i, j in np.argwhere(mask)]


def _reachable(edges: list[_Edge], start: _Node, skip: int) -> set[_Node]:
    adjacency: dict[_Node, list[_Node]] = {}
    for k, (_, u, v) in enumerate(edges):
        if k == skip:
            continue
        adjacency.setdefault(u, []).append(v)
        adjacency.setdefault(v, []).append(u)
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for other in adjacency.get(node, ()):
            if other not in seen:
                seen.add(other)
                queue.append(other)
    return seen


def _bridges(edges: list[_Edge]) -> list[int]:
    """Indices of edges on no cycle (Tarjan's bridge-finding, iterative; O(nodes + edges)).

    Parallel edges are never bridges (each is on a cycle with the other), nor
    are self-loops at the ground node.
    """
    adjacency: dict[_Node, list[tuple[_Node, int]]] = {}
    for k, (_, u, v) in enumerate(edges):
        adjacency.setdefault(u, []).append((v, k))
        adjacency.setdefault(v, []).append((u, k))
    discovered: dict[_Node, int] = {}
    low: dict[_Node, int] = {}
    found: list[int] = []
    for root in adjacency:
        if root in discovered:
            continue
        discovered[root] = low[root] = len(discovered)
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            for other, k in neighbours:
                if k == via:
                    continue
                if other in discovered:
                    low[node] = min(low[node], discovered[other])
                    continue
                discovered[other] = low[other] = len(discovered)
                stack.append((other, k, iter(adjacency[other])))
                break
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > discovered[parent]:
                        found.append(via)
    return sorted(found)


def _secondary(
    augmented: np.ndarray, mask: np.ndarray, *, row_totals: bool, col_totals: bool
) -> np.ndarray:
    n_rows, n_cols = augmented.shape
    rows, cols = _line_nodes(augmented.shape, row_totals=row_totals, col_totals=col_totals)
    interior_rows = n_rows - (1 if col_totals else 0)
    interior_cols = n_cols - (1 if row_totals else 0)

    def key(cell: tuple[int, int]) -> tuple[bool, bool, bool, int, int, int]:
        # Zeros last; then prefer a cell whose other line already has hidden
        # entries (it closes a cycle instead of starting a new chain); then
        # interior before totals; then the smallest count.
        i, j = cell
        value = int(augmented[i, j])
        is_total = i >= interior_rows or j >= interior_cols
        touched = rows[i] in hidden_nodes and cols[j] in hidden_nodes
        return (value == 0, not touched, is_total, value, i, j)

    def line_cells(node: _Node) -> Iterable[tuple[int, int]]:
        kind, index = node
        if kind == "row":
            return ((index, j) for j in range(n_cols))
        return ((i, index) for i in range(n_rows))

    while True:
        edges = _hidden_edges(mask, row_totals=row_totals, col_totals=col_totals)
        bridges = _bridges(edges)
        if not bridges:
            return mask
        (bi, _), u, v = edges[bridges[0]]
        hidden_nodes = {node for _, a, b in edges for node in (a, b)}
        degree = {u: 0, v: 0}
        for _, a, b in edges:
            for node in (a, b):
                if node in degree:
                    degree[node] += 1
        lonely = next((n for n in (u, v) if n != _GROUND and degree[n] == 1), None)
        if lonely is not None:
            candidates = [c for c in line_cells(lonely) if not mask[c]]
        else:
            side_u = _reachable(edges, u, skip=bridges[0])
            side_v = _reachable(edges, v, skip=bridges[0])
            candidates = [
                (i, j)
                for i in range(n_rows)
                for j in range(n_cols)
                if not mask[i, j]
                and (
                    (rows[i] in side_u and cols[j] in side_v)
                    or (rows[i] in side_v and cols[j] in side_u)
                )
            ]
        if not candidates:  # cannot happen on a complete grid; hide the row's next cell
            candidates = [c for c in line_cells(("row", bi)) if not mask[c]] or [
                (int(i), int(j)) for i, j in np.argwhere(~mask)
            ]
        mask[min(candidates, key=key)] = True
