"""Rule ``missing-column``: every column a format requires is present.

Headers are compared case- and space-insensitively ("Case ID" matches
``case_id``); a missing column's diagnostic suggests the closest header
present, since a misspelt header is the usual cause.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from hubspoke.codes import normalise
from hubspoke.diagnostics import Diagnostic, Location, Severity


def header_key(header: str) -> str:
    """The matching key of a header: case-folded, punctuation and spaces as ``_``."""
    return normalise(header).replace(" ", "_")


def match_headers(headers: Iterable[str], wanted: Iterable[str]) -> Mapping[str, str]:
    """``{wanted name: header as written}`` for each wanted name present in ``headers``."""
    by_key: dict[str, str] = {}
    for h in headers:
        by_key.setdefault(header_key(h), h)
    return {w: by_key[header_key(w)] for w in wanted if header_key(w) in by_key}


def check_required_columns(
    headers: Iterable[str],
    required: Iterable[str],
    *,
    file: str,
    sheet: str | None = None,
    header_row: int | None = 1,
) -> list[Diagnostic]:
    """One error per required column not among ``headers``, located at the header row."""
    present = list(headers)
    found = match_headers(present, required)
    keys = {header_key(h): h for h in present}
    diagnostics = []
    for name in required:
        if name in found:
            continue
        close = difflib.get_close_matches(header_key(name), list(keys), n=1, cutoff=0.7)
        diagnostics.append(
            Diagnostic(
                code="missing-column",
                severity=Severity.ERROR,
                message=f"required column {name!r} is missing",
                location=Location(file=file, sheet=sheet, row=header_row),
                suggestion=(
                    f"did you mean {keys[close[0]]!r}? rename it to {name!r}"
                    if close
                    else f"add a column headed {name!r}"
                ),
            )
        )
    return diagnostics
