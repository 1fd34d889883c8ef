"""Detecting personal data where none belongs: names, emails, full postcodes, dates of birth.

Returns are pseudonymous; a column or cell that holds a person's name, an
email address, a full UK postcode or a date of birth is reported (rule
``personal-data``). Detection is deliberately conservative about what it
*clears*: a header that says "name" is flagged whatever the cells hold.
A postcode district alone ("LS6") is not personal data and is not flagged.

Column checks are vectorised (pandas string operations); the value itself
is never copied into a finding, so reports do not spread what they warn of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Literal

import attrs
import pandas as pd

from hubspoke.codes import normalise

PersonalDataKind = Literal["name", "email", "postcode", "date_of_birth"]

#: Plain words for each kind, for messages.
KIND_WORDS: dict[PersonalDataKind, str] = {
    "name": "people's names",
    "email": "email addresses",
    "postcode": "full postcodes",
    "date_of_birth": "dates of birth",
}

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
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: A full UK postcode (outward and inward parts); a district alone does not match.
FULL_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
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
    an email address needs an ``@``, and a full postcode's inward part is a
    digit then two letters (``GIR 0AA`` too). Non-ASCII text (where a letter
    may case-fold to an ASCII one) is searched with the patterns themselves.
    """
    if "@" in text:
        return True
    if not text.isascii():
        return FULL_POSTCODE.search(text) is not None
    return b"0aa" in text.encode("ascii").translate(_SHAPES)


def text_kinds(text: str) -> tuple[PersonalDataKind, ...]:
    """Kinds of personal data found in one free-text value (emails and full postcodes)."""
    kinds: list[PersonalDataKind] = []
    if EMAIL.search(text):
        kinds.append("email")
    if FULL_POSTCODE.search(text):
        kinds.append("postcode")
    return tuple(kinds)


def _positions(mask: pd.Series) -> tuple[int, ...]:
    return tuple(int(i) for i in mask.to_numpy().nonzero()[0])


def find_in_column(
    header: str, values: pd.Series, *, reference: date | None = None
) -> list[PersonalDataFinding]:
    """Personal data in one column, by its header and by its values.

    Values are checked for email addresses and full postcodes; when
    ``reference`` (e.g. the period's end) is given, a column of dates at
    least 80% of which fall 8 to 25 years before it is taken for dates of
    birth of the young people (referral and session dates never do).
    """
    findings: list[PersonalDataFinding] = []
    kind = header_kind(header)
    if kind is None and pd.api.types.is_numeric_dtype(values):
        return findings  # numbers hold no names, emails, postcodes or dates
    text = values.astype("string").str.strip()
    filled = (text.notna() & (text != "")).fillna(False).astype(bool)
    if kind is not None and bool(filled.any()):
        findings.append(
            PersonalDataFinding(
                kind=kind, column=header, positions=_positions(filled), reason=f"header {header!r}"
            )
        )
    if pd.api.types.is_numeric_dtype(values) or not bool(filled.any()):
        return findings
    # Scan distinct values only: coded columns have a handful, so a large file stays cheap.
    distinct = pd.Series(text[filled].unique(), dtype="string")
    patterns: tuple[tuple[PersonalDataKind, re.Pattern[str], str], ...] = (
        ("email", EMAIL, "@"),
        ("postcode", FULL_POSTCODE, ""),
    )
    for found_kind, pattern, needed in patterns:
        if found_kind == kind or (needed and not distinct.str.contains(needed, regex=False).any()):
            continue
        matching = distinct[distinct.str.contains(pattern, regex=True).fillna(False).astype(bool)]
        if len(matching):
            hits = text.isin(matching.tolist()).fillna(False).astype(bool)
            findings.append(
                PersonalDataFinding(
                    kind=found_kind,
                    column=header,
                    positions=_positions(hits),
                    reason=f"cells look like {KIND_WORDS[found_kind]}",
                )
            )
    if reference is not None and kind != "date_of_birth":
        birth = _birth_date_mask(text, distinct, reference)
        if birth is not None:
            findings.append(
                PersonalDataFinding(
                    kind="date_of_birth",
                    column=header,
                    positions=_positions(birth),
                    reason=f"dates 8 to 25 years before {reference.isoformat()}",
                )
            )
    return findings


def _birth_date_mask(text: pd.Series, distinct: pd.Series, reference: date) -> pd.Series | None:
    """True where a cell is a date of birth, when the column looks like dates of birth; else None.

    ``text`` is the trimmed column, ``distinct`` its distinct non-blank values:
    parsing works on those (a column of referral dates has few), then maps back.
    """
    from hubspoke.rules.dates import parse_dates

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


def find_personal_data(
    frame: pd.DataFrame,
    *,
    reference: date | None = None,
    ignore: Iterable[str] = (),
) -> list[PersonalDataFinding]:
    """Personal data in every column of ``frame`` (headers as column names), except ``ignore``."""
    skip = set(ignore)
    findings: list[PersonalDataFinding] = []
    for column in frame.columns:
        header = str(column)
        if header in skip:
            continue
        findings.extend(find_in_column(header, frame[column], reference=reference))
    return findings
