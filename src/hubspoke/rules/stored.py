"""What may be stored: plausibility and personal data, checked on every importer's records.

Built-in importers check each cell as they read it; a plugin may not. So the
pipeline (:func:`hubspoke.validation.validate_file`) checks the records every
importer hands back, after ``load`` and before anything is stored, with the
ceilings of :mod:`hubspoke.limits`:

- ``count-too-large``: a count over :data:`~hubspoke.limits.MAX_COUNT` (an
  aggregate figure of a whole-number measure, attendees, missing episodes) or
  an amount over :data:`~hubspoke.limits.MAX_AMOUNT` (hours, other figures);
- ``date-out-of-window``: a date outside :data:`~hubspoke.limits.DATE_WINDOW`
  (a submission, referral, closure, review, activity or outcome date);
- ``personal-data``: a case id that is an email, postcode, NHS or phone number
  or a name, or an outcome goal or instrument holding personal data.

Each finding is an error: the record is not stored (or, where a format's rows
are not one record each, its whole return), and the value is never repeated.
Records held as frames are checked column-wise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.limits import DATE_WINDOW, EARLIEST_DATE, LATEST_DATE, MAX_AMOUNT, MAX_COUNT
from hubspoke.measures import measures
from hubspoke.model import MonitoringReturn
from hubspoke.privacy.screen import KIND_SHORT, PersonalDataKind, id_kinds, value_kind

if TYPE_CHECKING:
    import pandas as pd

#: ``(return index, kind, record index, field)`` -> where the record was read, if known.
Locate = Callable[[int, str, int, str | None], Location | None]

KINDS = ("values", "cases", "activities", "outcomes")


@attrs.frozen
class Problem:
    """One record that may not be stored: where it is and why (never its value)."""

    k: int
    kind: str
    index: int
    field: str
    code: str
    message: str


def _outside(d: date | None) -> bool:
    return d is not None and not EARLIEST_DATE <= d <= LATEST_DATE


def _date(k: int, kind: str, i: int, field: str, what: str) -> Problem:
    return Problem(k, kind, i, field, "date-out-of-window", f"the {what} is outside {DATE_WINDOW}")


def _personal(k: int, kind: str, i: int, field: str, what: str, found: PersonalDataKind) -> Problem:
    message = (
        f"the {what} looks like {KIND_SHORT[found]}; returns must be pseudonymous, so the "
        "record was not stored"
    )
    return Problem(k, kind, i, field, "personal-data", message)


def object_problems(k: int, ret: MonitoringReturn) -> list[Problem]:
    """Every problem of the records ``ret`` holds as objects, in record order."""
    found: list[Problem] = []
    catalogue = measures()
    for i, v in enumerate(ret.values):
        m = catalogue.get(v.measure)
        ceiling = MAX_COUNT if m is not None and m.whole else MAX_AMOUNT
        if v.value > ceiling:
            found.append(
                Problem(
                    k,
                    "values",
                    i,
                    "value",
                    "count-too-large",
                    f"{v.measure}: a figure over {ceiling:,.0f} is not plausible",
                )
            )
    for i, c in enumerate(ret.cases):
        kinds = id_kinds(c.case_id)
        if kinds:
            found.append(_personal(k, "cases", i, "case_id", "case id", kinds[0]))
        for field, what in (("referral_date", "referral date"), ("closed_on", "closure date")):
            if _outside(getattr(c, field)):
                found.append(_date(k, "cases", i, field, what))
        if any(_outside(r.on) for r in c.reviews):
            found.append(_date(k, "cases", i, "reviews", "risk review date"))
        for field in ("missing_before", "missing_after"):
            n = getattr(c, field)
            if n is not None and n > MAX_COUNT:
                found.append(
                    Problem(
                        k,
                        "cases",
                        i,
                        field,
                        "count-too-large",
                        f"{field}: a count over {MAX_COUNT:,} is not plausible",
                    )
                )
    for i, a in enumerate(ret.activities):
        if a.attendees > MAX_COUNT or a.hours > MAX_AMOUNT:
            found.append(
                Problem(
                    k,
                    "activities",
                    i,
                    "attendees",
                    "count-too-large",
                    "attendees or hours beyond what is plausible",
                )
            )
        if _outside(a.on):
            found.append(_date(k, "activities", i, "on", "activity date"))
    for i, o in enumerate(ret.outcomes):
        kinds = id_kinds(o.case_id)
        if kinds:
            found.append(_personal(k, "outcomes", i, "case_id", "case id", kinds[0]))
        for field, text in (("goal", o.goal), ("instrument", o.instrument)):
            kind = None if text is None else value_kind(text)
            if kind is not None:
                found.append(_personal(k, "outcomes", i, field, f"outcome {field}", kind))
        if _outside(o.on):
            found.append(_date(k, "outcomes", i, "on", "outcome date"))
    return found


def frame_problems(frames: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Problems of case records held as a frame (column-wise; only flagged rows cost Python)."""
    import numpy as np
    import pandas as pd

    from hubspoke.privacy.detect import ids_to_screen

    cases = frames.get("cases")
    if cases is None or cases.empty:
        return []
    index = cases["return_index"].to_numpy(dtype=np.int64)
    position = cases.groupby("return_index", sort=False).cumcount().to_numpy(dtype=np.int64)
    found: list[Problem] = []
    suspects = np.flatnonzero(ids_to_screen(cases["case_id"]).to_numpy(dtype=bool))
    for row in suspects.tolist():
        kinds = id_kinds(str(cases["case_id"].iat[row]))
        if kinds:
            found.append(
                _personal(
                    int(index[row]), "cases", int(position[row]), "case_id", "case id", kinds[0]
                )
            )
    low, high = pd.Timestamp(EARLIEST_DATE), pd.Timestamp(LATEST_DATE)
    for field, what in (("referral_date", "referral date"), ("closed_on", "closure date")):
        days = cases[field]
        bad = ((days < low) | (days > high)).fillna(False).to_numpy(dtype=bool)
        for row in np.flatnonzero(bad).tolist():
            found.append(_date(int(index[row]), "cases", int(position[row]), field, what))
    return found


@attrs.frozen(kw_only=True)
class Screened:
    """What may be stored after :func:`screen`, and what was not."""

    returns: tuple[MonitoringReturn, ...]
    record_frames: dict[str, pd.DataFrame]
    diagnostics: tuple[Diagnostic, ...]
    rows_dropped: int


def screen(
    returns: Sequence[MonitoringReturn],
    record_frames: Mapping[str, pd.DataFrame],
    *,
    file: str,
    paths: Sequence[str],
    locate: Locate | None,
    rows_of_return: Sequence[int],
    one_record_per_row: bool,
) -> Screened:
    """Drop every record (or return) with a problem, with a located error for each.

    ``rows_of_return`` says how many imported rows each return stands for;
    with ``one_record_per_row`` a bad record drops only its own row,
    otherwise its whole return (the rows cannot be told apart).
    """
    import numpy as np

    found = [p for k, r in enumerate(returns) for p in object_problems(k, r)]
    found += frame_problems(record_frames)
    for k, ret in enumerate(returns):
        if _outside(ret.submitted_on):
            found.append(
                Problem(
                    k,
                    "return",
                    -1,
                    "submitted_on",
                    "date-out-of-window",
                    f"the submission date is outside {DATE_WINDOW}",
                )
            )
    if not found:
        return Screened(
            returns=tuple(returns),
            record_frames=dict(record_frames),
            diagnostics=(),
            rows_dropped=0,
        )
    diagnostics = []
    for p in found:
        where = None
        if locate is not None and p.index >= 0:
            where = locate(p.k, p.kind, p.index, p.field)
        path = f"{paths[p.k]}.{p.kind}[{p.index}]" if p.index >= 0 else f"{paths[p.k]}.{p.field}"
        diagnostics.append(
            Diagnostic(
                code=p.code,
                severity=Severity.ERROR,
                message=p.message,
                location=where or Location(file=file, path=path),
            )
        )
    whole = {p.k for p in found if p.index < 0 or not one_record_per_row}
    bad: dict[tuple[int, str], set[int]] = {}
    for p in found:
        if p.k not in whole:
            bad.setdefault((p.k, p.kind), set()).add(p.index)
    dropped = sum(rows_of_return[k] for k in whole)
    dropped += sum(len(v) for v in bad.values())
    kept_returns: list[MonitoringReturn] = []
    new_index: dict[int, int] = {}
    for k, ret in enumerate(returns):
        if k in whole:
            continue
        new_index[k] = len(kept_returns)
        changes = {
            kind: tuple(r for i, r in enumerate(getattr(ret, kind)) if i not in bad[(k, kind)])
            for kind in KINDS
            if (k, kind) in bad and getattr(ret, kind)
        }
        kept_returns.append(attrs.evolve(ret, **changes) if changes else ret)  # type: ignore[arg-type]
    frames: dict[str, pd.DataFrame] = {}
    for kind, frame in record_frames.items():
        index = frame["return_index"].to_numpy(dtype=np.int64)
        position = frame.groupby("return_index", sort=False).cumcount().to_numpy(dtype=np.int64)
        keep = np.array([k in new_index for k in index.tolist()], dtype=bool)
        for (k, bad_kind), rows in bad.items():
            if bad_kind == kind:
                keep &= ~((index == k) & np.isin(position, list(rows)))
        part = frame.loc[keep].reset_index(drop=True)
        part["return_index"] = [new_index[k] for k in part["return_index"].tolist()]
        frames[kind] = part
    return Screened(
        returns=tuple(kept_returns),
        record_frames=frames,
        diagnostics=tuple(diagnostics),
        rows_dropped=dropped,
    )
