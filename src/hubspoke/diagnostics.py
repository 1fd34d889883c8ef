"""Diagnostics: what is wrong with some input, how badly, and exactly where.

A :class:`Diagnostic` is a value, not an exception: importers, validation
rules and :meth:`hubspoke.model.Programme.validate` return them so that every
problem in a file can be reported at once.

Whoever builds a diagnostic, what it quotes is screened when it is built
(:mod:`hubspoke.privacy.screen`): a value that looks like personal data is
never stored or printed (the message says "(value withheld: looks like a
name)" instead), emails, postcodes, NHS and phone numbers in the message or
suggestion are replaced the same way, a long value is cut to an excerpt
(:func:`hubspoke.limits.excerpt`) and a message to
:data:`~hubspoke.limits.MAX_MESSAGE_CHARS`. :func:`printable` escapes
control characters for terminals.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from enum import StrEnum

import attrs

from hubspoke.limits import EXCERPT_CHARS, MAX_MESSAGE_CHARS, excerpt


class Severity(StrEnum):
    """How bad a diagnostic is. Errors reject data; warnings and info do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def decodable(text: str) -> str:
    """``text`` with bytes that were not UTF-8 (a file name's) shown as U+FFFD.

    Python keeps such bytes of a file name as lone surrogates, which can be
    neither printed nor stored; the name is kept, readable, with a mark
    where each bad byte was.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def printable(text: str) -> str:
    """``text`` with control characters escaped (``\\n``, ``\\x1b``), safe to print on a terminal.

    A newline or an ANSI escape in a file name or cell would otherwise
    rewrite what the terminal shows; bidirectional overrides are escaped too.
    Bytes of a file name that were not UTF-8 are shown as U+FFFD.
    """
    text = decodable(text)
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 1-based column index (1 -> A, 27 -> AA)."""
    if index < 1:
        raise ValueError(f"column index must be >= 1, got {index}")
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@attrs.frozen(kw_only=True)
class Location:
    """Where a problem is, as the user sees it.

    ``row`` is the 1-based spreadsheet row with the header counted (so the
    first data row under a one-line header is row 2). ``column`` is the
    header text and ``column_letter`` its letter. ``path`` is a JSON path
    (``$.spokes[3].start``) for structured input.
    """

    file: str | None = attrs.field(default=None, converter=attrs.converters.optional(decodable))
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    column_letter: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            letter = f" ({self.column_letter})" if self.column_letter else ""
            parts.append(f"column {self.column!r}{letter}")
        if self.path:
            parts.append(self.path)
        return printable(", ".join(parts)) or "(no location)"


@attrs.frozen(kw_only=True)
class Diagnostic:
    """One finding: rule ``code``, ``severity``, plain ``message``, ``location``.

    ``value`` is the offending value as read (text), ``suggestion`` a fix
    where one exists ("did you mean 'medium'?").
    """

    code: str
    severity: Severity
    message: str
    location: Location = attrs.field(factory=Location)
    value: str | None = None
    suggestion: str | None = None

    def __attrs_post_init__(self) -> None:
        message, value, suggestion = _screened(self.code, self.message, self.value, self.suggestion)
        if message is not self.message:
            object.__setattr__(self, "message", message)
        if value is not self.value:
            object.__setattr__(self, "value", value)
        if suggestion is not self.suggestion:
            object.__setattr__(self, "suggestion", suggestion)

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity.value} [{self.code}] {printable(self.message)}"
        if self.value is not None:
            text += f" (value: {self.value!r})"
        if self.suggestion:
            text += f"; {printable(self.suggestion)}"
        return text


#: Rules about cells that should never hold a date: a full date quoted by one of them is
#: most likely a date of birth typed in the wrong place, so it is withheld.
_NO_DATES = frozenset(
    {
        "unknown-code",
        "unknown-measure",
        "not-a-number",
        "negative-count",
        "non-integer-count",
        "count-too-large",
        "invalid-case-id",
        "duplicate-case-id",
        "invalid-service-id",
        "unknown-service",
        "invalid-flag",
        "period-label",
        "age-out-of-range",
        "breakdown-not-allowed",
    }
)


def _cut(text: str) -> str:
    if len(text) <= MAX_MESSAGE_CHARS:
        return text
    return f"{text[:MAX_MESSAGE_CHARS]}... (cut from {len(text):,} characters)"


def _swap(text: str, value: str, words: str, quoted_words: str) -> str:
    """``text`` with ``value`` (quoted or bare) replaced."""
    return text.replace(repr(value), quoted_words).replace(value, words)


@functools.lru_cache(maxsize=16384)
def _screened(
    code: str, message: str, value: str | None, suggestion: str | None
) -> tuple[str, str | None, str | None]:
    """A diagnostic's message, value and suggestion as they may be stored and shown.

    Computed once per distinct diagnostic text (rules repeat one message over
    many rows). Returns the same objects when nothing changes.
    """
    from hubspoke.privacy.screen import redact, value_kind, withheld

    new_message, new_value, new_suggestion = message, value, suggestion
    if value:
        kind = value_kind(value, dates_allowed=code not in _NO_DATES)
        if kind is not None:
            words = withheld(kind)
            new_message = _swap(message, value, words, words)
            if new_message == message:
                new_message = f"{message} {words}"
            if suggestion:
                new_suggestion = _swap(suggestion, value, words, words)
            new_value = None
        elif len(value) > EXCERPT_CHARS:
            short = excerpt(value)
            new_message = _swap(message, value, short, repr(short))
            if suggestion:
                new_suggestion = _swap(suggestion, value, short, repr(short))
            new_value = short
    new_message = _cut(redact(new_message))
    if new_suggestion is not None:
        new_suggestion = _cut(redact(new_suggestion))
    return (
        message if new_message == message else new_message,
        new_value,
        suggestion if new_suggestion == suggestion else new_suggestion,
    )


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)
