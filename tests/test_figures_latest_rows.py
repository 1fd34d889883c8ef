"""Each case's latest record: the running-maximum rows are the rows a plain search finds."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.figures.facts import latest_rows

DAY = 86_400 * 10**9
START = int(np.datetime64("2013-04-01", "ns").astype(np.int64))


@st.composite
def case_rows(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    n = draw(st.integers(1, 60))
    svc = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), dtype=np.int64)
    cid = np.array(draw(st.lists(st.integers(-1, 8), min_size=n, max_size=n)), dtype=np.int64)
    days = st.lists(st.integers(0, 1500), min_size=n, max_size=n)
    end = START + np.array(draw(days), dtype=np.int64) * DAY
    start = START + np.array(draw(days), dtype=np.int64) * DAY
    if draw(st.booleans()):  # a time of day: the day arithmetic does not apply
        end[0] += 3_600 * 10**9
    return svc, cid, end, start


def _by_search(
    svc: np.ndarray, cid: np.ndarray, end: np.ndarray, start: np.ndarray
) -> tuple[list[int], list[list[int]]]:
    """Per (service, case): the rows at its greatest (end, start), found one row at a time."""
    rows: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, key in enumerate(zip(svc.tolist(), cid.tolist(), strict=True)):
        rows[key].append(i)
    single: list[int] = []
    tied: list[list[int]] = []
    for found in rows.values():
        top = max((int(end[i]), int(start[i])) for i in found)
        at_top = [i for i in found if (int(end[i]), int(start[i])) == top]
        if len(at_top) == 1:
            single += at_top
        else:
            tied.append(sorted(at_top))
    return sorted(single), sorted(tied)


@given(case_rows())
def test_the_latest_rows_are_those_a_plain_search_finds(rows: tuple[np.ndarray, ...]) -> None:
    svc, cid, end, start = rows
    single, tied, group = latest_rows(svc, cid, end, start)
    expected_single, expected_tied = _by_search(svc, cid, end, start)
    assert single.tolist() == expected_single
    found: dict[int, list[int]] = defaultdict(list)
    for row, case in zip(tied.tolist(), group.tolist(), strict=True):
        found[case].append(row)
    assert sorted(found.values()) == expected_tied
    assert tied.tolist() == sorted(tied.tolist())
