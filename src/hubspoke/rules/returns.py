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

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.measures import measures
from hubspoke.model import Activity, CaseRecord, DataValue, MonitoringReturn, OutcomeRecord
from hubspoke.privacy.detect import (
    EMAIL,
    FULL_POSTCODE,
    KIND_WORDS,
    ids_to_screen,
    may_hold_personal_data,
    text_kinds,
)
from hubspoke.rules.measure_ids import closest_measure
from hubspoke.rules.totals import check_breakdown_sums

if TYPE_CHECKING:
    import pandas as pd

Record = DataValue | CaseRecord | Activity | OutcomeRecord

#: Maps a record of the return to where it was read (None: use the default location).
LocationOf = Callable[[Record], Location | None]
#: Maps ``(kind, index, field)`` of a record in the return to where it was read
#: (field: the record attribute at fault, or None; the answer None: the default).
RecordLocation = Callable[[str, int, str | None], Location | None]


def _uk(d: date) -> str:
    return d.strftime("%d/%m/%Y")


class _Locator:
    """Locations of a return's records: ``location_of``'s answer, else file and JSON path.

    ``at(rec, name, i)`` is for callers that know the record's place in the
    return (no lookup); calling the locator with a record alone finds its
    place by identity, indexing the return on first use only.
    """

    def __init__(
        self,
        ret: MonitoringReturn,
        path: str,
        location_of: LocationOf | None,
        record_location: RecordLocation | None = None,
    ) -> None:
        self._ret = ret
        self._file = ret.provenance.source_file if ret.provenance else None
        self._path = path
        self._location_of = location_of
        self._record_location = record_location
        self._places: dict[int, tuple[str, int]] = {}

    def at(self, rec: Record, name: str, index: int, field: str | None = None) -> Location:
        given = self._location_of(rec) if self._location_of is not None else None
        if given is None and self._record_location is not None:
            given = self._record_location(name, index, field)
        if given is not None:
            return given
        return Location(file=self._file, path=f"{self._path}.{name}[{index}]")

    def __call__(self, rec: Record) -> Location:
        given = self._location_of(rec) if self._location_of is not None else None
        if given is not None:
            return given
        if not self._places:  # built on first use only: most returns have no diagnostic
            for name in ("values", "cases", "activities", "outcomes"):
                for i, r in enumerate(getattr(self._ret, name)):
                    self._places[id(r)] = (name, i)
        place = self._places.get(id(rec))
        if place is None:
            return Location(file=self._file)
        return self.at(rec, *place)


def check_return(
    ret: MonitoringReturn,
    *,
    location_of: LocationOf | None = None,
    path: str = "$",
    record_location: RecordLocation | None = None,
) -> list[Diagnostic]:
    """Every generic-rule diagnostic for ``ret``, in record order.

    ``location_of`` (by record) or ``record_location`` (by kind and index,
    e.g. from :attr:`LoadResult.record_locations`) let a caller that knows
    where each record was read give its spreadsheet row; otherwise a record
    is located by the return's source file and a JSON path under ``path``
    (the return's own path), such as ``$.cases[3]``.
    """
    where = _Locator(ret, path, location_of, record_location)
    found: list[Diagnostic] = []
    found += _check_values(ret, where)
    found += check_breakdown_sums(ret, where)
    found += _check_cases(ret, where)
    found += _check_dated(ret, where)
    return found


def _check_values(ret: MonitoringReturn, where: _Locator) -> list[Diagnostic]:
    catalogue = measures()
    found = []
    for i, v in enumerate(ret.values):
        m = catalogue.get(v.measure)
        if m is None:
            close = closest_measure(v.measure)
            found.append(
                Diagnostic(
                    code="unknown-measure",
                    severity=Severity.ERROR,
                    message=f"{v.measure!r} is not a measure in the catalogue",
                    location=where.at(v, "values", i),
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
                    location=where.at(v, "values", i),
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
                    location=where.at(v, "values", i),
                    value=f"{v.value:g}",
                )
            )
    return found


def _check_cases(ret: MonitoringReturn, where: _Locator) -> list[Diagnostic]:
    found = []
    ids = [c.case_id for c in ret.cases]
    if len(set(ids)) < len(ids):  # the full walk only when some id repeats
        first: dict[str, int] = {}
        for i, c in enumerate(ret.cases):
            if c.case_id not in first:
                first[c.case_id] = i
                continue
            j = first[c.case_id]
            found.append(
                Diagnostic(
                    code="duplicate-case-id",
                    severity=Severity.ERROR,
                    message=f"case id {c.case_id!r} appears more than once "
                    f"(first at {where.at(ret.cases[j], 'cases', j)})",
                    location=where.at(c, "cases", i),
                    value=c.case_id,
                )
            )
    # One scan over all ids (ids hold no newlines); per-id only when it finds something.
    joined = "\n".join([*ids, *(o.case_id for o in ret.outcomes)])
    if not may_hold_personal_data(joined) or not (
        ("@" in joined and EMAIL.search(joined)) or FULL_POSTCODE.search(joined)
    ):
        return found
    identified: list[tuple[str, tuple[CaseRecord | OutcomeRecord, ...]]] = [
        ("cases", ret.cases),
        ("outcomes", ret.outcomes),
    ]
    for name, records in identified:
        for i, rec in enumerate(records):
            for kind in text_kinds(rec.case_id):
                # A warning: a short reference such as "AB12CD" can look like a postcode.
                found.append(
                    Diagnostic(
                        code="personal-data",
                        severity=Severity.WARNING,
                        message=f"a case id looks like {KIND_WORDS[kind]}; case ids must be "
                        "pseudonymous",
                        location=where.at(rec, name, i),
                        suggestion="use the service's own reference number instead",
                    )
                )
    return found


def _check_dated(ret: MonitoringReturn, where: _Locator) -> list[Diagnostic]:
    p = ret.period
    start, end = p.start, p.end
    found = []
    suffix = f" the period {p.label} ({_uk(start)} to {_uk(end)})"
    # Messages and values repeat (many records share a date): each is made once.
    texts: dict[tuple[str, str, date], tuple[str, str]] = {}

    def outside(
        rec: Record, name: str, i: int, what: str, d: date, problem: str, field: str
    ) -> None:
        text = texts.get((what, problem, d))
        if text is None:
            text = texts[(what, problem, d)] = (
                f"{what} {_uk(d)} is {problem}{suffix}",
                d.isoformat(),
            )
        found.append(
            Diagnostic(
                code="date-outside-period",
                severity=Severity.WARNING,
                message=text[0],
                location=where.at(rec, name, i, field),
                value=text[1],
            )
        )

    for i, c in enumerate(ret.cases):
        referral, closed = c.referral_date, c.closed_on
        if referral is not None and referral > end:
            outside(c, "cases", i, "referral date", referral, "after", "referral_date")
        if closed is not None:
            if closed > end:
                outside(c, "cases", i, "closure date", closed, "after", "closed_on")
            elif closed < start:
                outside(c, "cases", i, "closure date", closed, "before", "closed_on")
    for i, a in enumerate(ret.activities):
        if a.on is not None and not p.contains(a.on):
            problem = "after" if a.on > end else "before"
            outside(a, "activities", i, "activity date", a.on, problem, "on")
    for i, o in enumerate(ret.outcomes):
        if o.on > end:
            outside(o, "outcomes", i, "outcome date", o.on, "after", "on")
    return found


def check_case_frame(
    frame: pd.DataFrame,
    returns: Sequence[MonitoringReturn],
    *,
    paths: Sequence[str],
    record_location: Callable[[int, str, int, str | None], Location | None] | None = None,
) -> list[Diagnostic]:
    """:func:`check_return`'s case rules over case records an importer gave as a frame.

    ``frame`` is a record frame of cases (``return_index``, ``case_id``,
    ``referral_date``, ``closed_on``, ...; see
    :mod:`hubspoke.plugins.record_frames`); ``returns`` are the returns its
    ``return_index`` points at; ``paths`` each return's JSON path. The same
    rules and wording as for case records held as objects, column-wise:
    ``duplicate-case-id``, ``personal-data`` (warning) and
    ``date-outside-period`` (warning). Only flagged rows cost Python work.
    """
    import numpy as np
    import pandas as pd

    if frame.empty:
        return []
    index = frame["return_index"].to_numpy(dtype=np.int64)
    position = frame.groupby("return_index", sort=False).cumcount().to_numpy(dtype=np.int64)
    files = [r.provenance.source_file if r.provenance else None for r in returns]

    def where(row: int, field: str | None = None) -> Location:
        k, i = int(index[row]), int(position[row])
        found = record_location(k, "cases", i, field) if record_location is not None else None
        return found or Location(file=files[k], path=f"{paths[k]}.cases[{i}]")

    found: list[tuple[int, Diagnostic]] = []
    ids = frame["case_id"]
    # a repeat of (return, case id), on integer keys: no Python object per row
    codes = np.asarray(pd.factorize(ids, use_na_sentinel=True)[0], dtype=np.int64) + 1
    pair = pd.Series(index * (int(codes.max(initial=0)) + 1) + codes)
    repeated = pair.duplicated(keep="first").to_numpy(dtype=bool)
    if repeated.any():
        keys = pd.Series(list(zip(index.tolist(), ids.astype(str).tolist(), strict=True)))
        first_of = dict(reversed(list(zip(keys.tolist(), range(len(keys)), strict=True))))
        for row in np.flatnonzero(repeated).tolist():
            first = first_of[keys.iat[row]]
            case_id = str(ids.iat[row])
            found.append(
                (
                    row,
                    Diagnostic(
                        code="duplicate-case-id",
                        severity=Severity.ERROR,
                        message=f"case id {case_id!r} appears more than once "
                        f"(first at {where(first)})",
                        location=where(row),
                        value=case_id,
                    ),
                )
            )
    # as for objects: once any id holds an email or a postcode, every id is screened;
    # ids_to_screen is a superset of the ids text_kinds finds anything in
    suspects = np.flatnonzero(ids_to_screen(ids).to_numpy(dtype=bool)).tolist()
    screened = {row: str(ids.iat[row]) for row in suspects}
    if any(("@" in t and EMAIL.search(t)) or FULL_POSTCODE.search(t) for t in screened.values()):
        for row, text in screened.items():
            for kind in text_kinds(text):
                found.append(
                    (
                        row,
                        Diagnostic(
                            code="personal-data",
                            severity=Severity.WARNING,
                            message=f"a case id looks like {KIND_WORDS[kind]}; case ids must be "
                            "pseudonymous",
                            location=where(row),
                            suggestion="use the service's own reference number instead",
                        ),
                    )
                )
    starts = np.array([np.datetime64(r.period.start, "ns") for r in returns])[index]
    ends = np.array([np.datetime64(r.period.end, "ns") for r in returns])[index]
    referral = frame["referral_date"].to_numpy(dtype="datetime64[ns]")
    closed = frame["closed_on"].to_numpy(dtype="datetime64[ns]")
    checks = (
        ("referral date", "referral_date", referral, referral > ends, "after"),
        ("closure date", "closed_on", closed, closed > ends, "after"),
        ("closure date", "closed_on", closed, closed < starts, "before"),
    )
    texts: dict[tuple[str, str, int, int], str] = {}
    dated: list[tuple[int, Diagnostic]] = []
    for what, field, days, bad, problem in checks:
        for row in np.flatnonzero(bad).tolist():
            k = int(index[row])
            day = pd.Timestamp(days[row]).date()
            key = (what, problem, k, day.toordinal())
            if key not in texts:
                p = returns[k].period
                texts[key] = (
                    f"{what} {_uk(day)} is {problem} the period {p.label} "
                    f"({_uk(p.start)} to {_uk(p.end)})"
                )
            dated.append(
                (
                    row,
                    Diagnostic(
                        code="date-outside-period",
                        severity=Severity.WARNING,
                        message=texts[key],
                        location=where(row, field),
                        value=day.isoformat(),
                    ),
                )
            )
    dated.sort(key=lambda pair: pair[0])  # record by record, as for records held as objects
    return [d for _, d in (*found, *dated)]
