"""What importing one file did: :class:`ImportOutcome`, and the file it read."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeAlias

import attrs

from hubspoke.diagnostics import Diagnostic, Severity

#: ``imported``: new returns stored, nothing earlier for their periods;
#: ``superseded``: stored, and replaced all that was current for a period;
#: ``merged``: stored, replacing or adding some figures or records and keeping
#: the earlier submissions' others; ``history``: stored as history only, as
#: later submissions carry everything it does (an older resubmission arriving
#: late); ``unchanged``: this exact file was stored before, nothing written;
#: ``rejected``: nothing in the file could be stored. A file of several
#: returns takes the first of superseded, merged, history, imported that any
#: of its returns has; ``ImportOutcome.stored`` says each return's.
ImportStatus: TypeAlias = Literal[
    "imported", "merged", "superseded", "history", "unchanged", "rejected"
]
#: Statuses in the order summaries list them.
STATUSES: tuple[ImportStatus, ...] = (
    "imported",
    "merged",
    "superseded",
    "history",
    "unchanged",
    "rejected",
)

_CHUNK = 1024 * 1024


@attrs.frozen(kw_only=True)
class SourceFile:
    """A file about to be imported: its path, SHA-256 (hex) and size in bytes."""

    path: Path
    sha256: str
    size: int

    @property
    def name(self) -> str:
        """The file's name as stored and shown (bytes that were not UTF-8 as U+FFFD)."""
        from hubspoke.diagnostics import decodable

        return decodable(self.path.name)

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        """Hash ``path`` in 1 MiB chunks (OSError propagates for unreadable files)."""
        from hubspoke.inputs import open_regular  # a FIFO or /dev/zero is refused, not hashed

        digest = hashlib.sha256()
        size = 0
        with open_regular(path) as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return cls(path=path, sha256=digest.hexdigest(), size=size)


@attrs.frozen(kw_only=True)
class Replacement:
    """A current return that an import replaced (or, for an older resubmission, kept).

    ``earlier_file`` is the name of the file the replaced return came from.
    """

    service_id: str
    period_label: str
    earlier_file: str


@attrs.frozen(kw_only=True)
class StoredReturn:
    """What one stored return did (:class:`hubspoke.workspace.supersession.Effect`).

    ``replaced``: earlier figures and kinds of record it replaced (figures as
    ``measure: old -> new``); ``merged``: its figures and kinds nothing earlier
    carried, added beside the earlier ones; ``kept``: earlier figures and
    kinds still current; ``dropped``: earlier ones no longer current because
    it replaces everything; ``history``: its own that later submissions carry.
    """

    service_id: str
    period_label: str
    status: str
    replaced: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in attrs.asdict(self).items()}


@attrs.frozen(kw_only=True)
class ImportOutcome:
    """The result of :meth:`Workspace.import_file` for one file.

    Row counts are the importer's reconciliation (``rows_read ==
    rows_imported + rows_rejected``). ``returns_stored`` counts returns
    written by this import (0 for ``unchanged`` and ``rejected``).
    ``imported_at`` is when this file's content was stored: now, or, for
    ``unchanged``, the earlier import it repeats (None if rejected).
    """

    status: ImportStatus
    path: Path
    sha256: str
    importer: str | None
    rows_read: int
    rows_imported: int
    rows_rejected: int
    diagnostics: tuple[Diagnostic, ...] = ()
    returns_stored: int = 0
    replaced: tuple[Replacement, ...] = ()
    stored: tuple[StoredReturn, ...] = ()
    imported_at: datetime | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        """False only for a rejected file."""
        return self.status != "rejected"

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (paths and dates as text, diagnostics with locations)."""
        return {
            "status": self.status,
            "path": str(self.path),
            "sha256": self.sha256,
            "importer": self.importer,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "returns_stored": self.returns_stored,
            "replaced": [attrs.asdict(r) for r in self.replaced],
            "returns": [r.to_json() for r in self.stored],
            "imported_at": None if self.imported_at is None else self.imported_at.isoformat(),
            "message": self.message,
            "diagnostics": [diagnostic_to_json(d) for d in self.diagnostics],
        }


def diagnostic_to_json(d: Diagnostic) -> dict[str, Any]:
    """A diagnostic as a JSON-ready dict; :func:`diagnostic_from_json` inverts it.

    The shape of :func:`hubspoke.validation.diagnostic_json` (unset location
    fields left out) plus ``text``, the diagnostic as one readable line.
    """
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "location": {k: v for k, v in attrs.asdict(d.location).items() if v is not None},
        "value": d.value,
        "suggestion": d.suggestion,
        "text": str(d),
    }


def diagnostic_from_json(data: dict[str, Any]) -> Diagnostic:
    from hubspoke.diagnostics import Location

    return Diagnostic(
        code=data["code"],
        severity=Severity(data["severity"]),
        message=data["message"],
        location=Location(**data["location"]),
        value=data.get("value"),
        suggestion=data.get("suggestion"),
    )
