"""A workspace file's whole content as plain rows, to compare two states of it."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def dump_content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a workspace file, sorted: for equality checks.

    Opens its own connection (which, like any, first recovers a WAL left by a
    killed writer); used to compare two states of a workspace.
    """
    conn = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"
            )
        ]
        content: dict[str, list[tuple[object, ...]]] = {}
        for table in tables:
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            content[table] = sorted(rows, key=repr)
        content["#user_version"] = [tuple(conn.execute("PRAGMA user_version").fetchone())]
        return content
    finally:
        conn.close()
