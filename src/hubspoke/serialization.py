"""JSON for model objects: a private cattrs converter and human-readable errors.

:func:`make_converter` builds a new :class:`cattrs.Converter` each call (the
shared global converter is never touched) with strict scalar hooks, so a
number never silently becomes a string or a string a boolean. The JSON shape
is: dates ``"2015-04-01"``, date-times ISO 8601 (with the UTC offset when
aware), periods ``{"start", "end", "label"}``, enums by value, breakdowns as
objects ``{"gender": "2", "age_band": "13-15"}``, frozensets as sorted lists.
The module functions share one converter built on first use.

Structuring failures of any depth, including a
:class:`~hubspoke.errors.ModelError` raised by a model class's own validators,
become one :class:`~hubspoke.errors.SerializationError` whose ``messages``
each carry a JSON path: ``$.spokes[3].start: must be a date (got '2015-13-01')``.
Unknown keys are errors too.

Files written by :func:`dumps_programme`, :func:`dumps_return` and
:func:`dumps_returns` carry an envelope ``{"hubspoke": KIND, "version": 1,
KIND: ...}`` so a loader can say clearly when it is given the wrong kind of file.
"""

from __future__ import annotations

import enum
import functools
import importlib
import json
import math
import re
import typing
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from hubspoke.errors import ModelError, SerializationError
from hubspoke.limits import MAX_JSON_DIGITS, excerpt
from hubspoke.model import MonitoringReturn, Programme
from hubspoke.model.records import Breakdown

T = TypeVar("T")

#: The envelope version this module writes and reads.
FORMAT_VERSION = 1

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)


class _InvalidValueError(ValueError):
    """A JSON value of the wrong shape; the message is the rule, shown after the path."""


def _shown(value: object) -> str:
    text = repr(value.isoformat() if isinstance(value, date) else value)
    return text if len(text) <= 60 else text[:57] + "..."


def _invalid(rule: str, value: object) -> _InvalidValueError:
    return _InvalidValueError(f"{rule} (got {_shown(value)})")


# -- strict scalar hooks --------------------------------------------------------------------


def _structure_str(value: object, cls: type) -> str | enum.Enum:
    if issubclass(cls, enum.Enum):  # a StrEnum, dispatched here as a subclass of str
        return _structure_enum(value, cls)
    if not isinstance(value, str):
        raise _invalid("must be a string", value)
    return value


def _structure_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid("must be a whole number", value)
    return value


def _structure_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid("must be a finite number", value)
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float range
        raise _invalid("must be a finite number", value) from None
    if not math.isfinite(number):
        raise _invalid("must be a finite number", value)
    return number


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise _invalid("must be true or false", value)
    return value


def _structure_date(value: object, _: type) -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise _invalid("must be a date", value)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid("must be a date", value) from None


def _structure_datetime(value: object, _: type) -> datetime:
    if not isinstance(value, str):
        raise _invalid("must be an ISO 8601 date-time", value)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise _invalid("must be an ISO 8601 date-time", value) from None


def _structure_enum(value: object, cls: type[enum.Enum]) -> enum.Enum:
    if isinstance(value, cls):
        return value
    for member in cls:
        if member.value == value and type(member.value) is type(value):
            return member
    allowed = ", ".join(str(m.value) for m in cls)
    raise _invalid(f"must be one of: {allowed}", value)


def _unstructure_str(value: str) -> str:
    return str(value.value) if isinstance(value, enum.Enum) else value


def _unstructure_enum(value: enum.Enum) -> Any:
    return value.value


def _structure_breakdown(value: object, _: type) -> Breakdown:
    if not isinstance(value, dict):
        raise _invalid('must be an object of dimension to code, like {"gender": "2"}', value)
    for dim, code in value.items():
        if not isinstance(code, str):
            raise _invalid(f"the {dim!r} code must be a string", code)
    return tuple(sorted(value.items()))


def _unstructure_breakdown(value: Breakdown) -> dict[str, str]:
    return dict(value)


# -- collections: JSON arrays only, element errors keep their index -------------------------


def _is_homogeneous_tuple(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_frozenset(t: Any) -> bool:
    return typing.get_origin(t) is frozenset


def _element_structurer(converter: cattrs.Converter, element: Any) -> Callable[[object], list[Any]]:
    hook = converter.get_structure_hook(element)

    def structure_items(value: object) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise _invalid("must be a list", value)
        items: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                items.append(hook(item, element))
            except Exception as exc:
                exc.add_note(IterableValidationNote(f"@ index {index}", index, element))
                errors.append(exc)
        if errors:
            raise IterableValidationError("While structuring a list", errors, list)
        return items

    return structure_items


def _tuple_hook(converter: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], Any]]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        structure_items = _element_structurer(converter, typing.get_args(t)[0])
        return lambda value, _: tuple(structure_items(value))

    return factory


def _frozenset_hook(converter: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], Any]]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        structure_items = _element_structurer(converter, typing.get_args(t)[0])
        return lambda value, _: frozenset(structure_items(value))

    return factory


def _attrs_hook(converter: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], Any]]:
    """Generated attrs structuring, after checking the JSON value is an object."""

    def factory(cl: Any) -> Callable[[object, Any], Any]:
        generated = make_dict_structure_fn(cl, converter)

        def structure_object(value: object, t: Any) -> Any:
            if not isinstance(value, dict):
                raise _invalid(f"must be an object ({cl.__name__})", value)
            return generated(value, t)

        return structure_object

    return factory


def _unstructure_tuple(converter: cattrs.Converter) -> Callable[[Any], Callable[[Any], Any]]:
    def factory(t: Any) -> Callable[[Any], list[Any]]:
        hook = converter.get_unstructure_hook(typing.get_args(t)[0])
        return lambda value: [hook(v) for v in value]

    return factory


def _unstructure_frozenset(converter: cattrs.Converter) -> Callable[[Any], list[Any]]:
    def unstructure(value: frozenset[Any]) -> list[Any]:
        return sorted((converter.unstructure(v) for v in value), key=str)

    return unstructure


# -- the converter ------------------------------------------------------------------------


def make_converter() -> cattrs.Converter:
    """A new private converter for hubspoke's model classes (detailed validation on).

    Unknown keys are rejected. Plugins may adjust the converter through the
    ``hubspoke_configure_converter`` hook, applied last.
    """
    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)

    # one hook for str and its enum subclasses: dispatch by class sends StrEnums to str's
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(enum.Enum, _structure_enum)
    converter.register_unstructure_hook(str, _unstructure_str)
    converter.register_unstructure_hook(enum.Enum, _unstructure_enum)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(date, _structure_date)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, datetime.isoformat)

    converter.register_structure_hook_factory(attrs.has, _attrs_hook(converter))
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook(converter))
    converter.register_structure_hook_factory(_is_frozenset, _frozenset_hook(converter))
    converter.register_unstructure_hook_factory(
        lambda t: _is_homogeneous_tuple(t) and t != Breakdown, _unstructure_tuple(converter)
    )
    converter.register_unstructure_hook_func(_is_frozenset, _unstructure_frozenset(converter))

    # registered last so it wins over the general tuple hooks
    converter.register_structure_hook_func(lambda t: t == Breakdown, _structure_breakdown)
    converter.register_unstructure_hook_func(lambda t: t == Breakdown, _unstructure_breakdown)

    _apply_plugin_hooks(converter)
    return converter


def _apply_plugin_hooks(converter: cattrs.Converter) -> None:
    """Let plugins adjust ``converter`` (the ``hubspoke_configure_converter`` hook).

    Imported lazily so that serialization works (and stays light) without the
    plugin machinery; a missing registry module means no plugin hooks.
    """
    try:
        registry = importlib.import_module("hubspoke.plugins.registry")
    except ImportError:
        return
    configure: Callable[[cattrs.Converter], None] | None = getattr(
        registry, "configure_converter", None
    )
    if configure is not None:
        configure(converter)


@functools.cache
def _converter() -> cattrs.Converter:
    """The converter the module functions share (built on first use)."""
    return make_converter()


# -- errors with paths ------------------------------------------------------------------------


def _messages(exc: BaseException, path: str) -> list[str]:
    """Flatten a (nested) cattrs error into ``"<json path>: <rule>"`` messages."""
    if isinstance(exc, IterableValidationError):
        found: list[str] = []
        with_notes, without = exc.group_exceptions()
        for sub, inote in with_notes:
            found += _messages(sub, f"{path}[{inote.index!r}]")
        for sub in without:
            found += _messages(sub, path)
        return found
    if isinstance(exc, ClassValidationError):
        found = []
        with_anotes, without = exc.group_exceptions()
        for sub, anote in with_anotes:
            found += _messages(sub, f"{path}.{anote.name}")
        for sub in without:
            found += _messages(sub, path)
        return found
    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = ", ".join(a.name for a in attrs.fields(exc.cl))
        return [
            f"{path}.{key}: unknown key ({exc.cl.__name__} has keys {allowed})"
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, ModelError):
        rule = exc.rule if exc.value is None else f"{exc.rule} (got {_shown(exc.value)})"
        return [f"{path}.{exc.field}: {rule}"]
    if isinstance(exc, KeyError):
        return [f"{path}: required field missing"]
    return [f"{path}: {exc}"]


def _failure(exc: BaseException, path: str) -> SerializationError:
    return SerializationError(_messages(exc, path))


# -- public functions -----------------------------------------------------------------------


def unstructure(obj: object) -> Any:
    """A JSON-ready value (dicts, lists, strings, numbers, booleans, None) for ``obj``."""
    return _converter().unstructure(obj)


def structure(data: object, cls: type[T], *, path: str = "$") -> T:
    """Build a ``cls`` from JSON-ready ``data``; :class:`SerializationError` if it does not fit.

    Every problem is reported, each message starting with its JSON path
    below ``path``.
    """
    try:
        return _converter().structure(data, cls)
    except (
        ClassValidationError,
        IterableValidationError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
    ) as exc:
        raise _failure(exc, path) from exc


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise SerializationError([f"$: the key {key!r} appears twice in one JSON object"])
        result[key] = value
    return result


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise SerializationError(
            [f"$: a number of {len(text):,} digits; hubspoke reads at most {MAX_JSON_DIGITS}"]
        )
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > MAX_JSON_DIGITS + 10:
        raise SerializationError(
            [f"$: a number written with {len(text):,} characters is too long to read"]
        )
    value = float(text)
    if not math.isfinite(value):
        raise SerializationError([f"$: {excerpt(text, 40)} is too large a number to read"])
    return value


def _json_constant(text: str) -> Any:
    raise SerializationError([f"$: {text} is not a number JSON allows"])


_HIGH_SURROGATE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}|\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _no_lone_surrogates(value: Any) -> None:
    """Raise when a string in ``value`` holds a lone surrogate (cannot be stored or printed)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise SerializationError(
                    [
                        "$: a string holds a lone surrogate (\\ud800-\\udfff escape); "
                        "it is not text and cannot be stored"
                    ]
                ) from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def read_json(text: str | bytes) -> Any:
    """JSON ``text`` parsed defensively; :class:`SerializationError` for anything hostile.

    Refused: invalid JSON or UTF-8, a key repeated in one object (the last
    would silently win), nesting too deep for the parser, numbers longer than
    :data:`~hubspoke.limits.MAX_JSON_DIGITS` digits, non-finite numbers
    (``NaN``, ``1e999``) and lone surrogates (``"\\ud800"``).
    """
    try:
        decoded = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    except UnicodeDecodeError as exc:
        raise SerializationError([f"$: not UTF-8 text ({exc.reason})"]) from None
    try:
        doc = json.loads(
            decoded,
            object_pairs_hook=_reject_duplicate_keys,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except json.JSONDecodeError as exc:
        raise SerializationError(
            [f"$: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
        ) from None
    except RecursionError:
        raise SerializationError(["$: JSON nested too deeply to read"]) from None
    if _HIGH_SURROGATE.search(decoded):
        _no_lone_surrogates(doc)
    return doc


def _read_json(text: str | bytes) -> Any:
    return read_json(text)


_LOADERS = {"programme": "loads_programme", "return": "loads_return", "returns": "loads_returns"}


def _open_envelope(text: str | bytes, kind: str) -> Any:
    """The payload of a ``{"hubspoke": kind, "version": 1, kind: ...}`` document."""
    doc = _read_json(text)
    if not isinstance(doc, dict) or "hubspoke" not in doc:
        raise SerializationError(
            [
                f'$: not a hubspoke {kind} file (expected an object with "hubspoke": '
                f'"{kind}", "version": {FORMAT_VERSION} and "{kind}")'
            ]
        )
    found = doc["hubspoke"]
    if found != kind:
        hint = f"; use {_LOADERS[found]}" if isinstance(found, str) and found in _LOADERS else ""
        raise SerializationError([f"$.hubspoke: expected {kind!r}, got {_shown(found)}{hint}"])
    messages: list[str] = []
    version = doc.get("version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        messages.append(
            f"$.version: this hubspoke reads version {FORMAT_VERSION}, got {_shown(version)}"
        )
    if kind not in doc:
        messages.append(f"$.{kind}: required field missing")
    messages += [
        f"$.{key}: unknown key (allowed: hubspoke, version, {kind})"
        for key in sorted(set(doc) - {"hubspoke", "version", kind})
    ]
    if messages:
        raise SerializationError(messages)
    return doc[kind]


def _write_envelope(kind: str, payload: Any, *, indent: int | None = None) -> str:
    doc = {"hubspoke": kind, "version": FORMAT_VERSION, kind: payload}
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, indent=indent)


def dumps_programme(p: Programme) -> str:
    """The programme as indented JSON text (people edit it) in a ``"programme"`` envelope."""
    return _write_envelope("programme", unstructure(p), indent=1)


def loads_programme(text: str | bytes) -> Programme:
    """Read :func:`dumps_programme` output; paths in errors start ``$.programme``."""
    return structure(_open_envelope(text, "programme"), Programme, path="$.programme")


def dumps_return(r: MonitoringReturn) -> str:
    """One monitoring return as compact JSON text in a ``"return"`` envelope."""
    return _write_envelope("return", unstructure(r))


def loads_return(text: str | bytes) -> MonitoringReturn:
    """Read :func:`dumps_return` output; paths in errors start ``$.return``."""
    return structure(_open_envelope(text, "return"), MonitoringReturn, path="$.return")


def dumps_returns(rs: Sequence[MonitoringReturn]) -> str:
    """Several monitoring returns as compact JSON text in a ``"returns"`` envelope.

    Order is kept. Compact because returns can be large: indenting would
    switch :mod:`json` to its pure-Python encoder, several times slower.
    """
    return _write_envelope("returns", [unstructure(r) for r in rs])


def loads_returns(text: str | bytes) -> tuple[MonitoringReturn, ...]:
    """Read :func:`dumps_returns` output; paths in errors start ``$.returns[i]``."""
    return structure(
        _open_envelope(text, "returns"), tuple[MonitoringReturn, ...], path="$.returns"
    )
