"""The exception hierarchy: one base class, one subclass per kind of failure.

Every error hubspoke raises for bad input is a :class:`HubspokeError`, so a
caller (and the command line) can catch one class and show its message
without a traceback.
"""

from __future__ import annotations


class HubspokeError(Exception):
    """Base class of every error hubspoke raises on purpose."""


class ModelError(HubspokeError, ValueError):
    """A model object was given a value outside its field's rule.

    ``field`` names the field, ``rule`` states the rule broken.
    """

    def __init__(self, cls_name: str, field: str, rule: str, value: object = None) -> None:
        self.cls_name = cls_name
        self.field = field
        self.rule = rule
        self.value = value
        super().__init__(f"{cls_name}.{field}: {rule} (got {value!r})")


class PeriodError(HubspokeError, ValueError):
    """A period label could not be parsed, or is ambiguous."""


class CodeError(HubspokeError, KeyError):
    """A code list or code was asked for that does not exist."""

    def __str__(self) -> str:  # KeyError quotes its message; we do not want that
        return str(self.args[0]) if self.args else ""


class SerializationError(HubspokeError, ValueError):
    """Structuring JSON into model objects failed; ``messages`` carry paths."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


class PluginLoadError(HubspokeError):
    """A plugin failed to load (its entry point raised or returned junk)."""


class PluginContractError(HubspokeError):
    """A plugin broke the importer contract (duplicate name, bad return type...)."""


class FormatDetectionError(HubspokeError):
    """No importer, or more than one equally, claims a file."""


class FileImportError(HubspokeError):
    """A file could not be imported at all (unreadable, wrong format...)."""


class DataValidationError(HubspokeError):
    """Data failed validation with at least one error-severity diagnostic."""


class WorkspaceError(HubspokeError):
    """The workspace could not be opened, migrated or written."""


class RubricError(HubspokeError, ValueError):
    """A scoring rubric is invalid (unknown key, weights not summing to 1...)."""


class PrivacyError(HubspokeError, ValueError):
    """A privacy operation got input it cannot protect (negative counts, bad key...)."""


class ExportError(HubspokeError):
    """A published export could not be written (a missing optional dependency...)."""


class ReportError(HubspokeError, ValueError):
    """The report could not be built from the data given (a missing column...)."""
