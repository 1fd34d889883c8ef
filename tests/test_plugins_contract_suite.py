"""hubspoke.testing catches importers that break the contract (the suite can fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.plugins import LoadOptions, LoadResult, Probe
from hubspoke.testing import (
    check_attributes,
    check_claims,
    check_importer,
    check_load,
    check_load_foreign,
    check_rejects,
    check_sniff_total,
    write_foreign_samples,
)
from plugin_fakes import NORTHMOOR_DATA, TidyValuesImporter, northmoor_module

SAMPLE = NORTHMOOR_DATA / "northmoor-2015-16-q1.csv"
Importer = northmoor_module().NorthmoorCasesImporter


class FragileSniff(Importer):  # type: ignore[misc, valid-type]
    def sniff(self, probe: Probe) -> float | None:
        return 0.9 if probe.head.decode("utf-8").startswith("NYPP") else None


class ExtensionOnly(Importer):  # type: ignore[misc, valid-type]
    def sniff(self, probe: Probe) -> float | None:
        return 0.5 if probe.suffix == ".csv" else None


class Unlocated(Importer):  # type: ignore[misc, valid-type]
    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        good = super().load(source, options=options)
        return LoadResult(
            returns=good.returns,
            diagnostics=(Diagnostic(code="x", severity=Severity.ERROR, message="bad row"),),
            rows_read=good.rows_read + 1,
            rows_imported=good.rows_imported,
            rows_rejected=1,
        )


class RowlessRejection(Importer):  # type: ignore[misc, valid-type]
    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        good = super().load(source, options=options)
        where = Location(file=source.name)
        return LoadResult(
            returns=good.returns,
            diagnostics=(
                Diagnostic(code="x", severity=Severity.ERROR, message="m", location=where),
            ),
            rows_read=good.rows_read + 1,
            rows_imported=good.rows_imported,
            rows_rejected=1,
        )


class CrashesOnForeign(Importer):  # type: ignore[misc, valid-type]
    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        if source.suffix == ".png":
            raise UnicodeDecodeError("utf-8", b"\x89", 0, 1, "invalid start byte")
        return super().load(source, options=options)  # type: ignore[no-any-return]


def test_the_example_importer_passes_everything() -> None:
    check_importer(Importer(), [SAMPLE])


def test_attributes_are_checked() -> None:
    bad = Importer()
    bad.version = ""
    with pytest.raises(AssertionError, match="version must be a non-empty string"):
        check_attributes(bad)


def test_a_sniff_that_raises_on_some_bytes_fails() -> None:
    with pytest.raises(AssertionError, match="sniff raised UnicodeDecodeError"):
        check_sniff_total(FragileSniff())


def test_claiming_by_extension_alone_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=r"claims shapes\.csv"):
        check_rejects(ExtensionOnly(), write_foreign_samples(tmp_path))


def test_not_claiming_its_own_sample_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="does not claim its own sample"):
        check_claims(TidyValuesImporter(), [SAMPLE])


def test_unlocated_diagnostics_fail() -> None:
    with pytest.raises(AssertionError, match="diagnostic without a file"):
        check_load(Unlocated(), SAMPLE, expect_clean=False)


def test_rejected_rows_need_a_row_or_path() -> None:
    with pytest.raises(AssertionError, match="1 rows rejected but only 0 errors name a row"):
        check_load(RowlessRejection(), SAMPLE, expect_clean=False)


def test_errors_in_a_clean_sample_fail() -> None:
    with pytest.raises(AssertionError, match="has errors"):
        check_load(Importer(), NORTHMOOR_DATA / "northmoor-with-errors.csv")


def test_load_raising_anything_but_file_import_error_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=r"raised UnicodeDecodeError: .* on picture\.png"):
        check_load_foreign(CrashesOnForeign(), write_foreign_samples(tmp_path))
