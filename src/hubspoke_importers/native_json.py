"""``hubspoke-json``: the native JSON form written by :func:`hubspoke.serialization.dumps_returns`.

A document is ``{"hubspoke": "returns", "version": 1, "returns": [...]}``
(or ``"return"`` with one return). Each return object counts as one row: a
return that does not structure is rejected with one error per problem, each
located by its JSON path (``$.returns[2].cases[0].gender``); the others are
imported. Provenance is replaced by this file's (name, SHA-256, importer).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.errors import SerializationError
from hubspoke.model import MonitoringReturn
from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe
from hubspoke.serialization import loads_return, loads_returns, structure
from hubspoke_importers._common import VERSION, check_service_id, provenance, read_source

NAME = "hubspoke-json"
_PATH = re.compile(r"^(\$[^:\s]*): ?(.*)$", re.DOTALL)
_ENVELOPE = re.compile(r'"hubspoke"\s*:\s*"returns?"')


def _diagnostic(file: str, message: str, code: str = "json-structure") -> Diagnostic:
    m = _PATH.match(message)
    path, text = (m[1], m[2]) if m else (None, message)
    return Diagnostic(
        code=code,
        severity=Severity.ERROR,
        message=text,
        location=Location(file=file, path=path),
    )


def _items(data: bytes) -> tuple[str, list[Any]] | None:
    """``(kind, raw return objects)`` of a well-formed envelope, or None."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(doc, dict):
        return None
    kind = doc.get("hubspoke")
    if kind == "returns" and isinstance(doc.get("returns"), list):
        return "returns", list(doc["returns"])
    if kind == "return" and "return" in doc:
        return "return", [doc["return"]]
    return None


class JsonImporter:
    """Reads hubspoke's native JSON returns (``hubspoke-json``)."""

    name: str = NAME
    description: str = 'Native JSON: {"hubspoke": "returns", "version": 1, "returns": [...]}.'
    extensions: tuple[str, ...] = (".json",)
    version: str = VERSION

    def sniff(self, probe: Probe) -> float | None:
        """0.95 for a hubspoke ``returns``/``return`` envelope; None for any other content."""
        try:
            text = probe.text().lstrip()
            if text.startswith("{") and _ENVELOPE.search(text[:4096]):
                return 0.95
            return None
        except Exception:
            return None

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        data = read_source(source, options)
        prov = provenance(source, data, NAME)
        file = source.name
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            diag = _diagnostic(file, f"$: not UTF-8 text ({exc.reason})")
            return LoadResult(
                returns=(), diagnostics=(diag,), rows_read=0, rows_imported=0, rows_rejected=0
            )
        shape = _items(data)
        single = shape is not None and shape[0] == "return"
        try:
            whole = (loads_return(text),) if single else loads_returns(text)
            candidates: list[tuple[str, MonitoringReturn | None, list[str]]] = [
                ("$.return" if single else f"$.returns[{i}]", r, []) for i, r in enumerate(whole)
            ]
        except SerializationError as exc:
            if shape is None:  # the envelope itself is wrong: nothing can be read
                diags = tuple(_diagnostic(file, m) for m in exc.messages)
                return LoadResult(
                    returns=(), diagnostics=diags, rows_read=0, rows_imported=0, rows_rejected=0
                )
            kind, raw = shape
            candidates = []
            for i, item in enumerate(raw):
                path = f"$.{kind}[{i}]" if kind == "returns" else "$.return"
                try:
                    candidates.append((path, structure(item, MonitoringReturn, path=path), []))
                except SerializationError as item_exc:
                    candidates.append((path, None, list(item_exc.messages)))
        diagnostics: list[Diagnostic] = []
        returns: list[MonitoringReturn] = []
        for path, ret, messages in candidates:
            if ret is not None:
                problem = check_service_id(ret.service_id, options)
                if problem is not None:
                    diagnostics.append(
                        Diagnostic(
                            code="unknown-service",
                            severity=Severity.ERROR,
                            message=problem[0],
                            location=Location(file=file, path=f"{path}.service_id"),
                            value=ret.service_id,
                            suggestion=problem[1],
                        )
                    )
                    continue
                returns.append(attrs.evolve(ret, provenance=prov))
                continue
            diagnostics.extend(_diagnostic(file, m) for m in messages)
        return LoadResult(
            returns=tuple(returns),
            diagnostics=tuple(diagnostics),
            rows_read=len(candidates),
            rows_imported=len(returns),
            rows_rejected=len(candidates) - len(returns),
        )
