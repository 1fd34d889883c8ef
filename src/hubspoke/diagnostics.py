"""Diagnostics: what is wrong with some input, how badly, and exactly where.

A :class:`Diagnostic` is a value, not an exception: importers, validation
rules and :meth:`hubspoke.model.Programme.validate` return them so that every
problem in a file can be reported at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import attrs


class Severity(StrEnum):
    """How bad a diagnostic is. Errors reject data; warnings and info do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


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

    file: str | None = None
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
        return ", ".join(parts) or "(no location)"


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

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity.value} [{self.code}] {self.message}"
        if self.value is not None:
            text += f" (value: {self.value!r})"
        if self.suggestion:
            text += f"; {self.suggestion}"
        return text


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)
