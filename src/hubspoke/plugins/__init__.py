"""The plugin system: hook specifications, the importer contract, the plugin manager."""

from hubspoke.plugins.contract import (
    PROBE_BYTES,
    Importer,
    LoadOptions,
    LoadResult,
    Probe,
    TemplateWriter,
)

__all__ = ["PROBE_BYTES", "Importer", "LoadOptions", "LoadResult", "Probe", "TemplateWriter"]
