"""Rule ``unknown-code``: every coded cell holds a known code.

Free text is mapped through the code list's aliases ("Female", "F" -> "2");
a non-blank cell that maps to nothing is an error with the closest code as
a suggestion ("did you mean 'medium'?"). Blank cells stay missing and are
not errors here (whether blank is allowed is the importer's decision).
"""

from __future__ import annotations

import pandas as pd

from hubspoke.codes import CodeList, code_list, map_series
from hubspoke.diagnostics import Severity
from hubspoke.rules.place import ColumnCheck, ColumnPlace, cell_diagnostics


def did_you_mean(cl: CodeList, text: str) -> str | None:
    """``"did you mean 'medium' (Medium)?"`` for the closest code to ``text``, or None."""
    close = cl.suggest(text)
    if close is None:
        return None
    label = cl.label_of(close)
    shown = f"{close!r} ({label})" if label != close else repr(close)
    return f"did you mean {shown}?"


def _article(word: str) -> str:
    """``a`` or ``an`` before ``word`` (by its first letter: "an ethnicity", "a gender")."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def check_codes(
    values: pd.Series,
    codes: str | CodeList,
    place: ColumnPlace,
    *,
    severity: Severity = Severity.ERROR,
) -> ColumnCheck:
    """Map a column of free text to codes of ``codes``, flagging cells that match none.

    ``parsed`` is categorical (categories = the list's code values). With
    ``severity`` WARNING the cells are reported but ``bad`` stays false.
    """
    cl = code_list(codes) if isinstance(codes, str) else codes
    mapped = map_series(cl, values)
    known = ", ".join(cl.values)
    what = cl.label.lower()
    diagnostics = cell_diagnostics(
        values,
        mapped.unmapped,
        place,
        code="unknown-code",
        severity=severity,
        message=lambda text: f"{text!r} is not {_article(what)} {what} code (codes: {known})",
        suggestion=lambda text: did_you_mean(cl, text),
    )
    bad = mapped.unmapped if severity is Severity.ERROR else mapped.unmapped & False
    return ColumnCheck(parsed=mapped.codes, bad=bad, diagnostics=diagnostics)
