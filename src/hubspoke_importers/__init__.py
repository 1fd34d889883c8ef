"""hubspoke's built-in importers, registered through the ``hubspoke.importers`` entry point.

This package holds hook implementations only; :mod:`hubspoke` never imports it.
"""
