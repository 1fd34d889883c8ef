"""Field validators that raise :class:`~hubspoke.errors.ModelError` naming the field and rule.

Each validator checks one field's own range. Cross-object rules live in
:meth:`hubspoke.model.Programme.validate`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import attrs

from hubspoke.codes import code_list
from hubspoke.errors import ModelError

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def fail(instance: object, attribute: attrs.Attribute[Any], rule: str, value: object) -> None:
    raise ModelError(type(instance).__name__, attribute.name, rule, value)


def text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A non-blank string."""
    if not isinstance(value, str) or not value.strip():
        fail(instance, attribute, "must be a non-blank string", value)


def opt_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        text(instance, attribute, value)


_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def ident(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An identifier: letters, digits, ``_ . : -``, starting alphanumeric, at most 64 chars."""
    if not isinstance(value, str) or not _IDENT.match(value):
        fail(
            instance,
            attribute,
            "must be an identifier (letters, digits, _ . : -; at most 64 characters)",
            value,
        )


def opt_ident(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        ident(instance, attribute, value)


def a_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A :class:`datetime.date` (not a datetime)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        fail(instance, attribute, "must be a date", value)


def opt_date(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        a_date(instance, attribute, value)


def a_bool(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        fail(instance, attribute, "must be true or false", value)


def opt_bool(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        a_bool(instance, attribute, value)


def count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A non-negative whole number."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        fail(instance, attribute, "must be a non-negative whole number", value)


def opt_count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        count(instance, attribute, value)


def amount(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A finite non-negative number."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        fail(instance, attribute, "must be a finite number >= 0", value)


def opt_amount(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        amount(instance, attribute, value)


def opt_number(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """None or any finite number (scores may be negative)."""
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        fail(instance, attribute, "must be a finite number", value)


def between(low: float, high: float, *, low_open: bool = False) -> Validator:
    """A number in ``[low, high]`` (``(low, high]`` when ``low_open``); None passes."""
    bracket = "(" if low_open else "["

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        ok = (
            not isinstance(value, bool)
            and isinstance(value, int | float)
            and math.isfinite(value)
            and (value > low if low_open else value >= low)
            and value <= high
        )
        if not ok:
            fail(instance, attribute, f"must be in {bracket}{low:g}, {high:g}]", value)

    return check


def one_of(enum: type[StrEnum]) -> Validator:
    """A member of ``enum``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, enum):
            allowed = ", ".join(m.value for m in enum)
            fail(instance, attribute, f"must be one of: {allowed}", value)

    return check


def code_in(list_name: str, *, optional: bool = True) -> Validator:
    """A code value of the named code list (None passes when ``optional``)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        cl = code_list(list_name)
        if not isinstance(value, str) or value not in cl:
            shown = ", ".join(cl.values[:12]) + (" ..." if len(cl) > 12 else "")
            fail(instance, attribute, f"must be a {list_name} code ({shown})", value)

    return check


def end_not_before(start_field: str, end_field: str = "end") -> Callable[[Any], None]:
    """A post-init check: ``end_field`` (if set) is not before ``start_field`` (if set)."""

    def check(instance: Any) -> None:
        start = getattr(instance, start_field)
        end = getattr(instance, end_field)
        if start is not None and end is not None and end < start:
            raise ModelError(
                type(instance).__name__,
                end_field,
                f"must not be before {start_field} ({start.isoformat()})",
                end,
            )

    return check


def tuple_of(kind: type) -> Validator:
    """A tuple whose items are all ``kind``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple) or not all(isinstance(v, kind) for v in value):
            fail(instance, attribute, f"must be a tuple of {kind.__name__}", value)

    return check


def to_tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    """Converter: any iterable to a tuple (the item type is checked by a validator)."""
    return tuple(items)


def to_frozenset(items: Iterable[Any]) -> frozenset[Any]:
    """Converter: any iterable to a frozenset (the item type is checked by a validator)."""
    return frozenset(items)
