"""Rule ``duplicate-case-id``: each case id appears once in a return.

The first occurrence is kept; every later one is an error naming the row
of the first, so the sender can decide which record is right.
"""

from __future__ import annotations

import pandas as pd

from hubspoke.diagnostics import Diagnostic, Severity
from hubspoke.rules.place import ColumnCheck, ColumnPlace, blank_mask


def check_duplicate_ids(values: pd.Series, place: ColumnPlace) -> ColumnCheck:
    """Flag second and later occurrences of each non-blank id (compared after trimming).

    ``parsed`` is the trimmed ids (string dtype).
    """
    ids = values.astype("string").str.strip()
    blank = blank_mask(values)
    repeated = (ids.duplicated(keep="first") & ~blank).fillna(False).astype(bool)
    diagnostics: list[Diagnostic] = []
    if bool(repeated.any()):
        rows = place.row_numbers(values)
        first_row = (
            rows[~ids.duplicated(keep="first") & ~blank]
            .groupby(ids[~ids.duplicated(keep="first") & ~blank])
            .first()
        )
        for case_id, row in zip(ids[repeated].tolist(), rows[repeated].tolist(), strict=True):
            first = first_row.get(case_id)
            diagnostics.append(
                Diagnostic(
                    code="duplicate-case-id",
                    severity=Severity.ERROR,
                    message=f"case id {case_id!r} already appears in row {first}",
                    location=place.location(None if pd.isna(row) else int(row)),
                    value=str(case_id),
                    suggestion="give each young person one row, or correct the id",
                )
            )
    return ColumnCheck(parsed=ids, bad=repeated, diagnostics=diagnostics)
