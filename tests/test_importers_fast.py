"""The cases importer's bulk path: typed frames that hold exactly what the model would."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.errors import ModelError
from hubspoke.frames import records_from_frame
from hubspoke.model import CaseRecord
from hubspoke_importers._cases_read import (
    CASE_COLUMNS,
    _cross_field_suspects,
    case_frame,
    encoded_case_frame,
)

NAMES = ["case_id", "referral_date", "closed_on", "closure_reason", "age", "age_band", "gender"]

days = st.none() | st.integers(0, 60).map(lambda n: date(2015, 4, 1) + timedelta(days=n))
rows = st.fixed_dictionaries(
    {
        "case_id": st.sampled_from(["Case-0042", "Case-7"]),
        "referral_date": days,
        "closed_on": days,
        "closure_reason": st.none() | st.just("moved_away"),
        "age": st.none() | st.integers(0, 25),
        "age_band": st.none() | st.sampled_from(["10-12", "13-15", "16-17", "18-25"]),
        "gender": st.none() | st.just("2"),
    }
)


def _columns(row: dict[str, object]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name in NAMES:
        column = np.empty(1, dtype=object)
        column[0] = row[name]
        out[name] = column
    return out


@given(rows)
def test_every_row_the_model_refuses_is_a_suspect(row: dict[str, object]) -> None:
    try:
        CaseRecord(**row)  # type: ignore[arg-type]
    except ModelError:
        assert _cross_field_suspects(_columns(row))[0]


@given(rows)
def test_frame_rows_equal_constructed_records(row: dict[str, object]) -> None:
    try:
        expected = CaseRecord(**row)  # type: ignore[arg-type]
    except ModelError:
        return
    fields = {name: np.array([row.get(name)], dtype=object) for name in CASE_COLUMNS}
    frame = case_frame(fields)
    (made,) = records_from_frame("cases", frame)
    assert made == expected
    assert made.reviews == ()


@given(st.lists(rows, min_size=1, max_size=12))
def test_reading_through_codes_changes_nothing(table: list[dict[str, object]]) -> None:
    """Suspects and the frame are the same from per-row values and from shared codes."""
    fields = {
        name: np.array([row.get(name) for row in table] + [None], dtype=object)[:-1]
        for name in CASE_COLUMNS
    }
    shared = {name: _shared(column) for name, column in fields.items() if name != "case_id"}
    assert (_cross_field_suspects(shared) == _cross_field_suspects(fields)).all()
    kept = [i for i, row in enumerate(table) if not _cross_field_suspects(_columns(row))[0]]
    chosen = {name: column[kept] for name, column in fields.items()}
    pd.testing.assert_frame_equal(
        encoded_case_frame(
            pd.Series(chosen["case_id"], dtype="string"),
            {n: _shared(c) for n, c in chosen.items()},
        ),
        case_frame(chosen),
    )


def _shared(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A column as the reader keeps it: codes into values that repeat and hold None.

    Every row gets its own value slot (two texts may read as one value), and
    one slot more, unused, holds None (a text that read as nothing).
    """
    values = np.empty(len(column) + 1, dtype=object)
    values[0] = None
    values[1:] = column
    return np.arange(1, len(column) + 1, dtype=np.int16), values
