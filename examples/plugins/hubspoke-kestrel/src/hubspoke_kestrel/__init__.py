"""hubspoke plugin for the Kestrel Project (a fictional hub).

Kestrel's case-management system ("CaseFlow") exports an ``.xlsx`` case
list; :class:`KestrelCaseListImporter` reads it into hubspoke case records,
one return per service and quarter. hubspoke finds this module through the
``kestrel`` entry point in the ``hubspoke.importers`` group.
"""

from __future__ import annotations

from collections.abc import Sequence

from hubspoke.plugins import Importer, hookimpl
from hubspoke_kestrel.importer import KestrelCaseListImporter

__all__ = ["KestrelCaseListImporter", "hubspoke_register_importers"]


@hookimpl
def hubspoke_register_importers() -> Sequence[Importer]:
    """Kestrel supplies one importer: its CaseFlow case list workbook."""
    return [KestrelCaseListImporter()]
