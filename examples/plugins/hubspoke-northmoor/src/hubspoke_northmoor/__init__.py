"""hubspoke plugin for Northmoor Young People's Project (a fictional hub).

Northmoor's case-management system ("CaseBook") exports semicolon-separated
files with its own column names and codes; :class:`NorthmoorCasesImporter`
reads them into hubspoke case records. hubspoke finds this module through
the ``northmoor`` entry point in the ``hubspoke.importers`` group and calls
the hook below.
"""

from __future__ import annotations

from collections.abc import Sequence

from hubspoke.plugins import Importer, hookimpl
from hubspoke_northmoor.importer import NorthmoorCasesImporter

__all__ = ["NorthmoorCasesImporter", "hubspoke_register_importers"]


@hookimpl
def hubspoke_register_importers() -> Sequence[Importer]:
    """Northmoor supplies one importer: its CaseBook case export."""
    return [NorthmoorCasesImporter()]
