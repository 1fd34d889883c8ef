"""Validating a return file: choose its importer, load it, apply the generic rules.

:func:`validate_file` never raises for bad input: a file no importer
recognises, an unreadable file, an importer that fails (or breaks its
contract) all become error diagnostics located at the file. The
:class:`FileReport` it returns says which importer was chosen and why, how
many rows were read, imported and rejected (rows read = imported +
rejected, always), and every diagnostic.

The rules themselves live in :mod:`hubspoke.rules`; this module re-exports
the ones importers call most.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity, has_errors
from hubspoke.errors import (
    FileImportError,
    FormatDetectionError,
    HubspokeError,
    PluginContractError,
)
from hubspoke.model import MonitoringReturn
from hubspoke.plugins.contract import LoadOptions, LoadResult
from hubspoke.plugins.registry import Registry, SniffOutcome, get_registry
from hubspoke.rules import RULES, ColumnCheck, ColumnPlace, check_return

__all__ = [
    "RULES",
    "ColumnCheck",
    "ColumnPlace",
    "FileReport",
    "check_return",
    "diagnostic_json",
    "validate_file",
]


@attrs.frozen(kw_only=True)
class FileReport:
    """What validating one file found.

    ``importer`` is the chosen importer's name (None when none could be
    chosen) and ``selection_reason`` says why; ``considered`` holds every
    importer's sniff answer. ``rows_read == rows_imported + rows_rejected``.
    """

    path: Path
    importer: str | None
    selection_reason: str
    returns: tuple[MonitoringReturn, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    importer_version: str | None = None
    considered: tuple[SniffOutcome, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is no error diagnostic."""
        return not has_errors(self.diagnostics)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (returns summarised, never their records)."""
        return {
            "path": str(self.path),
            "ok": self.ok,
            "importer": self.importer,
            "importer_version": self.importer_version,
            "selection_reason": self.selection_reason,
            "considered": [
                {"importer": o.importer, "score": o.score, "reason": o.reason}
                for o in self.considered
            ],
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "errors": self.count(Severity.ERROR),
            "warnings": self.count(Severity.WARNING),
            "returns": [
                {
                    "service_id": r.service_id,
                    "period": r.period.label,
                    "values": len(r.values),
                    "cases": len(r.cases),
                    "activities": len(r.activities),
                    "outcomes": len(r.outcomes),
                }
                for r in self.returns
            ],
            "diagnostics": [diagnostic_json(d) for d in self.diagnostics],
        }


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    """A diagnostic as JSON-ready data (location fields that are unset are left out)."""
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "location": {k: v for k, v in attrs.asdict(d.location).items() if v is not None},
        "value": d.value,
        "suggestion": d.suggestion,
    }


_DEFAULT_OPTIONS = LoadOptions()


def _file_error(path: Path, code: str, message: str) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=RULES[code].severity,
        message=message,
        location=Location(file=path.name),
    )


def validate_file(
    path: Path,
    *,
    format: str | None = None,
    options: LoadOptions = _DEFAULT_OPTIONS,
    registry: Registry | None = None,
) -> FileReport:
    """Select an importer for ``path`` (or use ``format``), load the file, check every return.

    ``registry`` defaults to :func:`~hubspoke.plugins.registry.get_registry`.
    Never raises for bad input or a misbehaving importer.
    """
    reg = registry if registry is not None else get_registry()
    if not path.is_file():
        problem = "is a directory" if path.is_dir() else "does not exist"
        return FileReport(
            path=path,
            importer=None,
            selection_reason="no importer chosen: the file could not be read",
            diagnostics=(_file_error(path, "file-unreadable", f"{path} {problem}"),),
        )
    if format is None and path.stat().st_size == 0:
        return FileReport(
            path=path,
            importer=None,
            selection_reason="no importer chosen: the file is empty",
            diagnostics=(
                _file_error(path, "file-empty", "the file is empty (0 bytes): nothing to import"),
            ),
        )
    try:
        selection = reg.select(path, format)
    except FormatDetectionError as exc:
        return FileReport(
            path=path,
            importer=None,
            selection_reason="no importer chosen",
            diagnostics=(_file_error(path, "format-not-detected", str(exc)),),
            considered=getattr(exc, "considered", ()),
        )
    except FileImportError as exc:
        return FileReport(
            path=path,
            importer=None,
            selection_reason="no importer chosen: the file could not be read",
            diagnostics=(_file_error(path, "file-unreadable", str(exc)),),
        )
    importer = selection.importer
    base = FileReport(
        path=path,
        importer=importer.name,
        importer_version=importer.version,
        selection_reason=selection.reason,
        considered=selection.considered,
    )
    try:
        with _gc_paused():
            result: object = importer.load(path, options=options)
    except FileImportError as exc:
        return attrs.evolve(base, diagnostics=(_file_error(path, "import-failed", str(exc)),))
    except PluginContractError as exc:
        return attrs.evolve(
            base,
            diagnostics=(
                _file_error(path, "importer-contract", f"importer {importer.name!r}: {exc}"),
            ),
        )
    except HubspokeError as exc:
        return attrs.evolve(base, diagnostics=(_file_error(path, "import-failed", str(exc)),))
    except Exception as exc:  # a plugin's bug must not become a traceback for the user
        return attrs.evolve(
            base,
            diagnostics=(
                _file_error(
                    path,
                    "importer-contract",
                    f"importer {importer.name!r} failed unexpectedly "
                    f"({type(exc).__name__}: {exc}); report this to its author",
                ),
            ),
        )
    if not isinstance(result, LoadResult):
        return attrs.evolve(
            base,
            diagnostics=(
                _file_error(
                    path,
                    "importer-contract",
                    f"importer {importer.name!r} returned a {type(result).__name__}, "
                    "not a LoadResult",
                ),
            ),
        )
    with _gc_paused():
        diagnostics = _with_return_checks(result)
    return attrs.evolve(
        base,
        returns=result.returns,
        diagnostics=diagnostics,
        rows_read=result.rows_read,
        rows_imported=result.rows_imported,
        rows_rejected=result.rows_rejected,
    )


def _with_return_checks(result: LoadResult) -> tuple[Diagnostic, ...]:
    """The importer's diagnostics (repeats dropped), then :func:`check_return`'s on each return.

    Records are located where the importer read them (its
    ``record_locations``: sheet and spreadsheet row), else by JSON path:
    ``$.cases[3]`` in a file of one return,
    ``$.returns[1].cases[3]`` when the file gave several, so that findings in
    different returns never read (or compare) the same. A return-level
    finding the importer already reported is not repeated; check_return's own
    findings are distinct by construction, so only those whose rule the
    importer also used are compared (hashing each costs time on big files).
    """
    own = dict.fromkeys(result.diagnostics)
    own_codes = {d.code for d in own}
    found = list(own)
    several = len(result.returns) > 1
    located = bool(result.record_locations)
    for k, ret in enumerate(result.returns):
        checked = check_return(
            ret,
            path=f"$.returns[{k}]" if several else "$",
            record_location=_rows_of(result, k) if located else None,
        )
        found.extend(d for d in checked if d.code not in own_codes or d not in own)
    return tuple(found)


def _rows_of(result: LoadResult, k: int) -> Callable[[str, int, str | None], Location | None]:
    """Where records of return ``k`` were read, from the importer's record locations."""

    def record_location(kind: str, index: int, field: str | None) -> Location | None:
        return result.location_of(k, kind, index, field)

    return record_location


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block; the previous state is restored.

    Loading and checking a large file builds millions of acyclic objects
    (records, diagnostics); each automatic collection would walk all of them
    again, which cost about a third of the time on a 1,000,000-row file.
    Reference counting still frees everything as usual meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
