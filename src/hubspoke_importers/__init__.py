"""hubspoke's built-in importers, registered through the ``hubspoke.importers`` entry point.

This package holds hook implementations only; :mod:`hubspoke` never imports
it. The five built-in formats are described in ``docs/formats.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

from hubspoke.plugins import hookimpl
from hubspoke.plugins.contract import Importer


@hookimpl
def hubspoke_register_importers() -> Sequence[Importer]:
    """The built-in importers: values, cases, quarterly workbook, annual summary, JSON."""
    from hubspoke_importers.annual import AnnualSummaryImporter
    from hubspoke_importers.cases import CasesImporter
    from hubspoke_importers.native_json import JsonImporter
    from hubspoke_importers.quarterly_xlsx import QuarterlyWorkbookImporter
    from hubspoke_importers.values import ValuesImporter

    return (
        ValuesImporter(),
        CasesImporter(),
        QuarterlyWorkbookImporter(),
        AnnualSummaryImporter(),
        JsonImporter(),
    )
