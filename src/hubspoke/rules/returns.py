"""Rules applied to a finished :class:`~hubspoke.model.MonitoringReturn`.

Whatever importer produced a return, :func:`check_return` applies the
generic rules to it: ``unknown-measure``, ``breakdown-not-allowed``,
``non-integer-count``, ``breakdown-sum``, ``duplicate-case-id``,
``date-outside-period`` and ``personal-data`` (case ids that are emails or
postcodes). Cell-level rules (codes, numbers, dates as written) belong to
the importer, which sees the raw text; :func:`hubspoke.validation.validate_file`
runs this function on every return an importer gives back, so importers
need not call it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.measures import measures
from hubspoke.model import Activity, CaseRecord, DataValue, MonitoringReturn, OutcomeRecord
from hubspoke.privacy.detect import EMAIL, FULL_POSTCODE, KIND_WORDS, text_kinds
from hubspoke.rules.measure_ids import closest_measure
from hubspoke.rules.totals import check_breakdown_sums

Record = DataValue | CaseRecord | Activity | OutcomeRecord

#: Maps a record of the return to where it was read (None: use the default location).
LocationOf = Callable[[Record], Location | None]


def _uk(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def check_return(
    ret: MonitoringReturn, *, location_of: LocationOf | None = None
) -> list[Diagnostic]:
    """Every generic-rule diagnostic for ``ret``, in record order.

    ``location_of`` lets an importer that knows each record's row give it;
    by default a record is located by the return's source file and a JSON
    path such as ``$.cases[3]``.
    """
    file = ret.provenance.source_file if ret.provenance else None
    paths: dict[int, str] = {}

    def where(rec: Record) -> Location:
        given = location_of(rec) if location_of is not None else None
        if given is not None:
            return given
        if not paths:  # built on the first diagnostic only: most returns have none
            for name in ("values", "cases", "activities", "outcomes"):
                for i, r in enumerate(getattr(ret, name)):
                    paths[id(r)] = f"$.{name}[{i}]"
        return Location(file=file, path=paths.get(id(rec)))

    found: list[Diagnostic] = []
    found += _check_values(ret, where)
    found += check_breakdown_sums(ret, where)
    found += _check_cases(ret, where)
    found += _check_dated(ret, where)
    return found


def _check_values(ret: MonitoringReturn, where: Callable[[Record], Location]) -> list[Diagnostic]:
    catalogue = measures()
    found = []
    for v in ret.values:
        m = catalogue.get(v.measure)
        if m is None:
            close = closest_measure(v.measure)
            found.append(
                Diagnostic(
                    code="unknown-measure",
                    severity=Severity.ERROR,
                    message=f"{v.measure!r} is not a measure in the catalogue",
                    location=where(v),
                    value=v.measure,
                    suggestion=f"did you mean {close!r}?" if close else None,
                )
            )
            continue
        extra = sorted(set(v.dimensions) - m.dimensions)
        if extra:
            found.append(
                Diagnostic(
                    code="breakdown-not-allowed",
                    severity=Severity.ERROR,
                    message=f"measure {m.id!r} cannot be broken down by {', '.join(extra)}",
                    location=where(v),
                    value=", ".join(f"{d}={c}" for d, c in v.breakdown),
                    suggestion=(
                        f"it allows: {', '.join(sorted(m.dimensions))}"
                        if m.dimensions
                        else "it is reported as a total only"
                    ),
                )
            )
        if m.whole and v.value != int(v.value):
            found.append(
                Diagnostic(
                    code="non-integer-count",
                    severity=Severity.ERROR,
                    message=f"{v.value:g} is not a whole number, but {m.id!r} is a count",
                    location=where(v),
                    value=f"{v.value:g}",
                )
            )
    return found


def _check_cases(ret: MonitoringReturn, where: Callable[[Record], Location]) -> list[Diagnostic]:
    found = []
    first: dict[str, CaseRecord] = {}
    for c in ret.cases:
        if c.case_id in first:
            found.append(
                Diagnostic(
                    code="duplicate-case-id",
                    severity=Severity.ERROR,
                    message=f"case id {c.case_id!r} appears more than once "
                    f"(first at {where(first[c.case_id])})",
                    location=where(c),
                    value=c.case_id,
                )
            )
        else:
            first[c.case_id] = c
    identified: list[CaseRecord | OutcomeRecord] = [*ret.cases, *ret.outcomes]
    # One regex scan over all ids (ids hold no newlines); per-id only when it finds something.
    joined = "\n".join(rec.case_id for rec in identified)
    if not (("@" in joined and EMAIL.search(joined)) or FULL_POSTCODE.search(joined)):
        identified = []
    for rec in identified:
        for kind in text_kinds(rec.case_id):
            # A warning: a short reference such as "AB12CD" can look like a postcode.
            found.append(
                Diagnostic(
                    code="personal-data",
                    severity=Severity.WARNING,
                    message=f"a case id looks like {KIND_WORDS[kind]}; case ids must be "
                    "pseudonymous",
                    location=where(rec),
                    suggestion="use the service's own reference number instead",
                )
            )
    return found


def _check_dated(ret: MonitoringReturn, where: Callable[[Record], Location]) -> list[Diagnostic]:
    p = ret.period
    found = []

    def outside(rec: Record, what: str, d: date, problem: str) -> None:
        found.append(
            Diagnostic(
                code="date-outside-period",
                severity=Severity.WARNING,
                message=f"{what} {_uk(d)} is {problem} the period {p.label} "
                f"({_uk(p.start)} to {_uk(p.end)})",
                location=where(rec),
                value=d.isoformat(),
            )
        )

    for c in ret.cases:
        if c.referral_date is not None and c.referral_date > p.end:
            outside(c, "referral date", c.referral_date, "after")
        if c.closed_on is not None and c.closed_on > p.end:
            outside(c, "closure date", c.closed_on, "after")
        if c.closed_on is not None and c.closed_on < p.start:
            outside(c, "closure date", c.closed_on, "before")
    for a in ret.activities:
        if a.on is not None and not p.contains(a.on):
            outside(a, "activity date", a.on, "after" if a.on > p.end else "before")
    for o in ret.outcomes:
        if o.on > p.end:
            outside(o, "outcome date", o.on, "after")
    return found
