"""Which records are current for a service and period, given every submission received.

The current return is a function of the *set* of submissions, never of the
order they were imported in:

1. Submissions are put in order of submission date (:func:`order`). A
   submission without a date, or two with the same date, are ordered by
   import; that is the only place import order decides, and the workspace
   warns when it does (``order-decided``).
2. Starting from the last submission marked ``replaces_earlier`` (or the
   first), each later submission is laid over the earlier ones
   (:func:`fold`):

   - **values** are replaced figure by figure: a figure is a measure and its
     breakdown, so a one-row correction replaces that one figure and keeps
     the return's others;
   - **cases, activities, outcomes** are replaced kind by kind: a return that
     carries case records replaces the case records, and keeps the
     activities sent in another file.

Services send one quarter as several files (figures in one, cases in
another) and correct single figures; replacing whole returns would throw
away whichever arrived first. The rule reads only each submission's figure
keys, record counts and dates (:class:`Version`); the workspace copies the
records in SQL. :func:`effect` says what one new submission did, in words
the import prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Literal

import attrs

from hubspoke.model import MonitoringReturn
from hubspoke.periods import Period, period_kind

#: The kinds of record a return carries, in the order messages name them.
KINDS = ("values", "cases", "activities", "outcomes")
#: Kinds replaced as a whole (values are replaced figure by figure).
WHOLE_KINDS = ("cases", "activities", "outcomes")

#: A figure: its measure and its breakdown ((dimension, code) pairs, sorted).
FigureKey = tuple[str, tuple[tuple[str, str], ...]]

#: What a new submission did: nothing earlier (``imported``), replaced all that
#: was current (``superseded``), replaced or added some and kept the rest
#: (``merged``), or nothing of it is current because later submissions
#: carry all it does (``history``: an older resubmission arriving late).
Status = Literal["imported", "superseded", "merged", "history"]


def kinds_of(ret: MonitoringReturn) -> tuple[str, ...]:
    """The kinds of record ``ret`` carries (non-empty collections)."""
    return tuple(k for k in KINDS if getattr(ret, k))


def figure_label(key: FigureKey) -> str:
    """``young_people_group_reached`` or ``referrals_received [gender=2]``."""
    measure, breakdown = key
    if not breakdown:
        return measure
    return f"{measure} [{', '.join(f'{d}={c}' for d, c in breakdown)}]"


@attrs.frozen(kw_only=True)
class Version:
    """One stored submission for a service and period, as the rule sees it.

    ``seq`` is its import order (the stored id); ``figures`` maps each figure
    it carries to its value; ``counts`` holds its number of records of each
    whole kind; ``name`` names it in messages (the file it came from).
    """

    seq: int
    submitted_on: date | None = None
    replaces_earlier: bool = False
    figures: Mapping[FigureKey, float] = attrs.field(factory=dict)
    counts: Mapping[str, int] = attrs.field(factory=dict)
    name: str = ""

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of record it carries."""
        whole = tuple(k for k in WHOLE_KINDS if self.counts.get(k, 0))
        return (("values",) if self.figures else ()) + whole


def order(versions: Iterable[Version]) -> list[Version]:
    """Versions from earliest to latest submitted.

    Dated versions are ordered by date (then import order, for ties); a
    version without a date keeps its place in import order, so among
    undated versions the last imported is the latest.
    """
    by_import = sorted(versions, key=lambda v: v.seq)
    dated = iter(
        sorted(
            (v for v in by_import if v.submitted_on is not None),
            key=lambda v: (v.submitted_on, v.seq),
        )
    )
    return [next(dated) if v.submitted_on is not None else v for v in by_import]


def order_decides(versions: Sequence[Version], new: Version) -> bool:
    """True when import order, not dates, places ``new`` among ``versions``."""
    others = [v for v in versions if v.seq != new.seq]
    if not others:
        return False
    if new.submitted_on is None or any(v.submitted_on is None for v in others):
        return True
    return any(v.submitted_on == new.submitted_on for v in others)


@attrs.frozen(kw_only=True)
class Current:
    """The current records: which version each figure and each whole kind comes from."""

    figures: Mapping[FigureKey, int]
    kinds: Mapping[str, int]
    latest: int | None

    @property
    def contributors(self) -> frozenset[int]:
        return frozenset(self.figures.values()) | frozenset(self.kinds.values())

    def single(self, versions: Mapping[int, Version]) -> int | None:
        """The version that *is* the current return (nothing taken from others), if any."""
        found = self.contributors
        if not found:
            return self.latest
        if len(found) > 1:
            return None
        (seq,) = found
        version = versions[seq]
        whole = all(self.kinds.get(k) == seq for k in version.kinds if k != "values")
        return seq if whole and len(self.figures) == len(version.figures) else None


def fold(versions: Iterable[Version]) -> Current:
    """The current records given every version (see the module's rule)."""
    ordered = order(versions)
    start = max((i for i, v in enumerate(ordered) if v.replaces_earlier), default=0)
    figures: dict[FigureKey, int] = {}
    kinds: dict[str, int] = {}
    for version in ordered[start:]:
        figures |= dict.fromkeys(version.figures, version.seq)
        kinds |= {k: version.seq for k in WHOLE_KINDS if version.counts.get(k, 0)}
    return Current(figures=figures, kinds=kinds, latest=ordered[-1].seq if ordered else None)


@attrs.frozen(kw_only=True)
class Effect:
    """What one new submission did to the current return, for the import's output.

    ``replaced``: earlier figures and kinds now taken from it (figures as
    ``measure: old -> new``); ``added``: its figures and kinds that nothing
    earlier carried; ``kept``: earlier figures and kinds still current beside
    it; ``dropped``: earlier ones no longer current because it replaces
    everything; ``overridden``: its own figures and kinds that later
    submissions carry (all of it, for ``history``).
    """

    status: Status
    label: str
    replaced: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    overridden: tuple[str, ...] = ()
    message: str = ""


def _value(v: float) -> str:
    return f"{v:g}" if v == int(v) else f"{v}"


def _listed(items: Sequence[str], limit: int = 6) -> str:
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def effect(
    label: str,
    new: Version,
    versions: Mapping[int, Version],
    before: Current | None,
    after: Current,
) -> Effect:
    """What ``new`` did, comparing the current records ``before`` and ``after`` it arrived."""
    if before is None or not before.contributors:
        return Effect(status="imported", label=label, message=f"{label}: first return stored")
    seq = new.seq
    replaced: list[str] = []
    added: list[str] = []
    kept: list[str] = []
    dropped: list[str] = []
    overridden: list[str] = []
    for key in sorted(set(before.figures) | set(after.figures)):
        was, now = before.figures.get(key), after.figures.get(key)
        name = figure_label(key)
        if now == seq:
            if was is None:
                added.append(name)
            else:
                old = versions[was].figures[key]
                replaced.append(f"{name}: {_value(old)} -> {_value(new.figures[key])}")
        elif now is not None:
            if key in new.figures:
                overridden.append(name)
            if was is not None:
                kept.append(name)
        elif was is not None:
            dropped.append(name)
    for kind in WHOLE_KINDS:
        was, now = before.kinds.get(kind), after.kinds.get(kind)
        if now == seq:
            (added if was is None else replaced).append(
                f"the {kind}"
                if was is None
                else f"the {kind} ({versions[was].counts[kind]} -> {new.counts[kind]})"
            )
        elif now is not None:
            if new.counts.get(kind, 0):
                overridden.append(f"the {kind}")
            if was is not None:
                kept.append(f"the {kind}")
        elif was is not None:
            dropped.append(f"the {kind}")
    if not replaced and not added and not dropped:
        status: Status = "history"
    elif kept:
        status = "merged"
    else:
        status = "superseded"
    parts: list[str] = []
    older = any(
        (v.submitted_on is not None and new.submitted_on is not None)
        and v.submitted_on > new.submitted_on
        for v in versions.values()
    )
    if status == "history":
        when = f"submitted on {new.submitted_on}, " if new.submitted_on else ""
        parts.append(
            f"{when}stored as history: later submissions carry all it does, so nothing "
            "of it is current"
        )
    else:
        if older and overridden:
            parts.append(f"submitted on {new.submitted_on}, before a later submission")
        if replaced:
            parts.append(f"replaced {_count(len(replaced), 'item')} ({_listed(replaced)})")
        if dropped:
            parts.append(f"replaced everything earlier: no longer current {_listed(dropped)}")
        if added:
            parts.append(f"merged in {_listed(added)}")
        if kept:
            parts.append(f"kept from earlier submissions {_listed(kept)}")
        if overridden:
            parts.append(f"left as history {_listed(overridden)} (a later submission has them)")
    return Effect(
        status=status,
        label=label,
        replaced=tuple(replaced),
        added=tuple(added),
        kept=tuple(kept),
        dropped=tuple(dropped),
        overridden=tuple(overridden),
        message=f"{label}: " + "; ".join(parts),
    )


def overlap_problem(new: Period, held: Period) -> str | None:
    """Why ``new`` may not be stored beside ``held`` (same service), or None when it may.

    Equal dates are a resubmission and disjoint periods are separate returns.
    A standard period inside another (a quarter in its financial year, a month
    in its quarter) counts once by the counting rules. Anything else, such as
    a period one day short of a quarter, or two that only partly overlap,
    would count the shared days twice: an error.
    """
    if new.sort_key == held.sort_key or not new.overlaps(held):
        return None
    nested = new.contains_period(held) or held.contains_period(new)
    if nested and period_kind(new) != "range" and period_kind(held) != "range":
        return None
    how = "lies inside" if nested else "partly overlaps"
    return (
        f"the period {new.label} ({new.start} to {new.end}) {how} the stored period "
        f"{held.label} ({held.start} to {held.end}) of the same service without being a "
        "standard part of it: the shared days would be counted twice. Send a correction "
        "with the same dates as the stored return, or a standard period (a quarter, a year)"
    )
