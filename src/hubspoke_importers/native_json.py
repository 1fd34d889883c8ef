"""``hubspoke-json``: the native JSON form written by :func:`hubspoke.serialization.dumps_returns`.

A document is ``{"hubspoke": "returns", "version": 1, "returns": [...]}``
(or ``"return"`` with one return). Each return object counts as one row: a
return that does not structure is rejected with one error per problem, each
located by its JSON path (``$.returns[2].cases[0].gender``); the others are
imported. Provenance is replaced by this file's (name, SHA-256, importer).

At the door (:func:`door_checks`), a return that structures is still
rejected, with a finding at each fault's path, when a count is not whole
(for a count measure) or over :data:`~hubspoke.limits.MAX_COUNT`, an amount
is over :data:`~hubspoke.limits.MAX_AMOUNT`, a date is outside
1900-01-01..2100-12-31, the period's label names other dates than its
start and end, a figure (measure and breakdown) is given twice, or a case
id, goal or instrument holds personal data. The JSON itself is read by
:func:`hubspoke.serialization.read_json` (repeated keys, deep nesting, huge
numbers and lone surrogates refused).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.errors import PeriodError, SerializationError
from hubspoke.limits import DATE_WINDOW, MAX_AMOUNT, MAX_COUNT, date_in_window
from hubspoke.measures import measures
from hubspoke.model import MonitoringReturn
from hubspoke.periods import parse_period
from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe
from hubspoke.privacy.screen import (
    KIND_WORDS,
    PersonalDataKind,
    id_kinds,
    text_kinds,
    value_kind,
)
from hubspoke.serialization import loads_return, loads_returns, read_json, structure
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
        doc = read_json(data)
    except SerializationError:
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
                faults = door_checks(ret, path, file)
                if faults:
                    diagnostics.extend(faults)
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


def _fault(file: str, path: str, message: str, code: str, value: str | None = None) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=Severity.ERROR,
        message=message,
        location=Location(file=file, path=path),
        value=value,
    )


def door_checks(ret: MonitoringReturn, path: str, file: str) -> list[Diagnostic]:
    """What makes a structured return implausible or private; each fault located by JSON path.

    Any finding rejects the return: nothing a later command cannot read
    (a count that overflows a total, a date pandas cannot hold) or should not
    hold (personal data) is stored.
    """
    found: list[Diagnostic] = []
    found += _period_faults(ret, path, file)
    found += _value_faults(ret, path, file)
    found += _date_faults(ret, path, file)
    found += _count_faults(ret, path, file)
    found += _private_faults(ret, path, file)
    return found


def _period_faults(ret: MonitoringReturn, path: str, file: str) -> list[Diagnostic]:
    p = ret.period
    try:
        named = parse_period(p.label)
    except PeriodError:
        return []  # a label of the service's own: nothing to compare
    if (named.start, named.end) == (p.start, p.end):
        return []
    return [
        _fault(
            file,
            f"{path}.period",
            f"the label {p.label!r} means {named.start.isoformat()} to {named.end.isoformat()}, "
            f"but the period says {p.start.isoformat()} to {p.end.isoformat()}",
            "period-label",
            value=p.label,
        )
    ]


def _value_faults(ret: MonitoringReturn, path: str, file: str) -> list[Diagnostic]:
    catalogue = measures()
    found: list[Diagnostic] = []
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
    for i, v in enumerate(ret.values):
        where = f"{path}.values[{i}]"
        key = (v.measure, tuple(sorted(v.breakdown)))
        if key in seen:
            found.append(
                _fault(
                    file,
                    where,
                    f"the figure for {v.measure!r}"
                    + (f" by {', '.join(f'{d}={c}' for d, c in key[1])}" if key[1] else "")
                    + f" is given again (first at {path}.values[{seen[key]}]); each figure "
                    "may be given once, or it would be counted twice",
                    "duplicate-figure",
                )
            )
        seen.setdefault(key, i)
        m = catalogue.get(v.measure)
        whole = m is None or m.whole
        if whole and v.value != int(v.value):
            found.append(
                _fault(
                    file,
                    f"{where}.value",
                    f"{v.value:g} is not a whole number, but {v.measure!r} is a count",
                    "non-integer-count",
                    value=f"{v.value:g}",
                )
            )
        ceiling = MAX_COUNT if whole else MAX_AMOUNT
        if v.value > ceiling:
            found.append(_too_large(file, f"{where}.value", v.value, ceiling))
    return found


def _too_large(file: str, path: str, value: float, ceiling: float) -> Diagnostic:
    return _fault(
        file,
        path,
        f"{value:g} is larger than any return can hold (at most {ceiling:,.0f})",
        "count-too-large",
        value=f"{value:g}",
    )


def _count_faults(ret: MonitoringReturn, path: str, file: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for i, c in enumerate(ret.cases):
        for name in ("missing_before", "missing_after"):
            number = getattr(c, name)
            if number is not None and number > MAX_COUNT:
                found.append(_too_large(file, f"{path}.cases[{i}].{name}", number, MAX_COUNT))
    for i, a in enumerate(ret.activities):
        if a.attendees > MAX_COUNT:
            found.append(
                _too_large(file, f"{path}.activities[{i}].attendees", a.attendees, MAX_COUNT)
            )
        if a.hours > MAX_AMOUNT:
            found.append(_too_large(file, f"{path}.activities[{i}].hours", a.hours, MAX_AMOUNT))
    for i, o in enumerate(ret.outcomes):
        if o.score is not None and abs(o.score) > MAX_AMOUNT:
            found.append(_too_large(file, f"{path}.outcomes[{i}].score", o.score, MAX_AMOUNT))
    return found


def _date_faults(ret: MonitoringReturn, path: str, file: str) -> list[Diagnostic]:
    dated: list[tuple[str, date | None]] = [
        (f"{path}.period.start", ret.period.start),
        (f"{path}.period.end", ret.period.end),
        (f"{path}.submitted_on", ret.submitted_on),
    ]
    for i, c in enumerate(ret.cases):
        dated += [
            (f"{path}.cases[{i}].referral_date", c.referral_date),
            (f"{path}.cases[{i}].closed_on", c.closed_on),
        ]
        dated += [(f"{path}.cases[{i}].reviews[{j}].on", r.on) for j, r in enumerate(c.reviews)]
    dated += [(f"{path}.activities[{i}].on", a.on) for i, a in enumerate(ret.activities)]
    dated += [(f"{path}.outcomes[{i}].on", o.on) for i, o in enumerate(ret.outcomes)]
    return [
        _fault(
            file,
            where,
            f"{d.isoformat()} is outside the dates hubspoke accepts ({DATE_WINDOW})",
            "date-unreadable",
            value=d.isoformat(),
        )
        for where, d in dated
        if d is not None and not date_in_window(d)
    ]


def _private_faults(ret: MonitoringReturn, path: str, file: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []

    def private(where: str, what: str, kinds: tuple[PersonalDataKind, ...]) -> None:
        if kinds:
            found.append(
                _fault(
                    file,
                    where,
                    f"the {what} holds {KIND_WORDS[kinds[0]]}; returns must be pseudonymous, "
                    "so the return was not imported",
                    "personal-data",
                )
            )

    for i, c in enumerate(ret.cases):
        private(f"{path}.cases[{i}].case_id", "case id", id_kinds(c.case_id))
    for i, o in enumerate(ret.outcomes):
        where = f"{path}.outcomes[{i}]"
        private(f"{where}.case_id", "case id", id_kinds(o.case_id))
        private(f"{where}.instrument", "instrument", _free_text_kinds(o.instrument))
        if o.goal is not None:
            private(f"{where}.goal", "goal", _free_text_kinds(o.goal))
    return found


def _free_text_kinds(text: str) -> tuple[PersonalDataKind, ...]:
    kinds = text_kinds(text)
    if not kinds and value_kind(text) == "name":
        return ("name",)
    return kinds
