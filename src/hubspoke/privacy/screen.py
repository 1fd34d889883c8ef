"""Screening one piece of text for personal data: linear-time patterns, no pandas.

Used for every value a finding would quote (:mod:`hubspoke.diagnostics`),
for case ids, and by the column checks of :mod:`hubspoke.privacy.detect`.

What is recognised in free text: email addresses, full UK postcodes, NHS
numbers (ten digits whose mod-11 check digit is right, spaced ``943 476
5919`` or not) and UK phone numbers (``07700 900123``, ``+44 7700 900123``,
``(0113) 496 0000``). In case ids, also names (``Testname.Example``,
``TestnameExample``: letters only, two or more words). In a quoted value,
also names (two to four capitalised words, none of them a word of the code
lists or measures: "Testname Example" but not "White British") and, outside
date rules, full dates (a date typed into a code or number cell is most
likely a date of birth).

Every pattern has bounded repetition, so scanning is linear in the text's
length, and text longer than :data:`~hubspoke.limits.MAX_CELL_CHARS` (no
cell may be longer) is screened on its first that-many characters only.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from hubspoke.limits import MAX_CELL_CHARS

PersonalDataKind = Literal["name", "email", "postcode", "date_of_birth", "nhs_number", "phone"]

#: Plain words for each kind (plural), for messages about columns.
KIND_WORDS: dict[PersonalDataKind, str] = {
    "name": "people's names",
    "email": "email addresses",
    "postcode": "full postcodes",
    "date_of_birth": "dates of birth",
    "nhs_number": "NHS numbers",
    "phone": "phone numbers",
}

#: Short words for one value of each kind, as in "(value withheld: looks like a name)".
KIND_SHORT: dict[PersonalDataKind, str] = {
    "name": "a name",
    "email": "an email address",
    "postcode": "a postcode",
    "date_of_birth": "a date of birth",
    "nhs_number": "an NHS number",
    "phone": "a phone number",
}

#: An email address; the local part and each domain label are bounded, so a long run of
#: letters without an "@" costs a bounded amount per position (linear, not quadratic).
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}")
#: A full UK postcode (outward and inward parts); a district alone does not match.
FULL_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
#: Ten digits as an NHS number is written (3-3-4, spaces or hyphens optional), not inside
#: a longer run of digits; :func:`nhs_check_ok` then checks the check digit.
NHS_CANDIDATE = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")
#: A UK phone number: 0 or +44 / 0044, then 9 or 10 digits with optional spaces, hyphens or
#: brackets around the area code.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44[ -]?(?:\(0\)[ -]?)?\(?|\(?0)[1-9](?:[ )-]{0,2}\d){8,9}(?![\w])"
)
_DATE_VALUE = re.compile(
    r"\s*(?:\d{1,2}[-/. ](?:\d{1,2}|[A-Za-z]{3,9})[-/. ]\d{4}|\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*"
)
_NAME_WORD = r"[A-Z][a-z]{1,30}(?:['-][A-Z]?[a-z]{1,30})?"
_NAME_VALUE = re.compile(rf"\s*{_NAME_WORD}(?: {_NAME_WORD}){{1,3}}\s*")
_ID_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_LETTERS_ID = re.compile(r"[A-Za-z]+(?:[._ '-][A-Za-z]+)*")
_WORD = re.compile(r"[a-z]+")


def nhs_check_ok(digits: str) -> bool:
    """True when ten ``digits`` end in a valid NHS mod-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _has_nhs_number(text: str) -> bool:
    return any(nhs_check_ok("".join(m.groups())) for m in NHS_CANDIDATE.finditer(text))


#: Byte shapes for a quick look at ASCII text: digit -> "0", ASCII letter -> "a", else ".".
_SHAPES = bytes(
    0x30 if 0x30 <= b <= 0x39 else 0x61 if (0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A) else 0x2E
    for b in range(256)
)


def _spans(text: str) -> list[tuple[int, int, PersonalDataKind]]:
    """Where the free-text kinds (email, postcode, NHS number, phone) occur in ``text``.

    ASCII text is first reduced to its shape (one pass in C): a postcode's
    inward part is a digit and two letters, NHS and phone numbers hold ten
    digits or more, so most text is cleared without running a pattern.
    """
    found: list[tuple[int, int, PersonalDataKind]] = []
    if "@" in text:
        found += [(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
    postcode = digits = True
    if text.isascii():
        shapes = text.encode("ascii").translate(_SHAPES)
        postcode, digits = b"0aa" in shapes, shapes.count(b"0") >= 10
    if postcode:
        found += [(m.start(), m.end(), "postcode") for m in FULL_POSTCODE.finditer(text)]
    if not digits:
        return found
    found += [
        (m.start(), m.end(), "nhs_number")
        for m in NHS_CANDIDATE.finditer(text)
        if nhs_check_ok("".join(m.groups()))
    ]
    found += [(m.start(), m.end(), "phone") for m in PHONE.finditer(text)]
    return found


def text_kinds(text: str) -> tuple[PersonalDataKind, ...]:
    """Kinds of personal data found in one free-text value (email, postcode, NHS number, phone)."""
    text = text[:MAX_CELL_CHARS]
    kinds: list[PersonalDataKind] = []
    if "@" in text and EMAIL.search(text):
        kinds.append("email")
    if FULL_POSTCODE.search(text):
        kinds.append("postcode")
    if _has_nhs_number(text):
        kinds.append("nhs_number")
    if PHONE.search(text):
        kinds.append("phone")
    return tuple(kinds)


def id_looks_like_name(text: str) -> bool:
    """True when an identifier is letters only, in two or more words: ``Testname.Example``."""
    if not _LETTERS_ID.fullmatch(text):
        return False
    parts = [p for p in _ID_PART.findall(text) if len(p) >= 2]
    return len(parts) >= 2


def id_kinds(text: str) -> tuple[PersonalDataKind, ...]:
    """Kinds of personal data in a case id: :func:`text_kinds`, and names."""
    kinds = text_kinds(text)
    if not kinds and id_looks_like_name(text):
        return ("name",)
    return kinds


@functools.cache
def _vocabulary() -> frozenset[str]:
    """Lower-case words of every code list and measure (labels, values, aliases)."""
    from hubspoke.codes import code_lists
    from hubspoke.measures import measures

    texts: list[str] = []
    for code_list in code_lists().values():
        texts.append(code_list.label)
        for code in code_list.codes:
            texts += [code.value, code.label, *code.aliases]
    for measure in measures().values():
        texts += [measure.id, measure.label, *measure.aliases]
    return frozenset(w for t in texts for w in _WORD.findall(t.casefold()))


def looks_like_name(text: str) -> bool:
    """True for two to four capitalised words none of which the code lists or measures use."""
    if len(text) > 200 or not _NAME_VALUE.fullmatch(text):
        return False
    words = _WORD.findall(text.casefold())
    known = _vocabulary()
    return not any(w in known for w in words)


def value_kind(text: str, *, dates_allowed: bool = True) -> PersonalDataKind | None:
    """The kind of personal data one quoted value looks like, or None when it may be shown.

    ``dates_allowed`` is False for values of cells that should not hold a
    date (a code, a number, an id): there a full date is taken for a date of
    birth.
    """
    text = text[:MAX_CELL_CHARS]
    spans = _spans(text)
    if spans:
        return min(spans)[2]
    if not dates_allowed and _DATE_VALUE.fullmatch(text):
        return "date_of_birth"
    if looks_like_name(text):
        return "name"
    return None


def withheld(kind: PersonalDataKind) -> str:
    """The words that stand for a withheld value: ``(value withheld: looks like a name)``."""
    return f"(value withheld: looks like {KIND_SHORT[kind]})"


def redact(text: str) -> str:
    """``text`` with every email, postcode, NHS number and phone number replaced by words."""
    spans = _spans(text[:MAX_CELL_CHARS])
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end, kind in sorted(spans):
        if start < last:
            continue  # overlapping matches: the first wins
        out += [text[last:start], withheld(kind)]
        last = end
    out.append(text[last:])
    return "".join(out)
