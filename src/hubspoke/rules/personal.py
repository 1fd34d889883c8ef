"""Rule ``personal-data``: returns carry no names, emails, full postcodes or dates of birth.

One error per column and kind, located at the column and its first row,
counting the cells concerned. The personal value itself is never put in the
diagnostic. Importers drop such columns (or, for free-text cells, the
values) unless :attr:`LoadOptions.keep_personal_data` says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import attrs
import pandas as pd

from hubspoke.diagnostics import Diagnostic, Severity
from hubspoke.privacy.detect import (
    KIND_WORDS,
    PersonalDataFinding,
    PersonalDataKind,
    find_personal_data,
)
from hubspoke.rules.place import ColumnPlace

_FIXES: dict[PersonalDataKind, str] = {
    "name": "remove the column; identify young people by the service's case ids",
    "email": "remove the email addresses",
    "postcode": "keep only the postcode district (e.g. 'LS6'), or the local area",
    "date_of_birth": "give the age in years or the age band instead",
}


@attrs.frozen(kw_only=True)
class PersonalDataCheck:
    """Findings, their diagnostics, and the headers of columns holding personal data."""

    findings: tuple[PersonalDataFinding, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(f.column for f in self.findings)


def check_personal_data(
    frame: pd.DataFrame,
    places: Mapping[str, ColumnPlace],
    *,
    reference: date | None = None,
    severity: Severity = Severity.ERROR,
) -> PersonalDataCheck:
    """Find personal data in ``frame`` (columns named by header); ``places`` locates each column."""
    findings = find_personal_data(frame, reference=reference)
    diagnostics = []
    for f in findings:
        place = places[f.column]
        rows = place.row_numbers(frame[f.column]).iloc[list(f.positions[:5])].tolist()
        shown = ", ".join(str(int(r)) for r in rows if not pd.isna(r))
        more = f" and {f.count - 5} more" if f.count > 5 else ""
        diagnostics.append(
            Diagnostic(
                code="personal-data",
                severity=severity,
                message=(
                    f"column {f.column!r} holds {KIND_WORDS[f.kind]} ({f.reason}) in "
                    f"{f.count} of {len(frame)} rows (rows {shown}{more}); returns must be "
                    "pseudonymous, so hubspoke does not store it"
                ),
                location=place.location(int(rows[0]) if rows and not pd.isna(rows[0]) else None),
                suggestion=_FIXES[f.kind],
            )
        )
    return PersonalDataCheck(findings=tuple(findings), diagnostics=tuple(diagnostics))
