"""The programme: everything about its structure in one immutable value.

:meth:`Programme.validate` checks references between objects (a spoke's hub
exists, an arrangement names a known funder...) and returns diagnostics
with JSON paths rather than raising, so all problems are reported at once.
The query methods answer "as of a date" and "during a period" questions
through :mod:`hubspoke.model.dated`, so every caller gets the same answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TypeVar

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.model import _rules as r
from hubspoke.model.dated import in_force_during, in_force_on, overlap_days
from hubspoke.model.structure import (
    ExpectedReturn,
    Funder,
    FundingArrangement,
    HostAgency,
    HostingArrangement,
    Hub,
    Occupancy,
    Phase,
    Post,
    Spoke,
    SupervisionSession,
)
from hubspoke.periods import Period


def _tup(kind: type) -> r.Validator:
    return r.tuple_of(kind)


@attrs.frozen(kw_only=True)
class Programme:
    """A hub-and-spoke programme: funders, phases, hubs, spokes, hosts and arrangements."""

    name: str = attrs.field(validator=r.text)
    phases: tuple[Phase, ...] = attrs.field(default=(), converter=r.to_tuple, validator=_tup(Phase))
    funders: tuple[Funder, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=_tup(Funder)
    )
    hubs: tuple[Hub, ...] = attrs.field(default=(), converter=r.to_tuple, validator=_tup(Hub))
    spokes: tuple[Spoke, ...] = attrs.field(default=(), converter=r.to_tuple, validator=_tup(Spoke))
    hosts: tuple[HostAgency, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=_tup(HostAgency)
    )
    hosting: tuple[HostingArrangement, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=_tup(HostingArrangement)
    )
    funding: tuple[FundingArrangement, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=_tup(FundingArrangement)
    )
    posts: tuple[Post, ...] = attrs.field(default=(), converter=r.to_tuple, validator=_tup(Post))
    occupancies: tuple[Occupancy, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=_tup(Occupancy)
    )
    supervision: tuple[SupervisionSession, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=_tup(SupervisionSession)
    )
    expected_returns: tuple[ExpectedReturn, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=_tup(ExpectedReturn)
    )
    grant_end: date | None = attrs.field(default=None, validator=r.opt_date)
    """End of the programme grant, for outcome 1 (funding secured beyond it)."""

    # -- lookups -----------------------------------------------------------

    def hub(self, hub_id: str) -> Hub:
        """The hub with this id (KeyError naming it if none)."""
        for h in self.hubs:
            if h.id == hub_id:
                return h
        raise KeyError(f"no hub {hub_id!r}")

    def _repr_html_(self) -> str:
        """Hubs, phases and spokes as an HTML table, for notebooks."""
        from hubspoke.notebook import programme_html

        return programme_html(self)

    def spoke(self, spoke_id: str) -> Spoke:
        for s in self.spokes:
            if s.id == spoke_id:
                return s
        raise KeyError(f"no spoke {spoke_id!r}")

    def host(self, host_id: str) -> HostAgency:
        for h in self.hosts:
            if h.id == host_id:
                return h
        raise KeyError(f"no host agency {host_id!r}")

    def funder(self, funder_id: str) -> Funder:
        for f in self.funders:
            if f.id == funder_id:
                return f
        raise KeyError(f"no funder {funder_id!r}")

    def spokes_of(self, hub_id: str) -> tuple[Spoke, ...]:
        return tuple(s for s in self.spokes if s.hub_id == hub_id)

    def phase_of_spoke(self, spoke_id: str) -> int:
        return self.hub(self.spoke(spoke_id).hub_id).phase

    @property
    def service_ids(self) -> frozenset[str]:
        """Ids a return may be for: every spoke and every hub."""
        return frozenset(s.id for s in self.spokes) | frozenset(h.id for h in self.hubs)

    # -- dated questions ---------------------------------------------------

    def hosting_on(self, spoke_id: str, day: date) -> HostingArrangement | None:
        """The hosting arrangement in force for a spoke on a day (latest start wins)."""
        found = [h for h in self.hosting if h.spoke_id == spoke_id and in_force_on(h, day)]
        return max(found, key=lambda h: (h.start, h.id)) if found else None

    def hosting_during(self, spoke_id: str, period: Period) -> tuple[HostingArrangement, ...]:
        """Hosting arrangements in force on any day of ``period``, by start date."""
        found = [h for h in self.hosting if h.spoke_id == spoke_id and in_force_during(h, period)]
        return tuple(sorted(found, key=lambda h: (h.start, h.id)))

    def funding_during(self, spoke_id: str, period: Period) -> tuple[FundingArrangement, ...]:
        """Funding for the spoke in force during ``period``, by start date then id."""
        found = [f for f in self.funding if f.spoke_id == spoke_id and in_force_during(f, period)]
        return tuple(sorted(found, key=lambda f: (f.start, f.id)))

    def posts_of(self, spoke_id: str) -> tuple[Post, ...]:
        return tuple(p for p in self.posts if p.spoke_id == spoke_id)

    def occupancies_of(self, post_id: str) -> tuple[Occupancy, ...]:
        return tuple(
            sorted(
                (o for o in self.occupancies if o.post_id == post_id),
                key=lambda o: (o.start, o.worker_id),
            )
        )

    def post_days(self, spoke_id: str, period: Period) -> tuple[int, int]:
        """``(days the spoke's posts existed, days they were filled)`` in ``period``."""
        existed = filled = 0
        for post in self.posts_of(spoke_id):
            existed += overlap_days(post, period)
            for occ in self.occupancies_of(post.id):
                # occupancy counts only while the post itself exists
                start = max(occ.start, post.start)
                end_candidates = [d for d in (occ.end, post.end) if d is not None]
                end = min(end_candidates) if end_candidates else None
                if end is not None and end < start:
                    continue
                filled += overlap_days(_Span(start, end), period)
        return existed, filled

    def supervision_during(self, spoke_id: str, period: Period) -> tuple[SupervisionSession, ...]:
        post_ids = {p.id for p in self.posts_of(spoke_id)}
        return tuple(
            sorted(
                (s for s in self.supervision if s.post_id in post_ids and period.contains(s.on)),
                key=lambda s: (s.on, s.post_id, s.kind.value),
            )
        )

    def fte_on(self, spoke_id: str, day: date) -> float:
        """Total FTE of the spoke's posts that exist on ``day``."""
        return sum(p.fte for p in self.posts_of(spoke_id) if in_force_on(p, day))

    def expected_for(self, service_id: str) -> tuple[ExpectedReturn, ...]:
        return tuple(e for e in self.expected_returns if e.service_id == service_id)

    # -- cross-object validation ---------------------------------------------

    def validate(self) -> tuple[Diagnostic, ...]:
        """Check references and cross-object rules; return every problem found.

        An empty tuple means the programme is consistent. Locations are JSON
        paths (``$.spokes[3].hub_id``).
        """
        return tuple(_validate(self))


@attrs.frozen
class _Span:
    start: date
    end: date | None


def _diag(
    code: str, message: str, path: str, value: object = None, severity: Severity = Severity.ERROR
) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=severity,
        message=message,
        location=Location(path=path),
        value=None if value is None else str(value),
    )


def _duplicates(items: Iterable[object], key: str, collection: str) -> Iterator[Diagnostic]:
    seen: Counter[object] = Counter()
    for i, item in enumerate(items):
        value = getattr(item, key)
        seen[value] += 1
        if seen[value] == 2:
            yield _diag(
                "duplicate-id",
                f"{collection} {key} {value!r} is used more than once",
                f"$.{collection}[{i}].{key}",
                value,
            )


_Indexed = TypeVar("_Indexed", bound=tuple[int, HostingArrangement | Occupancy])


def _overlapping(items: list[_Indexed]) -> Iterator[tuple[_Indexed, _Indexed]]:
    """``(earlier, later)`` for each item starting before an earlier one ends.

    ``items`` are sorted by start; ``earlier`` is the one reaching furthest so
    far, so an overlap with any earlier item is found, not only with the
    item just before.
    """
    furthest: _Indexed | None = None
    for item in items:
        end = item[1].end
        if furthest is not None:
            reach = furthest[1].end
            if reach is None or item[1].start <= reach:
                yield furthest, item
            if reach is None or (end is not None and end <= reach):
                continue
        furthest = item


def _validate(p: Programme) -> Iterator[Diagnostic]:
    yield from _duplicates(p.phases, "number", "phases")
    yield from _duplicates(p.funders, "id", "funders")
    yield from _duplicates(p.hubs, "id", "hubs")
    yield from _duplicates(p.spokes, "id", "spokes")
    yield from _duplicates(p.hosts, "id", "hosts")
    yield from _duplicates(p.hosting, "id", "hosting")
    yield from _duplicates(p.funding, "id", "funding")
    yield from _duplicates(p.posts, "id", "posts")

    hub_ids = {h.id for h in p.hubs}
    spoke_ids = {s.id for s in p.spokes}
    host_ids = {h.id for h in p.hosts}
    funder_ids = {f.id for f in p.funders}
    post_ids = {x.id for x in p.posts}
    phase_numbers = {ph.number for ph in p.phases}
    overlap = hub_ids & spoke_ids
    for sid in sorted(overlap):
        yield _diag("duplicate-id", f"{sid!r} is both a hub id and a spoke id", "$.spokes", sid)

    for i, h in enumerate(p.hubs):
        if p.phases and h.phase not in phase_numbers:
            yield _diag(
                "unknown-phase",
                f"hub {h.id!r} is in phase {h.phase}, which the programme does not define",
                f"$.hubs[{i}].phase",
                h.phase,
            )
    for i, s in enumerate(p.spokes):
        if s.hub_id not in hub_ids:
            yield _diag(
                "unknown-hub",
                f"spoke {s.id!r} names hub {s.hub_id!r}, which does not exist",
                f"$.spokes[{i}].hub_id",
                s.hub_id,
            )
    for i, ha in enumerate(p.hosting):
        if ha.spoke_id not in spoke_ids:
            yield _diag(
                "unknown-spoke",
                f"hosting {ha.id!r} names unknown spoke {ha.spoke_id!r}",
                f"$.hosting[{i}].spoke_id",
                ha.spoke_id,
            )
        if ha.host_id not in host_ids:
            yield _diag(
                "unknown-host",
                f"hosting {ha.id!r} names unknown host agency {ha.host_id!r}",
                f"$.hosting[{i}].host_id",
                ha.host_id,
            )
    # two hosting arrangements of one spoke must not overlap
    by_spoke: dict[str, list[tuple[int, HostingArrangement]]] = {}
    for i, ha in enumerate(p.hosting):
        by_spoke.setdefault(ha.spoke_id, []).append((i, ha))
    for items in by_spoke.values():
        items.sort(key=lambda t: t[1].start)
        for (_, a), (j, b) in _overlapping(items):
            if a.end is None or b.start <= a.end:
                yield _diag(
                    "overlapping-hosting",
                    f"hosting {b.id!r} starts before hosting {a.id!r} of the same spoke ends",
                    f"$.hosting[{j}].start",
                    b.start,
                )
    for i, f in enumerate(p.funding):
        if f.funder_id not in funder_ids:
            yield _diag(
                "unknown-funder",
                f"funding {f.id!r} names unknown funder {f.funder_id!r}",
                f"$.funding[{i}].funder_id",
                f.funder_id,
            )
        if f.spoke_id is not None and f.spoke_id not in spoke_ids:
            yield _diag(
                "unknown-spoke",
                f"funding {f.id!r} names unknown spoke {f.spoke_id!r}",
                f"$.funding[{i}].spoke_id",
                f.spoke_id,
            )
        if f.hub_id is not None and f.hub_id not in hub_ids:
            yield _diag(
                "unknown-hub",
                f"funding {f.id!r} names unknown hub {f.hub_id!r}",
                f"$.funding[{i}].hub_id",
                f.hub_id,
            )
    for i, post in enumerate(p.posts):
        if post.spoke_id not in spoke_ids:
            yield _diag(
                "unknown-spoke",
                f"post {post.id!r} names unknown spoke {post.spoke_id!r}",
                f"$.posts[{i}].spoke_id",
                post.spoke_id,
            )
    by_post: dict[str, list[tuple[int, Occupancy]]] = {}
    for i, o in enumerate(p.occupancies):
        if o.post_id not in post_ids:
            yield _diag(
                "unknown-post",
                f"occupancy of worker {o.worker_id!r} names unknown post {o.post_id!r}",
                f"$.occupancies[{i}].post_id",
                o.post_id,
            )
        by_post.setdefault(o.post_id, []).append((i, o))
    for occs in by_post.values():
        occs.sort(key=lambda t: t[1].start)
        for (_, prev), (j, nxt) in _overlapping(occs):
            if prev.end is None or nxt.start <= prev.end:
                yield _diag(
                    "overlapping-occupancy",
                    f"worker {nxt.worker_id!r} starts in post "
                    f"{nxt.post_id!r} before worker {prev.worker_id!r} leaves it",
                    f"$.occupancies[{j}].start",
                    nxt.start,
                )
    for i, sv in enumerate(p.supervision):
        if sv.post_id not in post_ids:
            yield _diag(
                "unknown-post",
                f"supervision names unknown post {sv.post_id!r}",
                f"$.supervision[{i}].post_id",
                sv.post_id,
            )
    services = hub_ids | spoke_ids
    seen_expected: set[tuple[str, date, date]] = set()
    for i, e in enumerate(p.expected_returns):
        if e.service_id not in services:
            yield _diag(
                "unknown-service",
                f"expected return names unknown service {e.service_id!r}",
                f"$.expected_returns[{i}].service_id",
                e.service_id,
            )
        key = (e.service_id, e.period.start, e.period.end)
        if key in seen_expected:
            yield _diag(
                "duplicate-expected-return",
                f"return from {e.service_id!r} for {e.period.label} is expected twice",
                f"$.expected_returns[{i}]",
                e.period.label,
            )
        seen_expected.add(key)
