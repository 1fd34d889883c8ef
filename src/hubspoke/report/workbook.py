"""One Excel workbook holding every table of a period (``hubspoke score --xlsx FILE``).

Two views, and the file says which it is on its first sheet ("About") and in
its document properties:

- **published** (the default): exactly the tables the report publishes for
  the period (:func:`hubspoke.report.build.render_report`), so counts of
  people from 1 to ``min_cell`` are suppressed as everywhere else;
- **internal** (``--internal``): the evaluation team's unsuppressed frames
  (scores, components, the figures frame with intervals and estimates, the
  figure used per return, reconciliation, field completeness per record and
  per young person). Marked "INTERNAL: NOT FOR PUBLICATION" on the About
  sheet, in the title and in every sheet's first row.

Text cells a spreadsheet could run as a formula are neutralised
(:func:`hubspoke.privacy.exports.neutralise_frame`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd

from hubspoke.privacy.exports import neutralise_cell, neutralise_frame

INTERNAL_MARK: Final = "INTERNAL: NOT FOR PUBLICATION (unsuppressed counts)"
PUBLISHED_MARK: Final = "Published view: counts of people from 1 to {min_cell} suppressed"


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date() if value == value.normalize() else value
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str):
        return item()
    return value


def _sheet_name(name: str, taken: set[str]) -> str:
    base = "".join(c if c not in "[]:*?/\\" else "_" for c in name)[:31] or "sheet"
    out, n = base, 2
    while out.lower() in taken:
        suffix = f"~{n}"
        out, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(out.lower())
    return out


def write_workbook(
    path: Path,
    sheets: Sequence[tuple[str, pd.DataFrame]],
    *,
    internal: bool,
    about: Sequence[str],
    min_cell: int,
) -> Path:
    """Write ``sheets`` (name, frame) after an "About" sheet of ``about`` lines; return ``path``."""
    from openpyxl import Workbook

    mark = INTERNAL_MARK if internal else PUBLISHED_MARK.format(min_cell=min_cell)
    workbook = Workbook()
    workbook.properties.title = mark
    workbook.properties.subject = "hubspoke tables"
    first = workbook.active
    assert first is not None  # a new workbook always has one sheet
    first.title = "About"
    for row, line in enumerate([mark, *about], start=1):
        first.cell(row=row, column=1, value=neutralise_cell(line))
    taken = {"about"}
    for name, frame in sheets:
        sheet = workbook.create_sheet(_sheet_name(name, taken))
        safe = neutralise_frame(frame.reset_index(drop=True))
        offset = 1
        if internal:
            sheet.cell(row=1, column=1, value=INTERNAL_MARK)
            offset = 2
        for col, header in enumerate(safe.columns, start=1):
            sheet.cell(row=offset, column=col, value=str(header))
        for r, values in enumerate(safe.itertuples(index=False), start=offset + 1):
            for c, value in enumerate(values, start=1):
                sheet.cell(row=r, column=c, value=_cell(value))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


__all__ = ["INTERNAL_MARK", "PUBLISHED_MARK", "write_workbook"]
