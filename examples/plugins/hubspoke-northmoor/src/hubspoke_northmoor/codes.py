"""Northmoor's own codes, as aliases of hubspoke's code lists.

CaseBook records risk as a RAG rating, sex as one letter, and ethnicity,
referrer, support and closure with short codes of its own. Adding them as
aliases (rather than translating first) keeps hubspoke's "did you mean"
suggestions working for mistyped cells.
"""

from __future__ import annotations

from hubspoke.codes import CodeList, code_list

RISK = code_list("risk_level").with_aliases(
    {"high": ["R", "Red"], "medium": ["A", "Amber"], "low": ["G", "Green"], "not_recorded": ["U"]}
)
SEX = code_list("gender").with_aliases({"1": ["M"], "2": ["F"], "9": ["X"], "0": ["U"]})
ETHNICITY = code_list("ethnicity").with_aliases(
    {
        "WBRI": ["W1"],
        "WIRI": ["W2"],
        "WOTH": ["W9"],
        "MWBC": ["M1"],
        "MOTH": ["M9"],
        "APKN": ["A2"],
        "BCRB": ["B1"],
        "BAFR": ["B2"],
        "OOTH": ["O9"],
        "REFU": ["XR"],
        "NOBT": ["XN"],
    }
)
REFERRER = code_list("referral_source").with_aliases(
    {
        "1A": ["SELF"],
        "1B": ["FAM"],
        "2A": ["SCH"],
        "3F": ["HLT"],
        "5A": ["SOC"],
        "6": ["POL"],
        "7": ["YOS"],
        "8": ["VOL"],
    }
)
SUPPORT = code_list("support_type").with_aliases(
    {"one_to_one": ["IND"], "group": ["GRP"], "both": ["MIX"]}
)
CLOSURE = code_list("closure_reason").with_aliases(
    {
        "outcomes_achieved": ["PLN"],
        "disengaged": ["DNE"],
        "moved_away": ["MOV"],
        "transferred": ["TRF"],
        "age_limit": ["AGE"],
        "other": ["OTH"],
    }
)

#: CaseBook column -> (hubspoke field, code list) for the coded columns.
CODED: dict[str, tuple[str, CodeList]] = {
    "Referrer": ("referral_source", REFERRER),
    "Risk Start": ("risk_at_referral", RISK),
    "Risk Now": ("risk_latest", RISK),
    "Sex": ("gender", SEX),
    "Ethnic Group": ("ethnicity", ETHNICITY),
    "Support": ("support_type", SUPPORT),
    "Close Reason": ("closure_reason", CLOSURE),
}
