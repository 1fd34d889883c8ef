"""The latest-case ordering: one packed sort key orders rows exactly as a four-key lexsort."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.figures.facts import _case_order

DAY = 86_400 * 10**9
START = int(np.datetime64("2013-04-01", "ns").astype(np.int64))


@st.composite
def case_rows(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    n = draw(st.integers(1, 60))
    column = st.lists(st.integers(0, 5), min_size=n, max_size=n)
    svc = np.array(draw(column), dtype=np.int64)
    cid = np.array(draw(st.lists(st.integers(-1, 8), min_size=n, max_size=n)), dtype=np.int64)
    days = st.lists(st.integers(0, 1500), min_size=n, max_size=n)
    end = START + np.array(draw(days), dtype=np.int64) * DAY
    start = START + np.array(draw(days), dtype=np.int64) * DAY
    if draw(st.booleans()):  # a time of day: the packed key does not apply
        end[0] += 3_600 * 10**9
    return svc, cid, end, start


@given(case_rows())
def test_the_packed_order_is_the_lexsort_order(rows: tuple[np.ndarray, ...]) -> None:
    svc, cid, end, start = rows
    expected = np.lexsort((start, end, cid, svc))
    assert _case_order(svc, cid, end, start).tolist() == expected.tolist()
