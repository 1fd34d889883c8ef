"""The importer contract: what a plugin's importer is, gets and gives back.

An importer is any object with the attributes and methods of
:class:`Importer` (a structural protocol: no base class to inherit).
Selection gives each importer's :meth:`Importer.sniff` a :class:`Probe`;
the chosen importer's :meth:`Importer.load` returns a :class:`LoadResult`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import attrs

from hubspoke.diagnostics import Diagnostic, Severity
from hubspoke.errors import PluginContractError
from hubspoke.model import MonitoringReturn, Programme
from hubspoke.model._rules import to_tuple
from hubspoke.periods import Period

#: How many bytes of a file a :class:`Probe` carries.
PROBE_BYTES = 64 * 1024


@attrs.frozen(kw_only=True)
class Probe:
    """What sniffing may look at: the file's path and its first bytes (``head``).

    ``head`` holds at most :data:`PROBE_BYTES` bytes. Sniffers must not open
    the file themselves.
    """

    path: Path
    head: bytes

    @classmethod
    def from_path(cls, path: Path) -> Probe:
        with path.open("rb") as fh:
            return cls(path=path, head=fh.read(PROBE_BYTES))

    @property
    def suffix(self) -> str:
        """The lower-case file extension with its dot (``.csv``), or ``""``."""
        return self.path.suffix.lower()

    def text(self) -> str:
        """``head`` decoded as UTF-8 (BOM removed), falling back to Windows-1252."""
        raw = self.head.removeprefix(b"\xef\xbb\xbf")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start >= len(raw) - 4:  # a character cut in half at the probe's end
                return raw[: exc.start].decode("utf-8", errors="replace")
            return raw.decode("cp1252", errors="replace")


@attrs.frozen(kw_only=True)
class LoadOptions:
    """Options for :meth:`Importer.load`; every field has a safe default.

    ``programme``, when given, lets an importer check service ids.
    ``service_id`` and ``period`` override what the file says (for formats
    that do not carry them). ``max_bytes`` bounds what is read (bytes).
    ``keep_personal_data`` is False by default: personal data found in a
    return is reported and not stored.
    """

    programme: Programme | None = None
    service_id: str | None = None
    period: Period | None = None
    max_bytes: int = 50 * 1024 * 1024
    keep_personal_data: bool = False


@attrs.frozen(kw_only=True)
class LoadResult:
    """What loading one file gave: returns, diagnostics and the row reconciliation.

    Invariant (checked): ``rows_read == rows_imported + rows_rejected``, and
    there are at least as many error diagnostics as rejected rows, since
    every rejected row has a reason.
    """

    returns: tuple[MonitoringReturn, ...] = attrs.field(converter=to_tuple)
    diagnostics: tuple[Diagnostic, ...] = attrs.field(converter=to_tuple)
    rows_read: int
    rows_imported: int
    rows_rejected: int

    def __attrs_post_init__(self) -> None:
        if min(self.rows_read, self.rows_imported, self.rows_rejected) < 0:
            raise PluginContractError("row counts must not be negative")
        if self.rows_read != self.rows_imported + self.rows_rejected:
            raise PluginContractError(
                f"reconciliation broken: {self.rows_read} rows read but "
                f"{self.rows_imported} imported + {self.rows_rejected} rejected"
            )
        errors = sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)
        if errors < self.rows_rejected:
            raise PluginContractError(
                f"{self.rows_rejected} rows rejected but only {errors} error diagnostics"
            )

    @property
    def ok(self) -> bool:
        """True when there is no error diagnostic."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


@runtime_checkable
class Importer(Protocol):
    """A reader of one return format.

    ``name`` is unique across all installed plugins (``hubspoke-values``);
    ``extensions`` are lower-case with the dot (``(".csv",)``); ``version``
    is recorded in each return's provenance.
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    version: str

    def sniff(self, probe: Probe) -> float | None:
        """How sure this importer is that it reads ``probe``'s file, in [0, 1].

        None or 0 means "not mine". Cheap, side-effect free, never raises
        (an exception is recorded and counted as "not mine").
        """
        ...

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        """Read ``source`` into returns, with a diagnostic for every problem.

        Never silently drops or blanks a value: every data row read is
        imported or rejected with an error diagnostic carrying its location.
        Raises :class:`~hubspoke.errors.FileImportError` only when the file
        as a whole cannot be read.
        """
        ...


@runtime_checkable
class TemplateWriter(Protocol):
    """An importer that can also write the blank template of its format."""

    def write_template(self, out: Path) -> None:
        """Write a blank, fillable template of the format to ``out``."""
        ...
