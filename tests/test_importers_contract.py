"""The plugin-author contract suite (hubspoke.testing) run on each built-in importer.

Each importer gets its clean samples (which must load without errors), its
flawed samples (errors allowed, reconciliation still required), and every
other built-in format's samples as foreign files it must not claim.
"""

from __future__ import annotations

from pathlib import Path

from hubspoke.plugins.contract import LoadOptions
from hubspoke.testing import ImporterContract
from hubspoke_importers.annual import AnnualSummaryImporter
from hubspoke_importers.cases import CasesImporter
from hubspoke_importers.native_json import JsonImporter
from hubspoke_importers.quarterly_xlsx import QuarterlyWorkbookImporter
from hubspoke_importers.values import ValuesImporter

SAMPLES = Path(__file__).resolve().parents[1] / "examples" / "returns"


def samples(*names: str) -> tuple[Path, ...]:
    return tuple(SAMPLES / n for n in names)


def others(*own: str) -> tuple[Path, ...]:
    return tuple(
        p
        for p in sorted(SAMPLES.iterdir())
        if p.suffix in {".csv", ".xlsx", ".json"} and p.name not in own
    )


VALUES = ("values-S12-2015-16-Q2.csv", "flawed-values-unknown-codes.csv")
CASES = ("cases-S14-2015-16.csv", "flawed-cases-personal-data.csv")
ANNUAL = ("annual-S02-2014-15.csv", "flawed-annual-unmatched-labels.csv")
WORKBOOKS = (
    "quarterly-S21-2015-16-Q3.xlsx",
    "quarterly-S30-2016-17-Q1-messy.xlsx",
    "flawed-quarterly-S33-2016-17-Q2.xlsx",
)
JSON = ("returns-S12-2015-16.json", "flawed-json-S12.json")


class TestValuesContract(ImporterContract):
    importer = ValuesImporter()
    samples = samples(VALUES[0])
    foreign_samples = others(*VALUES)


class TestFlawedValuesContract(ImporterContract):
    importer = ValuesImporter()
    samples = samples(VALUES[1])
    expect_clean = False


class TestCasesContract(ImporterContract):
    importer = CasesImporter()
    samples = samples(CASES[0])
    foreign_samples = others(*CASES)


class TestFlawedCasesContract(ImporterContract):
    importer = CasesImporter()
    samples = samples(CASES[1])
    expect_clean = False


class TestAnnualContract(ImporterContract):
    importer = AnnualSummaryImporter()
    samples = samples(ANNUAL[0])
    foreign_samples = others(*ANNUAL)


class TestFlawedAnnualContract(ImporterContract):
    importer = AnnualSummaryImporter()
    samples = samples(ANNUAL[1])
    expect_clean = False


class TestWorkbookContract(ImporterContract):
    importer = QuarterlyWorkbookImporter()
    samples = samples(*WORKBOOKS[:2])
    foreign_samples = others(*WORKBOOKS)
    options = LoadOptions()


class TestFlawedWorkbookContract(ImporterContract):
    importer = QuarterlyWorkbookImporter()
    samples = samples(WORKBOOKS[2])
    expect_clean = False


class TestJsonContract(ImporterContract):
    importer = JsonImporter()
    samples = samples(JSON[0])
    foreign_samples = others(*JSON)


class TestFlawedJsonContract(ImporterContract):
    importer = JsonImporter()
    samples = samples(JSON[1])
    expect_clean = False
