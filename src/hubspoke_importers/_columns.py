"""Column-wise checks of a :class:`~hubspoke_importers._csv.Table`, rejecting failing rows.

A :class:`ColumnReader` applies the generic column rules of
:mod:`hubspoke.rules` (codes, numbers, dates, measures, breakdowns, duplicate
ids, personal data) to whole columns, records their diagnostics and marks the
rows they flag as rejected. ``rejected`` is a boolean array over the table's
rows; importers build model objects only for rows that survive every check.
Service ids and period labels are parsed once per distinct text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from hubspoke.codes import normalise
from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.periods import Period
from hubspoke.plugins.contract import LoadOptions
from hubspoke.privacy.detect import KIND_WORDS, find_in_column
from hubspoke.rules import (
    ColumnCheck,
    ColumnPlace,
    check_breakdown_allowed,
    check_codes,
    check_dates,
    check_duplicate_ids,
    check_measures,
    check_numbers,
    check_period_label,
    check_personal_data,
    check_required_columns,
)
from hubspoke_importers._cells import Problem, parse_date
from hubspoke_importers._common import (
    Findings,
    check_service_id,
    closest,
    suggest_text,
)
from hubspoke_importers._csv import PARALLEL_ROWS, Table

ObjectArray = npt.NDArray[np.object_]


def objects(items: Sequence[Any]) -> ObjectArray:
    """A 1-d object array of ``items`` (never unpacking tuples or guessing a dtype)."""
    out: ObjectArray = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


#: Integer codes of a column's cells into its distinct values (as :func:`pandas.factorize`).
Codes = npt.NDArray[np.intp]
#: A column as ``(codes, values)``: codes (any integer type) into its distinct values.
Encoded = tuple[npt.NDArray[np.integer[Any]], "ObjectArray"]


class ColumnReader:
    """Check columns of ``table``, rejecting failing rows into ``findings``.

    Most checks come in two forms: an object array per row (``codes``), and
    the same column kept as :data:`Encoded` codes into its distinct values
    (``codes_encoded``), which bulk readers type per distinct value without
    making the per-row array at all.
    """

    def __init__(self, table: Table, findings: Findings) -> None:
        self.table = table
        self.findings = findings
        self.rejected = np.zeros(len(table.frame), dtype=bool)
        self._rows = pd.Series(table.rows, index=table.frame.index)
        self._distinct: dict[str, tuple[Codes, pd.Index]] = {}

    def distinct_ahead(self, keys: Iterable[str]) -> None:
        """Find the distinct texts of columns ``keys`` now, two columns at a time.

        Each column is then factorised once, when its check asks for it
        (:meth:`factorized`); Arrow's hashing releases the GIL, so a large
        file's columns are done by two threads. A no-op for small tables.
        """
        wanted = [k for k in dict.fromkeys(keys) if self.has(k) and k not in self._distinct]
        if len(wanted) < 2 or self.size < PARALLEL_ROWS:
            return
        from concurrent.futures import ThreadPoolExecutor

        def distinct(key: str) -> tuple[Codes, pd.Index]:
            codes, uniques = pd.factorize(self.cells(key), use_na_sentinel=False)
            return narrow(codes), uniques  # type: ignore[return-value]

        with ThreadPoolExecutor(max_workers=2) as pool:
            self._distinct.update(zip(wanted, pool.map(distinct, wanted), strict=True))

    def factorized(self, key: str) -> tuple[Codes, pd.Index]:
        """Column ``key`` as codes into its distinct texts (missing cells have a code too).

        Taken from :meth:`distinct_ahead` if it found them (once: the entry is
        then dropped, so its memory goes when the caller is done), else made now.
        """
        held = self._distinct.pop(key, None)
        if held is not None:
            return held
        codes, uniques = pd.factorize(self.cells(key), use_na_sentinel=False)
        return codes, uniques

    def _absent(self) -> Encoded:
        """An absent column: every row None."""
        return np.zeros(self.size, dtype=np.int8), objects([None])

    @property
    def size(self) -> int:
        return len(self.table.frame)

    def has(self, key: str) -> bool:
        return key in self.table.columns

    def cells(self, key: str) -> pd.Series:
        return self.table.frame[key]

    def place(self, key: str) -> ColumnPlace:
        column = self.table.columns[key]
        return ColumnPlace(
            file=self.findings.file,
            sheet=self.findings.sheet,
            header=column.header,
            index=column.index,
            rows=self._rows,
        )

    def apply(self, check: ColumnCheck) -> pd.Series:
        """Record ``check``'s diagnostics, reject its bad rows, return its parsed column."""
        self._record(check.diagnostics, check.bad.to_numpy(dtype=bool))
        return check.parsed

    def _record(self, diagnostics: Iterable[Diagnostic], bad: npt.NDArray[np.bool_]) -> None:
        """Record ``diagnostics`` and reject the rows where ``bad`` (a mask over rows) holds."""
        self.findings.diagnostics.extend(diagnostics)
        for position in np.flatnonzero(bad & ~self.rejected):
            self.findings.rejected.add((self.findings.sheet, int(self.table.rows[position])))
        self.rejected |= bad

    def apply_distinct(
        self, key: str, rule: Callable[[pd.Series, ColumnPlace], ColumnCheck]
    ) -> pd.Series:
        """Apply a per-cell ``rule`` to column ``key`` once per distinct text.

        The rule runs on the column's distinct values, its result is spread
        back over the rows, and it runs again on the failing rows alone so
        that their diagnostics carry their own row numbers. Only for rules
        whose verdict on a cell depends on that cell alone.
        """
        codes, parsed, _ = self._apply_distinct(key, rule)
        out = parsed.take(codes)
        out.index = self.cells(key).index
        return out

    def _apply_distinct(
        self, key: str, rule: Callable[[pd.Series, ColumnPlace], ColumnCheck]
    ) -> tuple[Codes, pd.Series, pd.Index]:
        """:meth:`apply_distinct` without spreading: ``(codes, parsed distinct, distinct texts)``.

        Row ``i``'s parsed value is ``parsed.iloc[codes[i]]``.
        """
        cells = self.cells(key)
        codes, uniques = self.factorized(key)
        distinct = pd.Series(uniques, dtype=cells.dtype)
        place = self.place(key)
        on_distinct = rule(distinct, attrs.evolve(place, rows=None))
        bad = on_distinct.bad.to_numpy(dtype=bool)[codes]
        diagnostics: tuple[Diagnostic, ...] = ()
        if bad.any():
            diagnostics = rule(cells[bad], place).diagnostics
        self._record(diagnostics, bad)
        return codes, on_distinct.parsed.reset_index(drop=True), uniques

    def reject(
        self, position: int, code: str, message: str, *, key: str | None = None, **extra: Any
    ) -> None:
        """Reject the row at frame ``position`` with an error diagnostic."""
        self.findings.reject(
            code,
            message,
            row=int(self.table.rows[position]),
            column=self.table.columns[key] if key else None,
            **extra,
        )
        self.rejected[position] = True

    def alive(self) -> npt.NDArray[np.bool_]:
        """True for rows not rejected so far."""
        return ~self.rejected

    # -- checks ------------------------------------------------------------------------

    def required_columns(
        self, required: Iterable[str], *, display: dict[str, str] | None = None
    ) -> bool:
        """True when every required column key is present; else diagnose and reject every row.

        ``display`` maps a key to the header the user knows it by (a template's
        "Number" for ``value``); by default the key itself.
        """
        display = display or {}
        required = list(required)
        headers = [display.get(k, c.header) for k, c in self.table.columns.items()]
        names = [display.get(k, k) for k in required]
        missing = check_required_columns(
            headers,
            names,
            file=self.findings.file,
            sheet=self.findings.sheet,
            header_row=self.table.header_row,
        )
        if not missing:
            return True
        self.findings.diagnostics.extend(missing)
        absent = ", ".join(repr(display.get(k, k)) for k in required if k not in self.table.columns)
        for position in np.flatnonzero(self.alive()):
            self.reject(int(position), "row-rejected", f"row not imported: no column {absent}")
        return False

    def codes(self, key: str, list_name: str) -> ObjectArray:
        """Codes of ``list_name`` from column ``key`` (None where blank or absent)."""
        return spread(self.codes_encoded(key, list_name))

    def codes_encoded(self, key: str, list_name: str) -> Encoded:
        """:meth:`codes`, as :data:`Encoded`."""
        if not self.has(key):
            return self._absent()
        codes, parsed, uniques = self._apply_distinct(
            key, lambda v, p: check_codes(v, list_name, p)
        )
        # Text with no letters or digits ("-", "?") normalises to nothing: the code
        # lists treat it as blank, but the sender wrote something, so say so.
        marks = np.array([bool(str(u).strip()) and not normalise(str(u)) for u in uniques])
        for position in np.flatnonzero(marks.astype(bool)[codes]):
            text = str(uniques[codes[position]])
            self.reject(
                int(position),
                "unknown-code",
                f"{self.table.columns[key].header}: {text!r} is not "
                f"{'an' if list_name[:1] in 'aeiou' else 'a'} {list_name} code",
                key=key,
                value=text,
                suggestion="leave the cell blank if the answer is not known",
            )
        return narrow(codes), _to_objects(parsed)

    def numbers(
        self, key: str, *, whole: bool | pd.Series = True, required: bool = False
    ) -> ObjectArray:
        """Numbers from column ``key`` as floats (None where blank or absent)."""
        if not self.has(key):
            return objects([None] * self.size)
        if isinstance(whole, bool):
            codes, parsed = self._distinct_numbers(key, whole=whole, required=required)
            return _to_objects(parsed)[codes]
        parsed = self.apply(
            check_numbers(self.cells(key), self.place(key), whole=whole, required=required)
        )
        return _to_objects(parsed)

    def _distinct_numbers(
        self, key: str, *, whole: bool, required: bool
    ) -> tuple[Codes, pd.Series]:
        codes, parsed, _ = self._apply_distinct(
            key, lambda v, p: check_numbers(v, p, whole=whole, required=required)
        )
        return codes, parsed

    def counts(self, key: str) -> ObjectArray:
        """Whole non-negative numbers from column ``key`` as ints (None where blank)."""
        return spread(self.counts_encoded(key))

    def counts_encoded(self, key: str) -> Encoded:
        """:meth:`counts`, as :data:`Encoded`."""
        if not self.has(key):
            return self._absent()
        codes, parsed = self._distinct_numbers(key, whole=True, required=False)
        ints = objects([None if v is None else int(v) for v in _to_objects(parsed)])
        return narrow(codes), ints

    def dates(self, key: str) -> ObjectArray:
        """:class:`datetime.date` values from column ``key`` (None where blank or absent)."""
        return spread(self.dates_encoded(key))

    def dates_encoded(self, key: str) -> Encoded:
        """:meth:`dates`, as :data:`Encoded`."""
        if not self.has(key):
            return self._absent()
        codes, parsed, _ = self._apply_distinct(key, lambda v, p: _explained(check_dates(v, p)))
        days = objects([None if pd.isna(u) else pd.Timestamp(u).date() for u in parsed])
        return narrow(codes), days

    def measures(self, key: str) -> pd.Series:
        """Measure ids (string dtype, NA where unknown) from column ``key``."""
        return self.apply(check_measures(self.cells(key), self.place(key)))

    def breakdown_allowed(self, measure_ids: pd.Series, key: str, dimension: str) -> None:
        """Reject rows broken down by ``dimension`` where their measure does not allow it."""
        live = measure_ids.where(pd.Series(self.alive(), index=measure_ids.index))
        self.apply(check_breakdown_allowed(live, self.cells(key), dimension, self.place(key)))

    def duplicate_ids(self, key: str, among: npt.NDArray[np.bool_] | None = None) -> None:
        """Reject second and later rows repeating an id in column ``key``.

        Only surviving rows (and, given ``among``, only rows where it holds) are compared.
        """
        scope = self.alive() if among is None else self.alive() & among
        live = self.cells(key).where(pd.Series(scope, index=self.table.frame.index))
        self.apply(check_duplicate_ids(live, self.place(key)))

    def personal_data(self, keys: Iterable[str], reference: date | None) -> frozenset[str]:
        """Run the personal-data rule on columns ``keys``; the keys of flagged columns.

        Diagnostics are errors but reject no row: the flagged columns' values
        are simply never read or stored.
        """
        keys = [k for k in keys if self.has(k)]
        if not keys:
            return frozenset()
        by_header = {self.table.columns[k].header: k for k in keys}
        frame = pd.DataFrame({h: self.cells(k) for h, k in by_header.items()})
        check = check_personal_data(
            frame, {h: self.place(k) for h, k in by_header.items()}, reference=reference
        )
        self.findings.diagnostics.extend(check.diagnostics)
        return frozenset(by_header[h] for h in check.columns)

    def personal_values(self, key: str) -> None:
        """Reject rows whose cell in column ``key`` holds an email address or full postcode.

        For columns whose values are stored (case ids, free text). The value
        itself is not repeated in the diagnostic.
        """
        if not self.has(key):
            return
        header = self.table.columns[key].header
        for found in find_in_column(header, self.cells(key)):
            if found.kind not in ("email", "postcode"):
                continue
            for position in found.positions:
                self.reject(
                    position,
                    "personal-data",
                    f"{header}: the cell holds {KIND_WORDS[found.kind]}; returns must be "
                    "pseudonymous, so the row was not imported",
                    key=key,
                    suggestion="use the service's own pseudonymous reference instead",
                )

    def services(self, key: str, options: LoadOptions) -> ObjectArray:
        """Service ids from column ``key`` (or ``options.service_id`` when absent), checked."""
        return spread(self.services_encoded(key, options))

    def services_encoded(self, key: str, options: LoadOptions) -> Encoded:
        """:meth:`services`, as :data:`Encoded`."""
        if not self.has(key):
            return np.zeros(self.size, dtype=np.int8), objects([options.service_id])

        def check(text: str) -> Problem | None:
            if not text:
                return Problem(code="missing-value", message="the service id is blank")
            if options.service_id is not None and text != options.service_id:
                return Problem(
                    code="unknown-service",
                    message=f"service {text!r} differs from the service being imported "
                    f"({options.service_id!r})",
                )
            found = check_service_id(text, options)
            if found is None:
                return None
            code = "unknown-service" if options.programme is not None else "invalid-service-id"
            return Problem(code=code, message=found[0], suggestion=found[1])

        return self._per_distinct_encoded(key, check, lambda text: text)

    def periods(self, key: str, options: LoadOptions) -> ObjectArray:
        """Periods from column ``key`` (or ``options.period`` when absent), parsed once each."""
        return spread(self.periods_encoded(key, options))

    def periods_encoded(self, key: str, options: LoadOptions) -> Encoded:
        """:meth:`periods`, as :data:`Encoded`."""
        if not self.has(key):
            return np.zeros(self.size, dtype=np.int8), objects([options.period])
        parsed: dict[str, Period] = {}

        def check(text: str) -> Problem | None:
            if not text:
                return Problem(
                    code="missing-value",
                    message="the period is blank",
                    suggestion="write e.g. 2015-16 Q1",
                )
            period, problem = check_period_label(text, Location())
            if period is not None:
                parsed[text] = period
                return None
            assert problem is not None
            return Problem(
                code="period-label", message=problem.message, suggestion=problem.suggestion
            )

        return self._per_distinct_encoded(key, check, lambda text: parsed[text])

    def parse(self, key: str, parse: Callable[[str], object]) -> ObjectArray:
        """Parse column ``key`` with ``parse`` (value, None or :class:`Problem`) per distinct text.

        Rows whose cell gives a :class:`Problem` are rejected with its code,
        message and suggestion; an absent column gives all None.
        """
        return spread(self.parse_encoded(key, parse))

    def parse_encoded(self, key: str, parse: Callable[[str], object]) -> Encoded:
        """:meth:`parse`, as :data:`Encoded`."""
        if not self.has(key):
            return self._absent()
        header = self.table.columns[key].header
        results: dict[str, object] = {}

        def check(text: str) -> Problem | None:
            result = parse(text)
            if isinstance(result, Problem):
                return attrs.evolve(result, message=f"{header}: {result.message}")
            results[text] = result
            return None

        return self._per_distinct_encoded(key, check, lambda text: results[text])

    def _per_distinct_encoded(
        self,
        key: str,
        check: Callable[[str], Problem | None],
        value: Callable[[str], object],
    ) -> Encoded:
        codes, uniques = self.factorized(key)
        texts = [str(u) for u in uniques]
        problems = [check(t) for t in texts]
        values = objects(
            [None if p is not None else value(t) for t, p in zip(texts, problems, strict=True)]
        )
        bad = np.array([p is not None for p in problems], dtype=bool)
        for position in np.flatnonzero(bad[codes]):
            found = problems[codes[position]]
            assert found is not None
            self.reject(
                int(position),
                found.code,
                found.message,
                key=key,
                value=None if found.private else texts[codes[position]],
                suggestion=found.suggestion,
            )
        return narrow(codes), values


def narrow(codes: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.integer[Any]]:
    """``codes`` in the narrowest integer type that holds them (a million codes in 2 MB)."""
    top = int(codes.max(initial=0))
    kind = np.int16 if top < 2**15 else np.int32 if top < 2**31 else np.int64
    found: npt.NDArray[np.integer[Any]] = codes.astype(kind, copy=False)
    return found


def spread(encoded: Encoded) -> ObjectArray:
    """An :data:`Encoded` column as one value per row."""
    codes, values = encoded
    found: ObjectArray = values[codes] if len(values) else objects([None] * len(codes))
    return found


def _explained(check: ColumnCheck) -> ColumnCheck:
    """``check`` with each unreadable date's message saying why (month-first, no such day...)."""
    reasons: dict[str, Problem | None] = {}
    out = []
    for d in check.diagnostics:
        if d.code == "date-unreadable" and d.value is not None:
            if d.value not in reasons:
                found = parse_date(d.value)
                reasons[d.value] = found if isinstance(found, Problem) else None
            why = reasons[d.value]
            if why is not None:
                d = attrs.evolve(
                    d,
                    message=f"{d.value!r} is not a date: {why.message}",
                    suggestion=why.suggestion or d.suggestion,
                )
        out.append(d)
    return attrs.evolve(check, diagnostics=tuple(out))


def _to_objects(parsed: pd.Series) -> ObjectArray:
    """A parsed column as an object array with None for missing values."""
    out: ObjectArray = np.array(parsed.astype(object).to_numpy(), dtype=object, copy=True)
    out[pd.isna(parsed).to_numpy()] = None
    return out


def report_columns(
    table: Table, findings: Findings, known: Iterable[str], ignore: Iterable[str] = ()
) -> None:
    """Warn about each column the format does not read (not listed in ``known``).

    Columns in ``ignore`` (already reported, e.g. as personal data) are skipped.
    """
    known_set = set(known)
    skip = set(ignore)
    for key, column in table.columns.items():
        if key in known_set or key in skip:
            continue
        findings.note(
            "unknown-column",
            Severity.WARNING,
            f"column {column.header!r} is not part of this format; its values were not read",
            row=1,
            column=column,
            suggestion=suggest_text(closest(key, known_set, cutoff=0.75)),
        )
