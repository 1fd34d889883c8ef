"""Detecting personal data where none belongs: names, emails, full postcodes, dates of birth,
NHS numbers and phone numbers.

Returns are pseudonymous; a column or cell that holds a person's name, an
email address, a full UK postcode, a date of birth, an NHS number or a UK
phone number is reported (rule ``personal-data``). Detection is
deliberately conservative about what it *clears*: a header that says
"name" is flagged whatever the cells hold. A postcode district alone
("LS6") is not personal data and is not flagged.

Column checks are vectorised and cost one pass over all the columns
together (ten thousand columns are as cheap as one column of the same
cells); patterns are linear-time (:mod:`hubspoke.privacy.screen`) and a
cell is screened on its first :data:`~hubspoke.limits.MAX_CELL_CHARS`
characters. The value itself is never copied into a finding, so reports do
not spread what they warn of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import attrs
import numpy as np
import pandas as pd

from hubspoke.codes import normalise
from hubspoke.limits import MAX_CELL_CHARS
from hubspoke.privacy.screen import (
    EMAIL,
    FULL_POSTCODE,
    KIND_WORDS,
    NHS_CANDIDATE,
    PHONE,
    PersonalDataKind,
    id_kinds,
    nhs_check_ok,
    text_kinds,
)

__all__ = [
    "EMAIL",
    "FULL_POSTCODE",
    "KIND_WORDS",
    "PersonalDataFinding",
    "PersonalDataKind",
    "find_in_column",
    "find_personal_data",
    "header_kind",
    "id_kinds",
    "ids_to_screen",
    "may_hold_personal_data",
    "text_kinds",
]

#: What an id holding personal data must contain: an "@", a postcode, ten digits (NHS and
#: phone numbers), or letters only (a name). Vectorised as one pattern (RE2-compatible, so
#: pyarrow-backed columns are searched in C); :func:`id_kinds` then decides per id.
_ID_HINT = (
    r"@|\b[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}\b|[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}"
    r"|^[A-Za-z]+(?:[._ '-][A-Za-z]+)*$"
)


def ids_to_screen(ids: pd.Series) -> pd.Series:
    """True where an id may hold personal data (a superset: check those with :func:`id_kinds`).

    An import screens one column of ids at several steps (the importer, the
    pipeline's checks, the screen before storing); the answer for the same
    Arrow data is worked out once (:func:`_screened_before`).
    """
    text = ids.astype("string")
    held = _screened_before(text)
    if held is not None:
        return held.set_axis(text.index)
    found = text.str.contains(_ID_HINT, regex=True).fillna(False).astype(bool)
    _SCREENED[:] = [(text, found)]
    return found


#: The last column screened and its answer. Holding the column keeps its Arrow buffers
#: alive, so no other data can take their addresses while the entry stands.
_SCREENED: list[tuple[pd.Series, pd.Series]] = []


def _buffers(text: pd.Series) -> tuple[tuple[int, int, int], ...] | None:
    """Where an Arrow-backed string column's data lives (None for other columns)."""
    arrow = getattr(text.array, "_pa_array", None)
    if arrow is None:
        return None
    return tuple(
        (buffer.address if buffer is not None else 0, chunk.offset, len(chunk))
        for chunk in arrow.chunks
        for buffer in chunk.buffers()
    )


def _screened_before(text: pd.Series) -> pd.Series | None:
    """The screen of ``text`` if the last column screened holds the very same Arrow data."""
    if not _SCREENED:
        return None
    held, found = _SCREENED[0]
    key = _buffers(text)
    if key is None or len(held) != len(text) or _buffers(held) != key:
        return None
    return found


_PERSON = (
    r"(?:client|child|childs|child s|young person|young persons|young person s|yp|person"
    r"|persons|pupil|student|parent|carer|mother|father|guardian|referrer|worker|case)"
)
_NAME_PART = r"(?:first|last|full|given|family|middle|preferred|maiden|sur|fore|christian)"
_NAME_HEADER = re.compile(
    rf"^(?:{_PERSON} )?(?:{_NAME_PART} ?)?names?$"
    r"|^(?:surname|forenames?|firstname|lastname|fullname)s?$"
)
_DOB_HEADER = re.compile(
    r"^(?:(?:client|child|young person|yp|person) )?"
    r"(?:d ?o ?b|date of birth|birth ?date|birthday|born on|born)$"
)

_DATE_SHAPE = re.compile(r"^\d{1,4}[-/. ](?:\d{1,2}|[A-Za-z]{3,9})[-/. ]\d{2,4}\b")


def header_kind(header: str) -> PersonalDataKind | None:
    """The kind of personal data a column's header announces, or None.

    "Name", "First name", "Surname", "Client name", "DOB", "Date of birth"
    are personal; "Service name", "Area name", "File name" are not.
    """
    key = normalise(header)
    if _NAME_HEADER.match(key):
        return "name"
    if _DOB_HEADER.match(key):
        return "date_of_birth"
    return None


@attrs.frozen(kw_only=True)
class PersonalDataFinding:
    """Personal data of ``kind`` in ``column``.

    ``positions`` are 0-based positions in the checked column of the cells
    concerned (non-blank cells for a header finding); ``reason`` says how
    it was recognised ("header 'Surname'", "12 cells look like email addresses").
    """

    kind: PersonalDataKind
    column: str
    positions: tuple[int, ...]
    reason: str

    @property
    def count(self) -> int:
        return len(self.positions)


#: Byte shapes for :func:`may_hold_personal_data`: digit -> "0", ASCII letter -> "a", else ".".
_SHAPES = bytes(
    0x30 if 0x30 <= b <= 0x39 else 0x61 if (0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A) else 0x2E
    for b in range(256)
)


def may_hold_personal_data(text: str) -> bool:
    """False only when :func:`text_kinds` certainly finds nothing in ``text``; fast on long text.

    A cheap necessary condition for a search of many values joined together:
    an email address needs an ``@``, a full postcode's inward part is a
    digit then two letters (``GIR 0AA`` too), and NHS and phone numbers hold
    a run of three digits. Non-ASCII text (where a letter may case-fold to an
    ASCII one) is searched with the patterns themselves.
    """
    if "@" in text:
        return True
    if not text.isascii():
        return bool(text_kinds(text))
    shapes = text.encode("ascii").translate(_SHAPES)
    return b"0aa" in shapes or b"000" in shapes


def _positions(mask: pd.Series) -> tuple[int, ...]:
    return tuple(int(i) for i in mask.to_numpy().nonzero()[0])


def find_in_column(
    header: str, values: pd.Series, *, reference: date | None = None
) -> list[PersonalDataFinding]:
    """Personal data in one column, by its header and by its values.

    Values are checked for email addresses, full postcodes, NHS numbers and
    phone numbers; when ``reference`` (e.g. the period's end) is given, a
    column of dates at least 80% of which fall 8 to 25 years before it is
    taken for dates of birth of the young people (referral and session
    dates never do).
    """
    frame = pd.DataFrame({0: values.reset_index(drop=True)})
    return _find(frame, [header], reference=reference)


def find_personal_data(
    frame: pd.DataFrame,
    *,
    reference: date | None = None,
    ignore: Iterable[str] = (),
) -> list[PersonalDataFinding]:
    """Personal data in every column of ``frame`` (headers as column names), except ``ignore``.

    All columns are scanned together: the distinct values of every text
    column are screened once, whatever the number of columns.
    """
    skip = set(ignore)
    keep = [i for i, c in enumerate(frame.columns) if str(c) not in skip]
    part = frame.iloc[:, keep].reset_index(drop=True)
    part.columns = pd.RangeIndex(len(keep))
    return _find(part, [str(frame.columns[i]) for i in keep], reference=reference)


#: Patterns screened over distinct cell values, each with a cheap text every match needs.
_VALUE_PATTERNS: tuple[tuple[PersonalDataKind, re.Pattern[str], str], ...] = (
    ("email", EMAIL, "@"),
    ("postcode", FULL_POSTCODE, ""),
    ("nhs_number", re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)"), ""),
    ("phone", PHONE, ""),
)


def _find(
    frame: pd.DataFrame, headers: list[str], *, reference: date | None
) -> list[PersonalDataFinding]:
    """Findings for ``frame`` (columns by position) whose columns carry ``headers``."""
    findings: list[PersonalDataFinding] = []
    kinds = [header_kind(h) for h in headers]
    text_columns: list[int] = []
    for position, header in enumerate(headers):
        values = frame.iloc[:, position]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        kind = kinds[position]
        if kind is not None:
            filled = _filled(values)
            if bool(filled.any()):
                findings.append(
                    PersonalDataFinding(
                        kind=kind,
                        column=header,
                        positions=_positions(filled),
                        reason=f"header {header!r}",
                    )
                )
        if not numeric:  # numbers hold no names, emails, postcodes or dates
            text_columns.append(position)
    if not text_columns or not len(frame):
        return findings
    rows = len(frame)
    cells = np.concatenate([frame.iloc[:, p].to_numpy(dtype=object) for p in text_columns])
    text = pd.Series(cells, dtype="string").str.slice(0, MAX_CELL_CHARS).str.strip()
    nonblank = (text.notna() & (text != "")).fillna(False).to_numpy(dtype=bool)
    if not nonblank.any():
        return findings
    owner = np.repeat(np.arange(len(text_columns)), rows)
    distinct = pd.Series(pd.unique(text[nonblank]), dtype="string")
    by_column: dict[tuple[int, PersonalDataKind], list[int]] = {}
    for found_kind, pattern, needed in _VALUE_PATTERNS:
        candidates = distinct
        if needed:
            candidates = distinct[distinct.str.contains(needed, regex=False).fillna(False)]
        if not len(candidates):
            continue
        matching = candidates[candidates.str.contains(pattern, regex=True).fillna(False)]
        if found_kind == "nhs_number":
            matching = matching[[_holds_nhs_number(str(v)) for v in matching.tolist()]]
        if not len(matching):
            continue
        hits = text.isin(matching.tolist()).fillna(False).to_numpy(dtype=bool) & nonblank
        for index in np.flatnonzero(hits):
            column = int(owner[index])
            by_column.setdefault((column, found_kind), []).append(int(index) - column * rows)
    for (column, found_kind), positions in sorted(by_column.items()):
        position = text_columns[column]
        if kinds[position] == found_kind:
            continue  # the header already said so
        findings.append(
            PersonalDataFinding(
                kind=found_kind,
                column=headers[position],
                positions=tuple(positions),
                reason=f"cells look like {KIND_WORDS[found_kind]}",
            )
        )
    if reference is not None:
        findings += _birth_dates(
            text, owner, nonblank, distinct, text_columns, headers, kinds, rows, reference
        )
    return findings


def _filled(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return (text.notna() & (text != "")).fillna(False).astype(bool)


def _holds_nhs_number(text: str) -> bool:
    return any(nhs_check_ok("".join(m.groups())) for m in NHS_CANDIDATE.finditer(text))


def _birth_dates(
    text: pd.Series,
    owner: np.ndarray,
    nonblank: np.ndarray,
    distinct: pd.Series,
    text_columns: list[int],
    headers: list[str],
    kinds: list[PersonalDataKind | None],
    rows: int,
    reference: date,
) -> list[PersonalDataFinding]:
    """Columns of dates that look like dates of birth (see :func:`find_in_column`)."""
    datelike = distinct[distinct.str.match(_DATE_SHAPE).fillna(False).astype(bool)]
    if not len(datelike):
        return []
    pairs = pd.DataFrame({"column": owner[nonblank], "value": text[nonblank].to_numpy()})
    pairs = pairs.drop_duplicates()
    pairs["datelike"] = pairs["value"].isin(datelike.tolist())
    share = pairs.groupby("column")["datelike"].mean()
    findings = []
    for column, fraction in zip(share.index.tolist(), share.tolist(), strict=True):
        position = text_columns[int(column)]
        if fraction < 0.8 or kinds[position] == "date_of_birth":
            continue
        start = int(column) * rows
        cells = text.iloc[start : start + rows].reset_index(drop=True)
        birth = _birth_date_mask(
            cells, pd.Series(pd.unique(cells.dropna()), dtype="string"), reference
        )
        if birth is not None:
            findings.append(
                PersonalDataFinding(
                    kind="date_of_birth",
                    column=headers[position],
                    positions=_positions(birth),
                    reason=f"dates 8 to 25 years before {reference.isoformat()}",
                )
            )
    return findings


def _birth_date_mask(text: pd.Series, distinct: pd.Series, reference: date) -> pd.Series | None:
    """True where a cell is a date of birth, when the column looks like dates of birth; else None.

    ``text`` is the trimmed column, ``distinct`` its distinct values:
    parsing works on those (a column of referral dates has few), then maps back.
    """
    from hubspoke.rules.dates import parse_dates

    distinct = distinct[distinct != ""]
    datelike = distinct.str.match(_DATE_SHAPE).fillna(False).astype(bool)
    if not len(distinct) or int(datelike.sum()) < 0.8 * len(distinct):
        return None  # not a column of dates: skip the (costlier) parsing
    dates = parse_dates(distinct)
    known = dates.notna()
    ref = pd.Timestamp(reference)
    young = (
        known & (dates <= ref - pd.DateOffset(years=8)) & (dates >= ref - pd.DateOffset(years=25))
    )
    if not bool(known.any()) or float(young.sum()) < 0.8 * float(known.sum()):
        return None
    return text.isin(distinct[young].tolist()).fillna(False).astype(bool)
