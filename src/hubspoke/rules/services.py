"""Rules ``invalid-service-id``, ``unknown-service``, ``invalid-case-id`` and ``unknown-column``.

Service ids and case ids are identifiers: letters, digits and ``_ . : -``,
at most 64 characters, starting with a letter or digit. Given a programme,
a service id must be one of its spokes or hubs; the closest known id is
suggested ("did you mean 'S07'?"). A case id that holds an email address
or a full postcode is refused without repeating it. A column a format
does not know is a warning: its values are not read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping

import pandas as pd

from hubspoke.diagnostics import Diagnostic, Location, Severity, column_letter
from hubspoke.model import Programme
from hubspoke.privacy.detect import EMAIL, FULL_POSTCODE
from hubspoke.rules.columns import header_key
from hubspoke.rules.place import ColumnCheck, ColumnPlace, blank_mask, cell_diagnostics

#: What a service or case id may look like (the model's identifier rule).
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")

_ID_RULE = "letters, digits and _ . : - only (at most 64 characters)"


def _service_key(text: str) -> str:
    """Case-folded, separators dropped, numbers without leading zeros (``S-07`` -> ``s7``)."""
    key = re.sub(r"[^0-9a-z]+", "", text.casefold())
    return re.sub(r"\d+", lambda m: str(int(m[0])), key)


def closest_service(text: str, known: Iterable[str], *, cutoff: float = 0.5) -> str | None:
    """The known service id closest to ``text``, or None.

    An id equal but for case, separators or leading zeros (``s7``, ``S-07``
    for ``S07``) is the answer; otherwise the most similar id, if any is close.
    """
    pool = {k.casefold(): k for k in known}
    same = {_service_key(k): k for k in known}
    if _service_key(text) in same:
        return same[_service_key(text)]
    found = difflib.get_close_matches(text.casefold(), list(pool), n=1, cutoff=cutoff)
    return pool[found[0]] if found else None


def check_service_ids(
    values: pd.Series,
    place: ColumnPlace,
    *,
    programme: Programme | None = None,
    service_id: str | None = None,
) -> ColumnCheck:
    """Check a column of service ids; flag blank, malformed and unknown ones.

    With ``programme``, an id must be one of its spokes or hubs (suggesting
    the closest). With ``service_id`` (the service being imported,
    ``LoadOptions.service_id``), every id must equal it. ``parsed`` is the
    trimmed ids (string dtype), missing where bad.
    """
    ids = values.astype("string").str.strip()
    blank = blank_mask(values)
    distinct = ids[~blank].dropna().unique().tolist()
    problems: dict[str, tuple[str, str, str | None]] = {}
    known = programme.service_ids if programme is not None else frozenset()
    for text in distinct:
        if not IDENTIFIER.fullmatch(text):
            problems[text] = ("invalid-service-id", f"a service id must be {_ID_RULE}", None)
        elif service_id is not None and text != service_id:
            problems[text] = (
                "unknown-service",
                f"service {text!r} differs from the service being imported ({service_id!r})",
                None,
            )
        elif programme is not None and text not in known:
            close = closest_service(text, known)
            problems[text] = (
                "unknown-service",
                f"service {text!r} is not a spoke or hub of programme {programme.name!r}",
                f"did you mean {close!r}?"
                if close
                else "add the service to the programme, or correct the service id",
            )
    found: list[Diagnostic] = cell_diagnostics(
        values.where(~blank, ""),
        blank,
        place,
        code="missing-value",
        severity=Severity.ERROR,
        message=lambda _: "the service id is blank",
    )
    bad = blank.copy()
    for code in ("invalid-service-id", "unknown-service"):
        texts = {t for t, p in problems.items() if p[0] == code}
        mask = ids.isin(list(texts)).fillna(False).astype(bool) & ~blank
        if bool(mask.any()):
            found += cell_diagnostics(
                ids,
                mask,
                place,
                code=code,
                severity=Severity.ERROR,
                message=lambda t: problems[t][1],
                suggestion=lambda t: problems[t][2],
            )
            bad |= mask
    found.sort(key=lambda d: d.location.row or 0)
    return ColumnCheck(parsed=ids.where(~bad), bad=bad.astype(bool), diagnostics=found)


def check_case_ids(values: pd.Series, place: ColumnPlace) -> ColumnCheck:
    """Check a column of case ids: not blank, an identifier, not an email or a postcode.

    An id holding personal data is reported without repeating it (the
    diagnostic's value is None). Duplicates are :func:`check_duplicate_ids`'
    business. ``parsed`` is the trimmed ids, missing where bad.
    """
    ids = values.astype("string").str.strip()
    blank = blank_mask(values)
    text = ids.fillna("")
    personal = (
        text.str.contains(EMAIL.pattern, regex=True) | text.str.contains(FULL_POSTCODE.pattern)
    ).fillna(False).astype(bool) & ~blank
    malformed = (~text.str.fullmatch(IDENTIFIER.pattern).fillna(False).astype(bool)) & ~blank
    malformed &= ~personal
    found: list[Diagnostic] = [
        *cell_diagnostics(
            values.where(~blank, ""),
            blank,
            place,
            code="missing-value",
            severity=Severity.ERROR,
            message=lambda _: "the case id is blank",
            suggestion=lambda _: "give every young person the service's reference number",
        ),
        *cell_diagnostics(
            ids,
            malformed,
            place,
            code="invalid-case-id",
            severity=Severity.ERROR,
            message=lambda _: f"a case id must be {_ID_RULE}",
        ),
    ]
    rows = place.row_numbers(values)[personal]
    for row in rows.tolist():
        found.append(
            Diagnostic(
                code="personal-data",
                severity=Severity.ERROR,
                message="the case id looks like an email address or a full postcode; case ids "
                "must be pseudonymous, so the row was not imported",
                location=place.location(None if pd.isna(row) else int(row)),
                suggestion="use the service's own reference number instead",
            )
        )
    found.sort(key=lambda d: d.location.row or 0)
    bad = (blank | malformed | personal).astype(bool)
    return ColumnCheck(parsed=ids.where(~bad), bad=bad, diagnostics=found)


def check_unknown_columns(
    headers: Iterable[str],
    known: Collection[str],
    *,
    file: str,
    sheet: str | None = None,
    header_row: int | None = 1,
    ignore: Collection[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """One ``unknown-column`` warning per header that is neither ``known`` nor ``ignore``d.

    Headers compare like :func:`~hubspoke.rules.columns.header_key` (case,
    spaces and punctuation ignored); ``aliases`` maps other header keys to
    known names. Blank headers are skipped. Each warning is located at the
    header cell (row ``header_row``, the column's letter).
    """
    names = {header_key(k): k for k in known}
    keys = set(names) | {header_key(a) for a in (aliases or {})}
    skip = {header_key(i) for i in ignore}
    found = []
    for index, header in enumerate(headers, start=1):
        key = header_key(str(header))
        if not key or key in keys or key in skip:
            continue
        close = difflib.get_close_matches(key, sorted(names), n=1, cutoff=0.6)
        found.append(
            Diagnostic(
                code="unknown-column",
                severity=Severity.WARNING,
                message=f"column {header!r} is not part of this format; its values were not read",
                location=Location(
                    file=file,
                    sheet=sheet,
                    row=header_row,
                    column=str(header),
                    column_letter=column_letter(index),
                ),
                suggestion=f"did you mean {names[close[0]]!r}?" if close else None,
            )
        )
    return found
