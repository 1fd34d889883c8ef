"""``hubspoke-cases``: pseudonymous case-level records, one row per young person.

Columns: ``service``, ``case_id`` (required), ``period`` (optional: else
``LoadOptions.period``, else the file is refused with ``missing-column``),
``referral_date``, ``referral_source``, ``risk_at_referral``,
``risk_latest``, ``gender``, ``ethnicity``, ``sexuality``, ``age``,
``age_band``, ``looked_after``, ``support_type``, ``missing_before``,
``missing_after``, ``closed_on``, ``closure_reason`` (optional; an absent
column or blank cell means "not supplied"), ``submitted_on`` (the return's
submission date). Rows are grouped into one return per (service, period). A
file without a column a key outcome needs (``risk_at_referral``...) gets an
``outcome-column-missing`` warning. See ``docs/formats.md``.
"""

from __future__ import annotations

from pathlib import Path

from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe
from hubspoke_importers._common import VERSION
from hubspoke_importers._text import header_keys

NAME = "hubspoke-cases"


class CasesImporter:
    """Reads the case-level CSV format ``hubspoke-cases``."""

    name: str = NAME
    description: str = (
        "Case-level CSV, one row per young person: service, case_id, referral and risk "
        "details, demographics, missing episodes, closure."
    )
    extensions: tuple[str, ...] = (".csv", ".txt")
    version: str = VERSION

    def sniff(self, probe: Probe) -> float | None:
        """0.9 when the header row has ``case_id`` and no ``measure``."""
        try:
            keys = header_keys(probe)
        except Exception:
            return None
        if "case_id" in keys and "measure" not in keys:
            return 0.9 if "service" in keys else 0.6
        return None

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        """Read ``source`` (see :func:`hubspoke_importers._cases_read.load_cases`)."""
        from hubspoke_importers._cases_read import load_cases

        return load_cases(source, options)
