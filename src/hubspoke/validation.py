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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity, has_errors
from hubspoke.errors import (
    FileImportError,
    FormatDetectionError,
    HubspokeError,
    PluginContractError,
)
from hubspoke.inputs import regular_file_problem
from hubspoke.limits import excerpt
from hubspoke.model import MonitoringReturn, Programme
from hubspoke.periods import Period
from hubspoke.plugins.contract import LoadOptions, LoadResult
from hubspoke.plugins.record_frames import KINDS
from hubspoke.plugins.registry import Registry, SniffOutcome, get_registry
from hubspoke.rules import RULES, ColumnCheck, ColumnPlace, check_return, closest_service

if TYPE_CHECKING:
    import pandas as pd

    from hubspoke.rules.stored import Screened

__all__ = [
    "RULES",
    "ColumnCheck",
    "ColumnPlace",
    "FileReport",
    "PipelineCheck",
    "check_return",
    "diagnostic_json",
    "pipeline_checks",
    "programme_span",
    "service_span",
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
    record_frames: Mapping[str, pd.DataFrame] = attrs.field(factory=dict)
    """Records the importer gave as frames (see :attr:`LoadResult.record_frames`),
    ``return_index`` pointing into :attr:`returns`."""

    def materialised_returns(self) -> tuple[MonitoringReturn, ...]:
        """The returns with every record as a model object, frames included (row by row)."""
        from hubspoke.plugins.record_frames import materialise

        return materialise(self.returns, self.record_frames)

    def kind_counts(self, kind: str) -> list[int]:
        """Records of ``kind`` per return, objects and frame rows together."""
        from hubspoke.plugins.record_frames import kind_counts

        held = kind_counts(self.record_frames, kind, len(self.returns))
        return [len(getattr(r, kind)) + n for r, n in zip(self.returns, held, strict=True)]

    @property
    def ok(self) -> bool:
        """True when there is no error diagnostic."""
        return not has_errors(self.diagnostics)

    def _repr_html_(self) -> str:
        """Importer, rows and every diagnostic as HTML, for notebooks."""
        from hubspoke.notebook import file_report_html

        return file_report_html(self)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (returns summarised, never their records)."""
        counts = {kind: self.kind_counts(kind) for kind in KINDS}
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
                    "submitted_on": None if r.submitted_on is None else r.submitted_on.isoformat(),
                    **{kind: counts[kind][k] for kind in KINDS},
                }
                for k, r in enumerate(self.returns)
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
    problem = regular_file_problem(path)
    if problem is not None:
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
        if _ours(importer, exc):
            return attrs.evolve(base, diagnostics=(_resource_error(path, exc),))
        return attrs.evolve(
            base,
            diagnostics=(
                _file_error(
                    path,
                    "importer-contract",
                    f"importer {importer.name!r} failed unexpectedly "
                    f"({type(exc).__name__}: {excerpt(str(exc))}); report this to its author",
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
        checked = pipeline_checks(result, file=path.name, importer=importer.name, options=options)
        diagnostics = _with_return_checks(result, kept=checked.kept) + checked.diagnostics

    screened = _screened(result, checked, path.name)
    return attrs.evolve(
        base,
        returns=screened.returns,
        record_frames=screened.record_frames,
        diagnostics=diagnostics + screened.diagnostics,
        rows_read=result.rows_read,
        rows_imported=checked.rows_imported - screened.rows_dropped,
        rows_rejected=checked.rows_rejected + screened.rows_dropped,
    )


def _screened(result: LoadResult, checked: PipelineCheck, file: str) -> Screened:
    """:func:`hubspoke.rules.stored.screen` of the returns the pipeline kept."""
    from hubspoke.plugins.record_frames import select
    from hubspoke.rules.stored import screen

    sizes = result.record_counts()
    one_per_row = sum(sizes) == result.rows_imported
    if one_per_row:
        rows = [sizes[k] for k in checked.kept]
    elif len(result.returns) == result.rows_imported:
        rows = [1 for _ in checked.kept]
    else:
        rows = [min(sizes[k], result.rows_imported) for k in checked.kept]
    several = len(result.returns) > 1
    located = bool(result.record_locations)

    def locate(k: int, kind: str, i: int, field: str | None) -> Location | None:
        return result.location_of(checked.kept[k], kind, i, field) if located else None

    return screen(
        checked.returns,
        select(result.record_frames, checked.kept),
        file=file,
        paths=[f"$.returns[{k}]" if several else "$" for k in checked.kept],
        locate=locate,
        rows_of_return=rows,
        one_record_per_row=one_per_row,
    )


@attrs.frozen(kw_only=True)
class PipelineCheck:
    """What :func:`pipeline_checks` decided about one importer's :class:`LoadResult`.

    ``returns`` are the returns that may be stored (those at positions
    ``kept`` of ``LoadResult.returns``); ``diagnostics`` are the pipeline's
    own findings (the importer's are not repeated); ``rows_imported`` and
    ``rows_rejected`` are the importer's counts after the pipeline rejected
    rows of dropped returns, so rows read = imported + rejected still holds.
    """

    returns: tuple[MonitoringReturn, ...]
    kept: tuple[int, ...]
    diagnostics: tuple[Diagnostic, ...]
    rows_imported: int
    rows_rejected: int


def pipeline_checks(
    result: LoadResult, *, file: str, importer: str, options: LoadOptions = _DEFAULT_OPTIONS
) -> PipelineCheck:
    """The checks hubspoke makes on every importer's result, after ``load``, before storing.

    No plugin can skip them; :func:`validate_file` (and so ``hubspoke
    validate`` and ``hubspoke import``) applies them to every file:

    - **reconciliation against the records returned** (``importer-contract``):
      each imported row must give at least one record (or, for formats whose
      rows are whole returns, one return), and a file whose rows were all
      rejected gives no records. A result breaking this is a bug in the
      importer: nothing of the file is kept.
    - with ``options.programme``: **service ids** (``unknown-service``, with
      the closest known id suggested): a return for a service that is not a
      spoke or hub of the programme is dropped and its rows rejected, one
      located error per record; **periods** against the programme's dates
      (``period-outside-programme``, an error that drops the return) and the
      spoke's active dates (``period-outside-service``, a warning).

    Returns what may be stored and the corrected row counts.
    """
    returns = result.returns
    found: list[Diagnostic] = []
    sizes = result.record_counts()
    records = sum(sizes)
    imported, rejected = result.rows_imported, result.rows_rejected
    several = len(returns) > 1
    broken = None
    if imported > max(records, len(returns)):
        broken = (
            f"importer {importer!r} says {imported} rows were imported but returned "
            f"{records} records in {len(returns)} returns: rows were lost between reading and "
            "returning them"
        )
    elif imported == 0 and result.rows_read > 0 and records > 0:
        broken = f"importer {importer!r} says no row was imported but returned {records} records"
    if broken is not None:
        found.append(
            Diagnostic(
                code="importer-contract",
                severity=Severity.ERROR,
                message=f"{broken}; nothing from this file is kept (report this to the "
                "importer's author)",
                location=Location(file=file),
            )
        )
        return PipelineCheck(
            returns=(),
            kept=(),
            diagnostics=tuple(found),
            rows_imported=0,
            rows_rejected=result.rows_read,
        )
    programme = options.programme
    if programme is None:
        return PipelineCheck(
            returns=returns,
            kept=tuple(range(len(returns))),
            diagnostics=(),
            rows_imported=imported,
            rows_rejected=rejected,
        )
    span = programme_span(programme)
    known = programme.service_ids
    kept: list[int] = []
    suggestions: dict[str, str] = {}
    for k, ret in enumerate(returns):
        base = f"$.returns[{k}]" if several else "$"
        if sizes and records == imported:
            rows = sizes[k]
        elif len(returns) == imported:
            rows = 1
        else:
            rows = min(sizes[k], imported)
        if ret.service_id not in known:
            if ret.service_id not in suggestions:
                close = closest_service(ret.service_id, known)
                suggestions[ret.service_id] = (
                    f"did you mean {close!r}?"
                    if close
                    else "add the service to the programme, or correct the service id"
                )
            message = (
                f"service {ret.service_id!r} is not a spoke or hub of programme "
                f"{programme.name!r}; its rows were not imported"
            )
            found += _per_record(
                result,
                k,
                file,
                base,
                "unknown-service",
                Severity.ERROR,
                message,
                ret.service_id,
                suggestions[ret.service_id],
                "service_id",
            )
            imported, rejected = imported - rows, rejected + rows
            continue
        if span is not None and not ret.period.overlaps(span):
            message = (
                f"period {ret.period.label} is outside the programme "
                f"({_uk(span.start)} to {_uk(span.end)}); the return was not imported"
            )
            found += _per_record(
                result,
                k,
                file,
                base,
                "period-outside-programme",
                Severity.ERROR,
                message,
                ret.period.label,
                "check the period label, or the programme's dates",
                "period",
            )
            imported, rejected = imported - rows, rejected + rows
            continue
        active = service_span(programme, ret.service_id)
        if active is not None and not ret.period.overlaps(active):
            found.append(
                Diagnostic(
                    code="period-outside-service",
                    severity=Severity.WARNING,
                    message=f"period {ret.period.label} is outside the dates service "
                    f"{ret.service_id!r} was active ({_uk(active.start)} to "
                    f"{_uk(active.end)})",
                    location=Location(file=file, path=f"{base}.period"),
                    value=ret.period.label,
                    suggestion="check the period label and the service id",
                )
            )
        kept.append(k)
    return PipelineCheck(
        returns=tuple(returns[k] for k in kept),
        kept=tuple(kept),
        diagnostics=tuple(found),
        rows_imported=imported,
        rows_rejected=rejected,
    )


def _per_record(
    result: LoadResult,
    k: int,
    file: str,
    base: str,
    code: str,
    severity: Severity,
    message: str,
    value: str,
    suggestion: str,
    field: str,
) -> list[Diagnostic]:
    """One diagnostic per record of return ``k`` (where it was read), or one for the return."""
    from hubspoke.plugins.record_frames import kind_counts

    ret = result.returns[k]
    found = []
    for kind in KINDS:
        held = kind_counts(result.record_frames, kind, len(result.returns))[k]
        for i in range(len(getattr(ret, kind)) + held):
            where = result.location_of(k, kind, i, field) if result.record_locations else None
            found.append(
                Diagnostic(
                    code=code,
                    severity=severity,
                    message=message,
                    location=where or Location(file=file, path=f"{base}.{kind}[{i}]"),
                    value=value,
                    suggestion=suggestion,
                )
            )
    if not found:
        found.append(
            Diagnostic(
                code=code,
                severity=severity,
                message=message,
                location=Location(file=file, path=f"{base}.{field}"),
                value=value,
                suggestion=suggestion,
            )
        )
    return found


def programme_span(programme: Programme) -> Period | None:
    """The programme's dates: its earliest phase or spoke start to its latest end.

    The end is the latest of ``grant_end`` and the spokes' ends (a spoke
    still running counts to the later of the two); None when the programme
    has no dates at all.
    """
    starts = [p.start for p in programme.phases] + [s.start for s in programme.spokes]
    if not starts:
        return None
    ends = [s.end for s in programme.spokes if s.end is not None]
    if programme.grant_end is not None:
        ends.append(programme.grant_end)
    start = min(starts)
    end = max([*ends, start]) if ends else date.max
    return Period(start=start, end=end, label=f"{start.isoformat()} to {end.isoformat()}")


def service_span(programme: Programme, service_id: str) -> Period | None:
    """The widest dates a spoke was planned or active; None for a hub or an unknown id.

    From the earlier of its planned and actual start to the later of its
    planned and actual end (open-ended while it has none), so a return from
    a spoke that started late or ran on is not flagged.
    """
    for spoke in programme.spokes:
        if spoke.id == service_id:
            start = min(d for d in (spoke.planned_start, spoke.actual_start) if d is not None)
            end = date.max  # no actual end: still running
            if spoke.actual_end is not None:
                end = max(d for d in (spoke.planned_end, spoke.actual_end) if d is not None)
            return Period(start=start, end=end, label=f"{start.isoformat()} to {end.isoformat()}")
    return None


def _uk(d: date) -> str:
    return "open-ended" if d == date.max else d.strftime("%d/%m/%Y")


#: Failures that are limits reached, whoever's code reached them.
_LIMITS = (MemoryError, RecursionError, OverflowError)


def _ours(importer: object, exc: BaseException) -> bool:
    """True when a failure is hubspoke's to explain, not the importer author's to fix.

    That is: a built-in importer (``hubspoke_importers``) failed, or any
    importer reached a limit (memory, recursion depth, number size) that
    the file's content decides.
    """
    builtin = type(importer).__module__.split(".")[0] == "hubspoke_importers"
    return builtin or isinstance(exc, _LIMITS)


def _resource_error(path: Path, exc: BaseException) -> Diagnostic:
    """A located finding for a failure inside hubspoke while reading ``path``."""
    if isinstance(exc, MemoryError):
        what = "reading it needed more memory than is available"
    elif isinstance(exc, RecursionError):
        what = "it is nested too deeply to read"
    elif isinstance(exc, OverflowError):
        what = "it holds a number too large to read"
    else:
        what = f"reading it failed ({type(exc).__name__}: {excerpt(str(exc))})"
    return _file_error(
        path,
        "import-failed",
        f"the file could not be read: {what}. Nothing in it was imported; check that it is "
        "a return file and within hubspoke's limits (docs/formats.md)",
    )


def _with_return_checks(
    result: LoadResult, *, kept: tuple[int, ...] | None = None
) -> tuple[Diagnostic, ...]:
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
        if kept is not None and k not in kept:
            continue
        checked = check_return(
            ret,
            path=f"$.returns[{k}]" if several else "$",
            record_location=_rows_of(result, k) if located else None,
        )
        found.extend(d for d in checked if d.code not in own_codes or d not in own)
    cases = result.record_frames.get("cases")
    if cases is not None and len(cases):
        from hubspoke.rules.returns import check_case_frame

        wanted = cases if kept is None else cases[cases["return_index"].isin(list(kept))]
        checked = check_case_frame(
            wanted,
            result.returns,
            paths=[f"$.returns[{k}]" if several else "$" for k in range(len(result.returns))],
            record_location=result.location_of if located else None,
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
