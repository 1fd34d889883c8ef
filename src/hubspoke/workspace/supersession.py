"""What a newly imported return does to the current return for its service and period.

Services often send one quarter in several files: aggregate values in one,
case records in another. So a new return replaces the *kinds of record* it
carries (values, cases, activities, outcomes) and the current return's other
kinds are kept, unless the sender marked it ``replaces_earlier``, in which
case it replaces the whole return. If both carry a submission date and the
new one was submitted earlier than the current one, it is stored as history
and only contributes kinds the current return lacks. Every stored version
stays in the history; nothing is deleted.
"""

from __future__ import annotations

import attrs

from hubspoke.model import MonitoringReturn

#: The kinds of record a return carries, in the order messages name them.
KINDS = ("values", "cases", "activities", "outcomes")


def kinds_of(ret: MonitoringReturn) -> tuple[str, ...]:
    """The kinds of record ``ret`` carries (non-empty collections)."""
    return tuple(k for k in KINDS if getattr(ret, k))


def fill(
    base: MonitoringReturn, donor: MonitoringReturn
) -> tuple[MonitoringReturn, tuple[str, ...]]:
    """``base`` plus ``donor``'s records of every kind ``base`` lacks, and the kinds taken."""
    taken = tuple(k for k in KINDS if not getattr(base, k) and getattr(donor, k))
    if not taken:
        return base, ()
    return attrs.evolve(base, **{k: getattr(donor, k) for k in taken}), taken


@attrs.frozen(kw_only=True)
class Plan:
    """Rows to write for one new return.

    ``current`` becomes the current return (None: the current one stays);
    ``history`` is stored as already superseded (by ``current`` if set, else
    by the return that stays current). ``note`` explains anything beyond a
    plain replacement, for an info diagnostic.
    """

    current: MonitoringReturn | None
    history: MonitoringReturn | None = None
    note: str | None = None

    @property
    def replaces_current(self) -> bool:
        return self.current is not None


def plan(new: MonitoringReturn, current: MonitoringReturn | None, current_source: str = "") -> Plan:
    """Decide how ``new`` is stored against ``current``.

    ``current_source`` names the current return in messages, e.g. "the
    return from 'q1.csv'" or "another return in this file".
    """
    if current is None:
        return Plan(current=new)
    label = f"{new.service_id} {new.period.label}"
    older = (
        new.submitted_on is not None
        and current.submitted_on is not None
        and new.submitted_on < current.submitted_on
    )
    if not older:
        if new.replaces_earlier:
            return Plan(current=new)
        merged, taken = fill(new, current)
        note = None
        if taken:
            note = (
                f"{label}: kept the {_names(taken)} of {current_source}, as this file has "
                "none (mark a return replaces_earlier to replace everything)"
            )
        return Plan(current=merged, note=note)
    merged, taken = fill(current, new)
    when = f"submitted on {new.submitted_on}, before {current_source} ({current.submitted_on})"
    if not taken:
        return Plan(
            current=None,
            history=new,
            note=f"{label}: {when}; kept as history, the later return stays current",
        )
    return Plan(
        current=merged,
        history=new,
        note=(
            f"{label}: {when}; its {_names(taken)} were added to the later return, "
            "which stays current for the rest"
        ),
    )


def _names(kinds: tuple[str, ...]) -> str:
    return " and ".join(kinds) if len(kinds) <= 2 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
