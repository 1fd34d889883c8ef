"""CaseFlow's codes and labels, as aliases of hubspoke's code lists."""

from __future__ import annotations

from hubspoke.codes import CodeList, code_list

RISK = code_list("risk_level").with_aliases(
    {"high": ["Red"], "medium": ["Amber"], "low": ["Green"], "not_recorded": ["Not assessed"]}
)
# "Prefer not to say" is already an alias of gender "declined" (kept apart from "0",
# not recorded); CaseFlow writes "Non-binary" and "Unknown" too.
GENDER = code_list("gender").with_aliases({"9": ["Non-binary"], "0": ["Unknown"]})
ETHNICITY = code_list("ethnicity").with_aliases({"REFU": ["Prefer not to say"]})
REFERRER = code_list("referral_source").with_aliases(
    {"2A": ["School"], "5A": ["Children's Services"], "6": ["Police"], "1B": ["Parent"]}
)

#: CaseFlow column -> (hubspoke field, code list) for the coded columns.
CODED: dict[str, tuple[str, CodeList]] = {
    "Referred By": ("referral_source", REFERRER),
    "Gender": ("gender", GENDER),
    "Ethnicity": ("ethnicity", ETHNICITY),
    "Risk at Referral": ("risk_at_referral", RISK),
    "Current Risk": ("risk_latest", RISK),
}
