"""Rule ``duplicate-case-id``: each case id appears once in a return.

The first occurrence is kept; every later one is an error naming the row
of the first, so the sender can decide which record is right. A file that
holds several returns (several services or periods) passes ``by=`` the
columns that separate them, so the same young person may appear once in
each return.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hubspoke.diagnostics import Diagnostic, Severity
from hubspoke.rules.place import ColumnCheck, ColumnPlace, blank_mask


def check_duplicate_ids(
    values: pd.Series,
    place: ColumnPlace,
    *,
    by: Sequence[pd.Series] = (),
) -> ColumnCheck:
    """Flag second and later occurrences of each non-blank id (compared after trimming).

    ``by``: columns aligned with ``values`` (service, period...) within whose
    distinct combinations ids must be unique; by default the whole column.
    ``parsed`` is the trimmed ids (string dtype).
    """
    ids = values.astype("string").str.strip()
    blank = blank_mask(values)
    if by:
        keys = pd.DataFrame(
            {f"by{i}": s.reindex(values.index).astype("string") for i, s in enumerate(by)}
        )
        keys["id"] = ids
        dup = keys.duplicated(keep="first")
        group = keys.fillna("").agg("\x1f".join, axis=1)
    else:
        dup = ids.duplicated(keep="first")
        group = ids
    repeated = (dup & ~blank).fillna(False).astype(bool)
    diagnostics: list[Diagnostic] = []
    if bool(repeated.any()):
        rows = place.row_numbers(values)
        firsts = ~dup & ~blank
        first_row = rows[firsts].groupby(group[firsts]).first()
        for key, case_id, row in zip(
            group[repeated].tolist(), ids[repeated].tolist(), rows[repeated].tolist(), strict=True
        ):
            first = first_row.get(key)
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
