"""The plugin system: hook specifications, the importer contract, the plugin manager."""

from hubspoke.plugins.contract import (
    PROBE_BYTES,
    Importer,
    LoadOptions,
    LoadResult,
    Probe,
    TemplateWriter,
)
from hubspoke.plugins.hookspecs import hookimpl, hookspec

__all__ = [
    "PROBE_BYTES",
    "Importer",
    "LoadOptions",
    "LoadResult",
    "Probe",
    "TemplateWriter",
    "hookimpl",
    "hookspec",
]
