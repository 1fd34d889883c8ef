"""Shared pieces of the built-in importers: reading bytes, provenance, headers, diagnostics.

Every importer reads its file once (:func:`read_source`, bounded by
``LoadOptions.max_bytes``), records :func:`provenance` from those bytes, and
reports problems through a :class:`Findings` collector that remembers which
data rows were rejected so the row reconciliation always holds.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs

import hubspoke
from hubspoke.diagnostics import Diagnostic, Location, Severity, column_letter
from hubspoke.errors import FileImportError, PeriodError
from hubspoke.inputs import read_regular
from hubspoke.model import Provenance
from hubspoke.periods import Period, parse_period
from hubspoke.plugins.contract import LoadOptions

#: Version recorded in each return's provenance by the built-in importers.
VERSION = hubspoke.__version__

_HEADER_JUNK = re.compile(r"[^0-9a-z]+")
#: A model identifier (service or case id): as :mod:`hubspoke.model` requires.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def header_key(text: object) -> str:
    """The matching key of a column header: case-folded, runs of other characters to ``_``.

    ``" Referral Date "``, ``"referral-date"`` and ``"REFERRAL_DATE"`` all give
    ``"referral_date"``.
    """
    return _HEADER_JUNK.sub("_", str(text).casefold()).strip("_")


def read_source(source: Path, options: LoadOptions) -> bytes:
    """The bytes of ``source``; :class:`FileImportError` if unreadable or over ``max_bytes``."""
    try:
        size = source.stat().st_size
    except OSError as exc:
        raise FileImportError(f"{source.name}: cannot read the file ({exc.strerror})") from None
    if size > options.max_bytes:
        raise FileImportError(
            f"{source.name}: the file is {size:,} bytes, over the limit of "
            f"{options.max_bytes:,} bytes; raise it with --max-file-size or HUBSPOKE_MAX_FILE_SIZE"
        )
    try:
        data = read_regular(source, options.max_bytes)
    except OSError as exc:
        raise FileImportError(f"{source.name}: cannot read the file ({exc.strerror})") from None
    if len(data) > options.max_bytes:  # it grew since the size was taken
        raise FileImportError(
            f"{source.name}: the file is over the limit of {options.max_bytes:,} bytes"
        )
    return data


def provenance(
    source: Path, data: bytes, importer: str, sheet: str | None = None, *, sha256: str | None = None
) -> Provenance:
    """Provenance of a return read from ``data`` (the whole file's bytes) by ``importer``.

    ``sha256``: the bytes' SHA-256 (hex), if already worked out (:func:`hashed_meanwhile`).
    """
    return Provenance(
        source_file=source.name,
        sha256=sha256 if sha256 is not None else hashlib.sha256(data).hexdigest(),
        importer=importer,
        importer_version=VERSION,
        sheet=sheet,
    )


#: Bytes past which :func:`hashed_meanwhile` hashes in another thread.
PARALLEL_HASH_BYTES = 1 << 20


@contextlib.contextmanager
def hashed_meanwhile(data: bytes) -> Iterator[Callable[[], str]]:
    """The SHA-256 (hex) of ``data``, worked out in another thread while the block runs.

    Yields a function that waits for it. hashlib releases the GIL on large
    inputs, so a large file is hashed on the other core while it is parsed.
    """
    if len(data) < PARALLEL_HASH_BYTES:
        yield lambda: hashlib.sha256(data).hexdigest()
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        found = pool.submit(lambda: hashlib.sha256(data).hexdigest())
        yield found.result


def closest(text: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``text`` (case-insensitive), or None if none is close."""
    pool = {c.casefold(): c for c in candidates}
    found = difflib.get_close_matches(text.casefold(), list(pool), n=1, cutoff=cutoff)
    return pool[found[0]] if found else None


def is_identifier(text: str) -> bool:
    """True when ``text`` is a valid model identifier (service or case id)."""
    return bool(IDENTIFIER.fullmatch(text))


@attrs.frozen(kw_only=True)
class Column:
    """A column as the user sees it: header text and 1-based position."""

    header: str
    index: int

    @property
    def letter(self) -> str:
        return column_letter(self.index)


class Findings:
    """Diagnostics of one file plus the set of rejected data rows.

    Rows are identified by the spreadsheet row number the user sees (header
    counted). :meth:`reject` records an error and marks the row rejected;
    :meth:`note` records a diagnostic that rejects nothing.
    """

    def __init__(self, file: str, sheet: str | None = None) -> None:
        self.file = file
        self.sheet = sheet
        self.diagnostics: list[Diagnostic] = []
        self.rejected: set[tuple[str | None, int]] = set()

    def location(self, row: int | None = None, column: Column | None = None) -> Location:
        return Location(
            file=self.file,
            sheet=self.sheet,
            row=row,
            column=column.header if column else None,
            column_letter=column.letter if column else None,
        )

    def note(
        self,
        code: str,
        severity: Severity,
        message: str,
        *,
        row: int | None = None,
        column: Column | None = None,
        value: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        """Record a diagnostic that does not reject a row by itself."""
        self.diagnostics.append(
            Diagnostic(
                code=code,
                severity=severity,
                message=message,
                location=self.location(row, column),
                value=value,
                suggestion=suggestion,
            )
        )

    def reject(
        self,
        code: str,
        message: str,
        *,
        row: int,
        column: Column | None = None,
        value: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        """Record an error on data row ``row`` and mark that row rejected."""
        self.note(
            code,
            Severity.ERROR,
            message,
            row=row,
            column=column,
            value=value,
            suggestion=suggestion,
        )
        self.rejected.add((self.sheet, row))

    def is_rejected(self, row: int) -> bool:
        return (self.sheet, row) in self.rejected

    def reject_all(self, rows: Sequence[int], reason: str) -> None:
        """Reject every data row in ``rows`` because of a file-level problem ``reason``."""
        for row in rows:
            if not self.is_rejected(row):
                self.reject("row-rejected", f"row not imported: {reason}", row=row)


def suggest_text(suggestion: str | None) -> str | None:
    """``"did you mean 'x'?"`` for a suggestion, or None."""
    return f"did you mean {suggestion!r}?" if suggestion else None


def parse_period_label(text: str) -> Period | str:
    """The period a label names, or the reason it cannot be read (never raises)."""
    try:
        return parse_period(text)
    except PeriodError as exc:
        return str(exc)


def service_cell_problem(text: str, options: LoadOptions) -> tuple[str, str, str | None] | None:
    """For a file that names its service once (a header line, an About cell).

    None when ``text`` is acceptable, else ``(rule id, message, suggestion)``:
    ``invalid-service-id`` for a malformed id, ``unknown-service`` for one the
    programme (or the service being imported, ``options.service_id``) does
    not match.
    """
    problem = check_service_id(text, options)
    if options.service_id and text != options.service_id:
        problem = (
            f"service {text!r} differs from the service being imported ({options.service_id!r})",
            None,
        )
    if problem is None:
        return None
    known = options.programme is not None or bool(options.service_id)
    return ("unknown-service" if known else "invalid-service-id", *problem)


def check_service_id(service_id: str, options: LoadOptions) -> tuple[str, str | None] | None:
    """None when ``service_id`` is acceptable, else ``(message, suggestion)``.

    Ids must be identifiers; when ``options.programme`` is given they must also
    be one of its spoke or hub ids (the suggestion is the closest known id).
    """
    if not is_identifier(service_id):
        return (
            "a service id must be letters, digits, _ . : - (at most 64 characters)",
            None,
        )
    if options.programme is None:
        return None
    known = options.programme.service_ids
    if service_id in known:
        return None
    suggestion = closest(service_id, known, cutoff=0.5)
    return (
        f"service {service_id!r} is not a spoke or hub of programme {options.programme.name!r}",
        suggest_text(suggestion),
    )
