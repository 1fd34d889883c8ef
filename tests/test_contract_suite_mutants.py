"""Mutation test of the contract suite: every broken variant of a good importer is caught.

Each mutant below is the Northmoor example importer with one mistake a plugin
author could make. The suite (``hubspoke.testing.check_load``) must fail on
each, with a message that names the mistake; the unmutated importer passes.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from hubspoke.plugins import LoadOptions, LoadResult
from hubspoke.testing import check_load
from plugin_fakes import NORTHMOOR_DATA, northmoor_module

SAMPLE = NORTHMOOR_DATA / "northmoor-2015-16-q1.csv"
WITH_ERRORS = NORTHMOOR_DATA / "northmoor-with-errors.csv"
Good = northmoor_module().NorthmoorCasesImporter


def _provenance(result: LoadResult, **changes: Any) -> LoadResult:
    returns = tuple(
        attrs.evolve(r, provenance=attrs.evolve(r.provenance, **changes))
        for r in result.returns
        if r.provenance is not None
    )
    return attrs.evolve(result, returns=returns)


class DropsARecord(Good):  # type: ignore[misc, valid-type]
    """Counts a row as imported but loses its record on the way out."""

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        good: LoadResult = super().load(source, options=options)
        first = good.returns[0]
        shorter = attrs.evolve(first, cases=first.cases[:-1])
        return attrs.evolve(good, returns=(shorter, *good.returns[1:]))


class ClaimsRowsItRejected(Good):  # type: ignore[misc, valid-type]
    """Rejects every row (with reasons) yet still returns the records."""

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        good: LoadResult = super().load(source, options=options)
        from hubspoke.diagnostics import Diagnostic, Location, Severity

        why = [
            Diagnostic(
                code="x", severity=Severity.ERROR, message="m", location=Location(file="f", row=3)
            )
        ] * good.rows_read
        return attrs.evolve(good, diagnostics=why, rows_imported=0, rows_rejected=good.rows_read)


class ClockInProvenance(Good):  # type: ignore[misc, valid-type]
    """Stamps each return with the wall-clock time: two loads differ."""

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        return _provenance(super().load(source, options=options), imported_at=datetime.now(UTC))


class FixedTimeInProvenance(Good):  # type: ignore[misc, valid-type]
    """Sets the import time itself (even a fixed one is the workspace's to record)."""

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        when = datetime(2015, 7, 7, tzinfo=UTC)
        return _provenance(super().load(source, options=options), imported_at=when)


class HashesTheText(Good):  # type: ignore[misc, valid-type]
    """Hashes the decoded text (or anything) instead of the file's bytes."""

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        text = source.read_text(encoding="utf-8").strip()
        sha = hashlib.sha256(text.encode()).hexdigest()
        return _provenance(super().load(source, options=options), sha256=sha)


class StaleVersion(Good):  # type: ignore[misc, valid-type]
    """Records a hard-coded version that is not the importer's."""

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        return _provenance(super().load(source, options=options), importer_version="0.0.1")


class FullPathAsSource(Good):  # type: ignore[misc, valid-type]
    """Records the full path (the user's directories) rather than the file's name."""

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        return _provenance(super().load(source, options=options), source_file=str(source))


class ZeroBasedRows(Good):  # type: ignore[misc, valid-type]
    """Reports pandas positions (0-based) as rows."""

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        good: LoadResult = super().load(source, options=options)
        shifted = [
            attrs.evolve(d, location=attrs.evolve(d.location, row=i))
            for i, d in enumerate(good.diagnostics)
        ]
        return attrs.evolve(good, diagnostics=shifted)


class UnstableOrder(Good):  # type: ignore[misc, valid-type]
    """Gives its diagnostics in a different order on each load (a set iterated, say)."""

    def __init__(self) -> None:
        self._calls = itertools.count()

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        good: LoadResult = super().load(source, options=options)
        if next(self._calls) % 2:
            return attrs.evolve(good, diagnostics=tuple(reversed(good.diagnostics)))
        return good


class ReturnsInRandomOrder(Good):  # type: ignore[misc, valid-type]
    """Gives its returns in a different order on each load (a dict of sets, say)."""

    def __init__(self) -> None:
        self._calls = itertools.count()

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        good: LoadResult = super().load(source, options=options)
        if next(self._calls) % 2:
            return attrs.evolve(good, returns=tuple(reversed(good.returns)))
        return good


MUTANTS = [
    (DropsARecord, SAMPLE, "rows were imported but returned"),
    (ClaimsRowsItRejected, SAMPLE, "no row was imported but returned"),
    (ClockInProvenance, SAMPLE, "imported_at must be left None"),
    (FixedTimeInProvenance, SAMPLE, "imported_at must be left None"),
    (HashesTheText, SAMPLE, "SHA-256 of the file's bytes"),
    (StaleVersion, SAMPLE, "not the importer's"),
    (FullPathAsSource, SAMPLE, "not the file's name"),
    (ZeroBasedRows, WITH_ERRORS, "rows are 1-based"),
    (UnstableOrder, WITH_ERRORS, "different diagnostics"),
    (ReturnsInRandomOrder, SAMPLE, "different returns"),
]


@pytest.mark.parametrize(
    ("mutant", "sample", "message"), MUTANTS, ids=[m[0].__name__ for m in MUTANTS]
)
def test_the_suite_kills_the_mutant(mutant: type, sample: Path, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_load(mutant(), sample, expect_clean=sample == SAMPLE)


@pytest.mark.parametrize("sample", [SAMPLE, WITH_ERRORS], ids=["clean", "with-errors"])
def test_the_unmutated_importer_survives(sample: Path) -> None:
    check_load(Good(), sample, expect_clean=sample == SAMPLE)
