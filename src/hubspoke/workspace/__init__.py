"""The workspace: the embedded SQLite store of a programme and its returns.

``Workspace.open(path)`` creates or opens one file holding the programme
structure, the expected-returns register, and every imported return with
its provenance and history. See :mod:`hubspoke.workspace.store` for the
transaction rules and :mod:`hubspoke.workspace.schema` for migrations.
"""

from hubspoke.workspace.outcome import (
    ImportOutcome,
    ImportStatus,
    Replacement,
    SourceFile,
    StoredReturn,
)
from hubspoke.workspace.schema import APPLICATION_ID, MIGRATIONS, schema_version
from hubspoke.workspace.store import FileReportLike, Workspace, dump_content

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "FileReportLike",
    "ImportOutcome",
    "ImportStatus",
    "Replacement",
    "SourceFile",
    "StoredReturn",
    "Workspace",
    "dump_content",
    "schema_version",
]
