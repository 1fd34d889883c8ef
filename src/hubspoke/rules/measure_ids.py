"""Rules ``unknown-measure`` and ``breakdown-not-allowed``.

``unknown-measure``: every measure cell names a measure in the catalogue
(its id, label or an alias); otherwise an error suggesting the closest id.
``breakdown-not-allowed``: a value is broken down only by dimensions its
measure allows (:attr:`hubspoke.measures.Measure.dimensions`).
"""

from __future__ import annotations

import difflib

import attrs
import pandas as pd

from hubspoke.codes import normalise
from hubspoke.diagnostics import Severity
from hubspoke.measures import Measure, measure_for_label, measures
from hubspoke.rules.place import ColumnCheck, ColumnPlace, blank_mask, cell_diagnostics


def closest_measure(text: str) -> str | None:
    """The id of the catalogue measure closest to ``text`` (id, label or alias), or None."""
    key = normalise(text)
    if not key:
        return None
    by_key: dict[str, str] = {}
    for m in measures().values():
        for name in (m.id, m.label, *m.aliases):
            by_key.setdefault(normalise(name), m.id)
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


def resolve_measure(text: str) -> Measure | None:
    """The measure ``text`` names (exact id first, then label or alias), or None."""
    found = measures().get(text.strip())
    return found if found is not None else measure_for_label(text)


def check_measures(values: pd.Series, place: ColumnPlace) -> ColumnCheck:
    """Resolve a column of measure names to measure ids (string dtype); flag unknown ones.

    Blank cells are errors too: a value row without a measure means nothing.
    Resolution runs once per distinct text.
    """
    text = values.astype("string").str.strip()
    table = {t: resolve_measure(t) for t in text.dropna().unique().tolist()}
    ids = text.map({t: (m.id if m is not None else pd.NA) for t, m in table.items()})
    parsed = ids.astype("string")
    bad = parsed.isna().fillna(True).astype(bool)
    blank = blank_mask(values)

    def message(cell: str) -> str:
        if not cell.strip():
            return "the measure is blank"
        return f"{cell!r} is not a measure in the catalogue"

    def suggestion(cell: str) -> str | None:
        close = closest_measure(cell) if cell.strip() else None
        return f"did you mean {close!r}?" if close else None

    diagnostics = cell_diagnostics(
        values.where(~blank, ""),
        bad,
        place,
        code="unknown-measure",
        severity=Severity.ERROR,
        message=message,
        suggestion=suggestion,
    )
    return ColumnCheck(parsed=parsed, bad=bad, diagnostics=diagnostics)


def check_breakdown_allowed(
    measure_ids: pd.Series, breakdown: pd.Series, dimension: str, place: ColumnPlace
) -> ColumnCheck:
    """Flag rows broken down by ``dimension`` whose measure does not allow it.

    ``measure_ids`` holds resolved measure ids (missing where unknown:
    those rows are already rejected and are not flagged again);
    ``breakdown`` is the raw column of ``dimension``, blank meaning "not
    broken down". ``place`` is the breakdown column's place. ``parsed`` is
    ``measure_ids`` unchanged.
    """
    catalogue = measures()
    allows = {
        mid: dimension in catalogue[mid].dimensions
        for mid in measure_ids.dropna().unique().tolist()
        if mid in catalogue
    }
    allowed = measure_ids.map(allows).astype("boolean").fillna(True).astype(bool)
    bad = ~blank_mask(breakdown) & ~allowed
    id_by_row = measure_ids.astype("string").fillna("")
    messages = {
        mid: (
            f"measure {mid!r} cannot be broken down by {dimension}"
            + (
                f" (it allows: {', '.join(sorted(catalogue[mid].dimensions))})"
                if catalogue[mid].dimensions
                else " (it is reported as a total only)"
            )
        )
        for mid in allows
        if not allows[mid]
    }
    diagnostics = []
    for d, mid in zip(
        cell_diagnostics(
            breakdown,
            bad,
            place,
            code="breakdown-not-allowed",
            severity=Severity.ERROR,
            message=lambda _: "",
        ),
        id_by_row[bad].tolist(),
        strict=True,
    ):
        diagnostics.append(
            attrs.evolve(
                d,
                message=messages.get(mid, f"breakdown by {dimension} is not allowed"),
                suggestion="leave this cell blank or report the value under another measure",
            )
        )
    return ColumnCheck(parsed=measure_ids, bad=bad, diagnostics=diagnostics)
