"""Building many already-checked model objects quickly: the importers' bulk fast path.

A 1,000,000-row case file gives 1,000,000 :class:`~hubspoke.model.CaseRecord`
objects. Every one of their fields has been checked column-wise before (by
the same rules as the model's validators), so running attrs' ``__init__``
per row would only repeat that work at several microseconds a row.
:func:`unchecked_factory` builds the same objects without it, and
:func:`gc_paused` keeps the cyclic garbage collector from rescanning the
growing heap while they are built. Both are used only by importers, only for
rows that already passed every check the constructor would apply.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import attrs

T = TypeVar("T")

#: The slot attrs adds for ``cache_hash=True`` classes; it must start as None.
_HASH_CACHE_SLOT = "_attrs_cached_hash"
#: The class of ``attrs.Factory(...)`` defaults (computed per instance, so refused).
_FACTORY: type = type(attrs.Factory(list))


def unchecked_factory(cls: type[T], names: Sequence[str]) -> Callable[..., T]:
    """A function ``make(*values)`` returning a ``cls`` whose fields ``names`` hold ``values``.

    ``cls`` must be a slotted attrs class. Fields not in ``names`` get their
    plain default, converted once by the field's converter (a ``Factory``
    default is refused, since each object needs its own). The object is made as
    unpickling makes it (``object.__new__`` and the slots set directly):
    validators, converters and ``__attrs_post_init__`` do NOT run, so the
    caller must pass only values those would accept unchanged and combinations
    the post-init checks accept. The result is equal to, and hashes like, the
    object ``cls(**dict(zip(names, values)))`` would give. Raises ``TypeError``
    for a class or field list this cannot build exactly.
    """
    if not attrs.has(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__} is not a slotted attrs class")
    fields = {a.name: a for a in attrs.fields(cls)}
    unknown = [n for n in names if n not in fields]
    if unknown or len(set(names)) != len(names):
        raise TypeError(f"{cls.__name__}: bad field list {list(names)!r}")
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    body = ["    o = _new(_cls)"]
    params = [f"v{i}" for i in range(len(names))]
    for i, name in enumerate(names):
        namespace[f"_set{i}"] = getattr(cls, name).__set__
        body.append(f"    _set{i}(o, v{i})")
    for j, (name, field) in enumerate(fields.items()):
        if name in names:
            continue
        if field.default is attrs.NOTHING or isinstance(field.default, _FACTORY):
            raise TypeError(f"{cls.__name__}.{name}: needs a value (no plain default)")
        default = field.default
        if isinstance(field.converter, attrs.Converter):
            raise TypeError(f"{cls.__name__}.{name}: needs a value (converter takes context)")
        if field.converter is not None:
            default = field.converter(default)  # as attrs converts a default
        namespace[f"_def{j}"] = default
        namespace[f"_dset{j}"] = getattr(cls, name).__set__
        body.append(f"    _dset{j}(o, _def{j})")
    if _HASH_CACHE_SLOT in getattr(cls, "__slots__", ()):
        namespace["_hset"] = getattr(cls, _HASH_CACHE_SLOT).__set__
        body.append("    _hset(o, None)")
    body.append("    return o")
    # Straight-line code (as attrs itself generates __init__): no loop per field.
    source = f"def make({', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(compile(source, f"<unchecked factory for {cls.__qualname__}>", "exec"), namespace)
    make: Callable[..., T] = namespace["make"]
    make.__doc__ = f"Build a {cls.__name__} from {', '.join(names)} (no checks run)."
    return make


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (reference counting still frees).

    For building many acyclic objects at once: each collection would otherwise
    walk every object built so far. The previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
