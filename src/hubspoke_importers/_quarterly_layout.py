"""The layout of the quarterly return workbook, shared by its reader and its template.

One description of each sheet (title, columns, code lists) drives both
:func:`~hubspoke_importers.quarterly_xlsx.write_template` and the reader, so
the workbook we read is the template we hand out.
"""

from __future__ import annotations

import attrs

from hubspoke.measures import DIMENSIONS


@attrs.frozen(kw_only=True)
class ColumnSpec:
    """A column: header as printed, the key it reads into, its code list, a width, a note."""

    header: str
    key: str
    codes: str | None = None
    width: float = 16
    note: str = ""


@attrs.frozen(kw_only=True)
class SheetSpec:
    """A data sheet: name, title row text, columns, and which keys are dates."""

    name: str
    title: str
    columns: tuple[ColumnSpec, ...]
    dates: frozenset[str] = frozenset()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)


#: Header keys accepted as other names of a column key (after header_key()).
ALIASES: dict[str, str] = {
    "number": "value",
    "count": "value",
    "total": "value",
    "date": "on",
    "session_date": "on",
    "activity_date": "on",
    "activity": "kind",
    "activity_kind": "kind",
    "profession": "audience_profession",
    "audience": "audience_profession",
    "case_reference": "case_id",
    "case_ref": "case_id",
    "case": "case_id",
    "outcome_date": "on",
    "measure_or_instrument": "instrument",
}

#: Row of the header in the template (row 1 is the title, row 2 is a note).
HEADER_ROW = 3

ABOUT_SHEET = "About"
ABOUT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("Service id", "service", "The spoke or hub id given to you by the evaluators, e.g. S07."),
    ("Period", "period", "The financial quarter, e.g. 2015-16 Q1 (April to June 2015)."),
    ("Submitted on", "submitted_on", "The date you send this return, dd/mm/yyyy."),
    ("Resubmission", "replaces_earlier", "yes if this replaces a return already sent, else no."),
)
#: Header keys of the About sheet's field names, to the field they fill.
ABOUT_KEYS: dict[str, str] = {
    "service_id": "service",
    "service": "service",
    "spoke_id": "service",
    "spoke": "service",
    "period": "period",
    "reporting_period": "period",
    "quarter": "period",
    "submitted_on": "submitted_on",
    "submitted": "submitted_on",
    "date_submitted": "submitted_on",
    "resubmission": "replaces_earlier",
    "replaces_earlier": "replaces_earlier",
}

REFERRALS = SheetSpec(
    name="Referrals",
    title="Referrals received and accepted in the quarter",
    columns=(
        ColumnSpec(header="Measure", key="measure", codes="measure", width=26),
        ColumnSpec(header="Referral source", key="referral_source", codes="referral_source"),
        ColumnSpec(header="Risk level", key="risk_level", codes="risk_level"),
        ColumnSpec(header="Gender", key="gender", codes="gender", width=12),
        ColumnSpec(header="Age band", key="age_band", codes="age_band", width=12),
        ColumnSpec(header="Ethnicity", key="ethnicity", codes="ethnicity", width=12),
        ColumnSpec(header="Number", key="value", width=10),
    ),
)
YOUNG_PEOPLE = SheetSpec(
    name="Young people",
    title="Young people supported (one row each; pseudonymous case ids only, no names)",
    columns=(
        ColumnSpec(header="Case id", key="case_id", width=14),
        ColumnSpec(header="Referral date", key="referral_date", width=14),
        ColumnSpec(header="Referral source", key="referral_source", codes="referral_source"),
        ColumnSpec(header="Risk at referral", key="risk_at_referral", codes="risk_level"),
        ColumnSpec(header="Risk latest", key="risk_latest", codes="risk_level"),
        ColumnSpec(header="Gender", key="gender", codes="gender", width=10),
        ColumnSpec(header="Ethnicity", key="ethnicity", codes="ethnicity", width=11),
        ColumnSpec(header="Sexuality", key="sexuality", codes="sexuality", width=14),
        ColumnSpec(header="Age", key="age", width=7),
        ColumnSpec(header="Looked after", key="looked_after", codes="yes_no", width=12),
        ColumnSpec(header="Support type", key="support_type", codes="support_type"),
        ColumnSpec(header="Missing before", key="missing_before", width=14),
        ColumnSpec(header="Missing after", key="missing_after", width=14),
        ColumnSpec(header="Closed on", key="closed_on", width=12),
        ColumnSpec(header="Closure reason", key="closure_reason", codes="closure_reason", width=20),
    ),
    dates=frozenset({"referral_date", "closed_on"}),
)
ACTIVITIES = SheetSpec(
    name="Activities",
    title="Activities: sessions, group work, training and meetings",
    columns=(
        ColumnSpec(header="Date", key="on", width=12),
        ColumnSpec(header="Kind", key="kind", codes="activity_kind", width=24),
        ColumnSpec(
            header="Audience profession", key="audience_profession", codes="profession", width=20
        ),
        ColumnSpec(header="Attendees", key="attendees", width=11),
        ColumnSpec(header="Hours", key="hours", width=9),
    ),
    dates=frozenset({"on"}),
)
OUTCOMES = SheetSpec(
    name="Outcomes",
    title="Outcomes: scores on a measure, or individual goals, per young person",
    columns=(
        ColumnSpec(header="Case id", key="case_id", width=14),
        ColumnSpec(header="Instrument", key="instrument", width=22),
        ColumnSpec(header="Date", key="on", width=12),
        ColumnSpec(header="Score", key="score", width=9),
        ColumnSpec(header="Goal", key="goal", width=30),
        ColumnSpec(header="Goal status", key="goal_status", codes="goal_status", width=13),
    ),
    dates=frozenset({"on"}),
)
DATA_SHEETS: tuple[SheetSpec, ...] = (REFERRALS, YOUNG_PEOPLE, ACTIVITIES, OUTCOMES)

#: Keys each data sheet reads besides its template columns (tolerated extras).
EXTRA_KEYS: dict[str, tuple[str, ...]] = {
    "Referrals": tuple(d for d in DIMENSIONS if d not in REFERRALS.keys),
    "Young people": ("age_band",),
    "Activities": (),
    "Outcomes": ("subject",),
}

INSTRUCTIONS: tuple[str, ...] = (
    "How to fill in this return",
    "",
    "1. On the About sheet, give your service id, the period (e.g. 2015-16 Q1) and the date "
    "you send it.",
    "2. Referrals: one row per figure. Leave a breakdown cell blank for a total; fill one "
    "(e.g. Gender = 2) for a breakdown. Numbers are whole numbers.",
    "3. Young people: one row per young person, identified only by your case id. Never enter "
    "names, dates of birth, addresses, postcodes or emails.",
    "4. Activities: one row per session, training or meeting, with attendees and staff hours.",
    "5. Outcomes: a score on a named instrument, or an individual goal and whether it was met.",
    "6. Dates are day first: dd/mm/yyyy (05/04/2015 is 5 April 2015).",
    "7. Coded columns offer a list; the codes are on the Lists sheet. Common wording "
    "(Female, F, girl) is understood too.",
    "8. Do not rename sheets or column headers; you may add rows, and blank rows are ignored.",
)
