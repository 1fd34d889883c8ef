"""The importer contract: what a plugin's importer is, gets and gives back.

An importer is any object with the attributes and methods of
:class:`Importer` (a structural protocol: no base class to inherit).
Selection gives each importer's :meth:`Importer.sniff` a :class:`Probe`;
the chosen importer's :meth:`Importer.load` returns a :class:`LoadResult`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, runtime_checkable

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.errors import PluginContractError
from hubspoke.model import MonitoringReturn, Programme
from hubspoke.model._rules import to_tuple
from hubspoke.periods import Period

if TYPE_CHECKING:
    import pandas as pd

#: ``(return index, kind, record index)``: a record's key in :attr:`LoadResult.record_locations`.
RecordKey = tuple[int, str, int]

#: How many bytes of a file a :class:`Probe` carries.
PROBE_BYTES = 64 * 1024

#: How many bytes :meth:`Probe.open` lets a sniffer read in all (bounded memory and time).
PROBE_READ_LIMIT = 4 * 1024 * 1024


class BoundedReader(io.RawIOBase):
    """A seekable binary file that raises OSError once ``limit`` bytes have been read."""

    def __init__(self, raw: BinaryIO, limit: int) -> None:
        super().__init__()
        self._raw = raw
        self._left = limit

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._left <= 0 and len(view):
            raise OSError("the probe's read limit was reached")
        data = self._raw.read(min(len(view), self._left))
        view[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


@attrs.frozen(kw_only=True)
class Probe:
    """What sniffing may look at: the file's path and its first bytes (``head``).

    ``head`` holds at most :data:`PROBE_BYTES` bytes; :meth:`tail` gives the
    last bytes and :meth:`open` a reader bounded to :data:`PROBE_READ_LIMIT`
    bytes. Sniffers must not open the file themselves.
    """

    path: Path
    head: bytes

    @classmethod
    def from_path(cls, path: Path) -> Probe:
        from hubspoke.inputs import open_regular

        with open_regular(path) as fh:
            return cls(path=path, head=fh.read(PROBE_BYTES))

    @property
    def suffix(self) -> str:
        """The lower-case file extension with its dot (``.csv``), or ``""``."""
        return self.path.suffix.lower()

    def tail(self, size: int = PROBE_BYTES) -> bytes:
        """The file's last ``size`` bytes (at most :data:`PROBE_BYTES`); ``b""`` if unreadable.

        A zip (an ``.xlsx`` workbook) keeps its directory at the end, so the
        list of its members is here, not in ``head``.
        """
        size = max(0, min(size, PROBE_BYTES))
        try:
            with self.path.open("rb") as fh:
                end = fh.seek(0, 2)
                fh.seek(max(0, end - size))
                return fh.read(size)
        except OSError:
            return b""

    def open(self, limit: int = PROBE_READ_LIMIT) -> BoundedReader:
        """The file for reading and seeking, refusing to read more than ``limit`` bytes in all.

        For sniffers that must look past ``head`` (a workbook's sheet names):
        reading beyond the limit raises :class:`OSError`, so a sniffer stays
        cheap whatever the file. Raises OSError if the file cannot be opened.
        Use :func:`hubspoke.reading.glance_workbook` rather than this for
        workbooks.
        """
        return BoundedReader(self.path.open("rb"), min(limit, PROBE_READ_LIMIT))

    def text(self) -> str:
        """``head`` decoded as UTF-8 (BOM removed), falling back to Windows-1252."""
        raw = self.head.removeprefix(b"\xef\xbb\xbf")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start >= len(raw) - 4:  # a character cut in half at the probe's end
                return raw[: exc.start].decode("utf-8", errors="replace")
            return raw.decode("cp1252", errors="replace")


#: The largest return file read by default (bytes): a million-row cases CSV is about 100 MiB.
#: ``--max-file-size`` and ``HUBSPOKE_MAX_FILE_SIZE`` change it.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024

#: Workbooks are read whole into memory, so their own cap stays lower whatever ``max_bytes``
#: says; what a workbook inflates to is bounded from this, never from ``max_bytes`` alone.
MAX_WORKBOOK_BYTES = 50 * 1024 * 1024


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
    max_bytes: int = DEFAULT_MAX_BYTES
    keep_personal_data: bool = False


class RecordRows(Mapping[RecordKey, Location]):
    """Where each record of a load was read: a lazy ``(return, kind, index) -> Location`` map.

    Stores one sheet name and one spreadsheet row per record and builds a
    :class:`~hubspoke.diagnostics.Location` only when one is asked for, so a
    million-row file does not pay for a million locations it never shows.
    ``places[(return index, kind)]`` is ``(sheets, rows)``, aligned with the
    return's records of that kind; a row of None means "not known".
    ``columns[sheet][field]`` is the ``(header, letter)`` of the column a
    record field was read from, so :meth:`locate` can name the cell.
    """

    def __init__(
        self,
        file: str | None,
        places: Mapping[tuple[int, str], tuple[Sequence[str | None], Sequence[int | None]]],
        columns: Mapping[str | None, Mapping[str, tuple[str, str]]] | None = None,
    ) -> None:
        self._file = file
        self._places = dict(places)
        self._columns = dict(columns or {})
        self._len: int | None = None

    def __getitem__(self, key: RecordKey) -> Location:
        found = self.locate(*key)
        if found is None:
            raise KeyError(key)
        return found

    def locate(self, ret: int, kind: str, index: int, field: str | None = None) -> Location | None:
        """The record's sheet and row, and the column of ``field`` where it is known."""
        sheets, rows = self._places.get((ret, kind), ((), ()))
        if not 0 <= index < len(rows) or rows[index] is None:
            return None
        sheet = sheets[index]
        header, letter = self._columns.get(sheet, {}).get(field or "", (None, None))
        return Location(
            file=self._file, sheet=sheet, row=rows[index], column=header, column_letter=letter
        )

    def __iter__(self) -> Iterator[RecordKey]:
        for (ret, kind), (_, rows) in self._places.items():
            for index, row in enumerate(rows):
                if row is not None:
                    yield (ret, kind, index)

    def __len__(self) -> int:
        if self._len is None:  # counted once: the places never change
            self._len = sum(
                sum(row is not None for row in rows) for _, rows in self._places.values()
            )
        return self._len

    def __bool__(self) -> bool:
        """True when any record's place is known (without counting them all)."""
        return any(any(row is not None for row in rows) for _, rows in self._places.values())


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
    record_locations: Mapping[RecordKey, Location] = attrs.field(factory=dict)
    """Optional: where each imported record came from, keyed by
    ``(return index, kind, record index)`` with kind one of ``values``,
    ``cases``, ``activities``, ``outcomes``. Checks run on the finished
    returns (dates outside the period, breakdowns not summing to their total)
    use it to point at the spreadsheet row; without it they give a JSON path."""
    record_frames: Mapping[str, pd.DataFrame] = attrs.field(factory=dict)
    """Optional, for bulk formats: records as frames instead of objects, one per kind
    (``values``, ``cases``, ``activities``, ``outcomes``), each a ``return_index``
    column (the record's return's position in :attr:`returns`) then the kind's
    columns with the dtypes of :mod:`hubspoke.frames`
    (:func:`hubspoke.plugins.record_frames.record_schema`). The returns then carry
    no records of that kind; :meth:`materialised_returns` gives them as objects.
    Checked and conformed when the result is built."""

    def __attrs_post_init__(self) -> None:
        if self.record_frames:
            from hubspoke.plugins.record_frames import check_frames

            checked = check_frames(self.record_frames, len(self.returns))
            object.__setattr__(self, "record_frames", checked)
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

    def location_of(
        self, return_index: int, kind: str, record_index: int, field: str | None = None
    ) -> Location | None:
        """Where a record of return ``return_index`` was read (None if not recorded).

        With ``field``, the column it was read from too, where the importer said.
        """
        if isinstance(self.record_locations, RecordRows):
            return self.record_locations.locate(return_index, kind, record_index, field)
        return self.record_locations.get((return_index, kind, record_index))

    @property
    def ok(self) -> bool:
        """True when there is no error diagnostic."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    def record_counts(self) -> list[int]:
        """Records per return, objects and frame rows together, in :attr:`returns` order."""
        sizes = [
            len(r.values) + len(r.cases) + len(r.activities) + len(r.outcomes) for r in self.returns
        ]
        if not self.record_frames:
            return sizes
        from hubspoke.plugins.record_frames import counts

        held = counts(self.record_frames, len(self.returns))
        return [n + int(m) for n, m in zip(sizes, held, strict=True)]

    def materialised_returns(self) -> tuple[MonitoringReturn, ...]:
        """The returns with every record as a model object, frames included (row by row)."""
        from hubspoke.plugins.record_frames import materialise

        return materialise(self.returns, self.record_frames)


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
