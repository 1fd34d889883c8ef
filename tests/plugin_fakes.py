"""Fake importers and plugins for the plugin, validation and CLI tests.

:class:`FakeImporter` answers sniff with a fixed score (or raises) and loads
a fixed result; :class:`TidyValuesImporter` is a small but real importer of
``service,period,measure,value[,dimension...]`` CSV built on
:mod:`hubspoke.rules`, so rule tests run through real files.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import sys
import types
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.errors import FileImportError
from hubspoke.measures import DIMENSIONS
from hubspoke.measures import measures as measure_catalogue
from hubspoke.model import DataValue, MonitoringReturn, Provenance
from hubspoke.periods import Period
from hubspoke.plugins import Importer, LoadOptions, LoadResult, Probe, hookimpl
from hubspoke.plugins.registry import Registry
from hubspoke.rules import (
    ColumnPlace,
    check_breakdown_allowed,
    check_codes,
    check_measures,
    check_numbers,
    check_period_label,
    check_required_columns,
)


class FakeImporter:
    """An importer whose sniff answers ``score`` (or raises ``sniff_error``)."""

    def __init__(
        self,
        name: str,
        score: float | object | None = None,
        *,
        extensions: tuple[str, ...] = (".csv",),
        sniff_error: Exception | None = None,
        load: Callable[[Path, LoadOptions], object] | None = None,
    ) -> None:
        self.name = name
        self.description = f"fake importer {name}"
        self.extensions = extensions
        self.version = "1.0"
        self.score = score
        self.sniff_error = sniff_error
        self._load = load

    def sniff(self, probe: Probe) -> float | None:
        if self.sniff_error is not None:
            raise self.sniff_error
        return self.score  # type: ignore[return-value]

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        if self._load is None:
            return LoadResult(
                returns=(), diagnostics=(), rows_read=0, rows_imported=0, rows_rejected=0
            )
        return self._load(source, options)  # type: ignore[return-value]


class FakePlugin:
    """A plugin object implementing ``hubspoke_register_importers`` (and optionally more)."""

    def __init__(self, name: str, *importers: object, error: Exception | None = None) -> None:
        self.__name__ = name
        self.importers = list(importers)
        self.error = error

    @hookimpl
    def hubspoke_register_importers(self) -> Sequence[Importer]:
        if self.error is not None:
            raise self.error
        return self.importers  # type: ignore[return-value]


def plugin_of(name: str, *importers: object) -> FakePlugin:
    return FakePlugin(name, *importers)


REQUIRED = ("service", "period", "measure", "value")


class TidyValuesImporter:
    """Reads ``service,period,measure,value`` CSV plus optional breakdown columns."""

    name: str = "test-values"
    description: str = "tidy aggregate values (test importer)"
    extensions: tuple[str, ...] = (".csv",)
    version: str = "0.0.1"

    def sniff(self, probe: Probe) -> float | None:
        first = probe.text().partition("\n")[0].strip().casefold()
        return 0.9 if first.startswith("service,period,measure,value") else None

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        try:
            data = source.read_bytes()
            frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise FileImportError(f"{source.name}: {exc}") from None
        file = source.name
        frame.columns = [str(c).strip() for c in frame.columns]
        places = {
            h: ColumnPlace(file=file, header=h, index=i) for i, h in enumerate(frame.columns, 1)
        }
        found: list[Diagnostic] = list(check_required_columns(frame.columns, REQUIRED, file=file))
        if found:
            found += [
                Diagnostic(
                    code="row-rejected",
                    severity=Severity.ERROR,
                    message="row not imported: a required column is missing",
                    location=Location(file=file, row=i + 2),
                )
                for i in range(len(frame))
            ]
            return LoadResult(
                returns=(),
                diagnostics=found,
                rows_read=len(frame),
                rows_imported=0,
                rows_rejected=len(frame),
            )
        bad = pd.Series(False, index=frame.index)
        measures = check_measures(frame["measure"], places["measure"])
        catalogue = measure_catalogue()
        whole = measures.parsed.map(lambda m: catalogue[m].whole if isinstance(m, str) else True)
        values = check_numbers(frame["value"], places["value"], whole=whole.astype(bool))
        found += measures.diagnostics + values.diagnostics
        bad |= measures.bad | values.bad
        dims: dict[str, pd.Series] = {}
        for dim in DIMENSIONS:
            if dim in frame.columns:
                codes = check_codes(frame[dim], dim, places[dim])
                allowed = check_breakdown_allowed(measures.parsed, frame[dim], dim, places[dim])
                found += codes.diagnostics + allowed.diagnostics
                bad |= codes.bad | allowed.bad
                dims[dim] = codes.parsed
        service_ok = frame["service"].str.match(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
        for i in (~service_ok).to_numpy().nonzero()[0].tolist():
            found.append(
                Diagnostic(
                    code="bad-service",
                    severity=Severity.ERROR,
                    message="the service is blank or not an id",
                    location=places["service"].location(i + 2),
                    value=str(frame["service"].iloc[i]),
                )
            )
        bad |= ~service_ok.astype(bool)
        periods: dict[str, Period | None] = {}
        for i, label in enumerate(frame["period"].tolist()):
            if label not in periods:
                where = places["period"].location(i + 2)
                periods[label], problem = check_period_label(label, where)
                if problem is not None:
                    found.append(problem)
            if periods[label] is None:
                if not bad.iloc[i]:
                    found.append(
                        Diagnostic(
                            code="row-rejected",
                            severity=Severity.ERROR,
                            message="row not imported: its period cannot be read",
                            location=places["period"].location(i + 2),
                        )
                    )
                bad.iloc[i] = True
        groups: dict[tuple[str, str], list[DataValue]] = {}
        for i in (~bad).to_numpy().nonzero()[0].tolist():
            breakdown = {d: str(s.iloc[i]) for d, s in dims.items() if not pd.isna(s.iloc[i])}
            value = DataValue(
                measure=str(measures.parsed.iloc[i]),
                breakdown=breakdown,
                value=float(values.parsed.iloc[i]),
            )
            key = (str(frame["service"].iloc[i]), str(frame["period"].iloc[i]))
            groups.setdefault(key, []).append(value)
        provenance = Provenance(
            source_file=file,
            sha256=hashlib.sha256(data).hexdigest(),
            importer=self.name,
            importer_version=self.version,
        )
        returns = tuple(
            MonitoringReturn(
                service_id=service,
                period=periods[label],  # type: ignore[arg-type]
                provenance=provenance,
                values=vals,
            )
            for (service, label), vals in groups.items()
        )
        rejected = int(bad.sum())
        return LoadResult(
            returns=returns,
            diagnostics=found,
            rows_read=len(frame),
            rows_imported=len(frame) - rejected,
            rows_rejected=rejected,
        )


#: The example third-party plugin's source directory (imported without installing it).
NORTHMOOR_SRC = Path(__file__).parents[1] / "examples" / "plugins" / "hubspoke-northmoor" / "src"
NORTHMOOR_DATA = NORTHMOOR_SRC.parent / "tests" / "data"


def northmoor_module() -> types.ModuleType:
    """The example plugin's module, imported from its source tree (nothing installed)."""
    if str(NORTHMOOR_SRC) not in sys.path:
        sys.path.insert(0, str(NORTHMOOR_SRC))
    return importlib.import_module("hubspoke_northmoor")


def rules_registry() -> Registry:
    """A registry of the tidy values test importer and the Northmoor example plugin."""
    return Registry.from_plugins(
        [
            ("hubspoke-tests", FakePlugin("tidy", TidyValuesImporter())),
            ("hubspoke-northmoor", northmoor_module()),
        ]
    )
