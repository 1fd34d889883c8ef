"""``hubspoke-values``: the tidy aggregate CSV (one figure per row).

Columns: ``service``, ``period``, ``measure``, ``value`` and zero or more
breakdown columns named by dimension (``gender``, ``ethnicity``,
``age_band``, ``referral_source``, ``risk_level``, ``profession``,
``sexuality``, ``support_type``, ``closure_reason``, ``supervision_kind``).
An optional ``submitted_on`` column dates each return (the latest
submitted is current in a workspace). A blank breakdown cell means "not
broken down by this dimension". Breakdown
text maps through the code lists' aliases, so ``Female`` and ``2`` both work.
See ``docs/formats.md``.
"""

from __future__ import annotations

from pathlib import Path

from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe
from hubspoke_importers._common import VERSION
from hubspoke_importers._text import header_keys

NAME = "hubspoke-values"


class ValuesImporter:
    """Reads the tidy aggregate CSV format ``hubspoke-values``."""

    name: str = NAME
    description: str = (
        "Tidy aggregate CSV: service, period, measure, value, plus optional breakdown "
        "columns named by dimension (gender, risk_level, ...)."
    )
    extensions: tuple[str, ...] = (".csv", ".txt")
    version: str = VERSION

    def sniff(self, probe: Probe) -> float | None:
        """0.9 when the header row has ``measure`` and ``value`` and no ``case_id``."""
        try:
            keys = header_keys(probe)
        except Exception:
            return None
        if {"measure", "value"} <= keys and "case_id" not in keys:
            return 0.9 if {"service", "period"} <= keys else 0.7
        return None

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        """Read ``source`` (see :func:`hubspoke_importers._values_read.load_values`)."""
        from hubspoke_importers._values_read import load_values

        return load_values(source, options)
