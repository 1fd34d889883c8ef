"""What a newly imported return does to the current return for its service and period.

Services often send one quarter in several files: aggregate values in one,
case records in another. So a new return replaces the *kinds of record* it
carries (values, cases, activities, outcomes) and the current return's other
kinds are kept, unless the sender marked it ``replaces_earlier``, in which
case it replaces the whole return. If both carry a submission date and the
new one was submitted earlier than the current one, it is stored as history
and only contributes kinds the current return lacks. Every stored version
stays in the history; nothing is deleted.

The rule reads only each return's kinds and dates (:class:`Submission`), so
the workspace applies it without reading any record: the records of a merged
return are copied in SQL from the returns :attr:`Plan.current` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

import attrs

from hubspoke.model import MonitoringReturn

#: The kinds of record a return carries, in the order messages name them.
KINDS = ("values", "cases", "activities", "outcomes")

Source = Literal["new", "current"]


def kinds_of(ret: MonitoringReturn) -> tuple[str, ...]:
    """The kinds of record ``ret`` carries (non-empty collections)."""
    return tuple(k for k in KINDS if getattr(ret, k))


@attrs.frozen(kw_only=True)
class Submission:
    """What supersession needs of a return: who and when, its kinds, the sender's mark."""

    label: str
    kinds: tuple[str, ...]
    submitted_on: date | None = None
    replaces_earlier: bool = False

    @classmethod
    def of(cls, ret: MonitoringReturn) -> Submission:
        return cls(
            label=f"{ret.service_id} {ret.period.label}",
            kinds=kinds_of(ret),
            submitted_on=ret.submitted_on,
            replaces_earlier=ret.replaces_earlier,
        )


@attrs.frozen(kw_only=True)
class Plan:
    """Rows to write for one new return.

    ``current`` maps each kind the new current return holds to the return its
    records come from (``"new"`` or ``"current"``); None means the current
    return stays as it is. ``history`` is True when the new return is stored
    as already superseded (by the new current return if there is one, else by
    the return that stays current). ``note`` explains anything beyond a plain
    replacement, for an info diagnostic.
    """

    current: Mapping[str, Source] | None
    history: bool = False
    note: str | None = None

    @property
    def replaces_current(self) -> bool:
        return self.current is not None


def _from(
    base: Submission, base_is: Source, donor: Submission
) -> tuple[dict[str, Source], tuple[str, ...]]:
    """``base``'s kinds, plus ``donor``'s kinds that ``base`` lacks (and those kinds)."""
    other: Source = "current" if base_is == "new" else "new"
    sources: dict[str, Source] = dict.fromkeys(base.kinds, base_is)
    taken = tuple(k for k in KINDS if k not in base.kinds and k in donor.kinds)
    sources |= dict.fromkeys(taken, other)
    return {k: sources[k] for k in KINDS if k in sources}, taken


def plan(new: Submission, current: Submission | None, current_source: str = "") -> Plan:
    """Decide how ``new`` is stored against ``current``.

    ``current_source`` names the current return in messages, e.g. "the
    return from 'q1.csv'" or "another return in this file".
    """
    if current is None:
        return Plan(current=dict.fromkeys(new.kinds, "new"))
    older = (
        new.submitted_on is not None
        and current.submitted_on is not None
        and new.submitted_on < current.submitted_on
    )
    if not older:
        if new.replaces_earlier:
            return Plan(current=dict.fromkeys(new.kinds, "new"))
        sources, taken = _from(new, "new", current)
        note = None
        if taken:
            note = (
                f"{new.label}: kept the {_names(taken)} of {current_source}, as this file has "
                "none (mark a return replaces_earlier to replace everything)"
            )
        return Plan(current=sources, note=note)
    sources, taken = _from(current, "current", new)
    when = f"submitted on {new.submitted_on}, before {current_source} ({current.submitted_on})"
    if not taken:
        return Plan(
            current=None,
            history=True,
            note=f"{new.label}: {when}; kept as history, the later return stays current",
        )
    return Plan(
        current=sources,
        history=True,
        note=(
            f"{new.label}: {when}; its {_names(taken)} were added to the later return, "
            "which stays current for the rest"
        ),
    )


def _names(kinds: tuple[str, ...]) -> str:
    return " and ".join(kinds) if len(kinds) <= 2 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
