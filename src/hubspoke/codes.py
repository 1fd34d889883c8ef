"""Code lists: the vocabularies that returns are mapped to.

Each :class:`CodeList` holds :class:`Code` values with a label and aliases.
:func:`map_value` turns free text ("Female", "F", "girl") into a code, or an
:class:`Unmapped` result that keeps the original text and, where one is
close, a suggestion. Mapping never raises on text and never maps a value it
does not know. "Declined" and "not recorded" are different codes with
different :attr:`Code.status`, so completeness can report them apart.

Where the Department for Education children-in-need (CIN) census has a code
list, its codes are used (gender, ethnicity, referral source).

This module does not import pandas at import time; :func:`map_series`
imports it when called.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

import attrs

from hubspoke.errors import CodeError

if TYPE_CHECKING:
    import pandas as pd

CodeStatus = Literal["known", "declined", "not_recorded"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Return the matching key of ``text``: case-folded, punctuation to spaces, trimmed."""
    return _NON_ALNUM.sub(" ", text.casefold()).strip()


@attrs.frozen(kw_only=True)
class Code:
    """One code: its stored ``value``, a human ``label``, ``aliases`` and a ``status``."""

    value: str = attrs.field(validator=attrs.validators.min_len(1))
    label: str
    aliases: tuple[str, ...] = ()
    status: CodeStatus = "known"


@attrs.frozen(kw_only=True)
class Mapped:
    """A successful mapping of ``original`` text to ``code`` in list ``code_list``."""

    code: str
    original: str
    code_list: str

    @property
    def ok(self) -> Literal[True]:
        return True


@attrs.frozen(kw_only=True)
class Unmapped:
    """Text that matched no code; ``suggestion`` is the closest code value, if any."""

    original: str
    code_list: str
    suggestion: str | None = None

    @property
    def ok(self) -> Literal[False]:
        return False


MappingResult = Mapped | Unmapped


@attrs.frozen(kw_only=True)
class CodeList:
    """A named vocabulary. ``source`` says where the codes come from."""

    name: str
    label: str
    source: str
    codes: tuple[Code, ...]
    _lookup: Mapping[str, str] = attrs.field(init=False, repr=False, eq=False, hash=False)

    @_lookup.default
    def _build_lookup(self) -> Mapping[str, str]:
        table: dict[str, str] = {}
        for code in self.codes:
            for text in (code.value, code.label, *code.aliases):
                key = normalise(text)
                if not key:
                    continue
                other = table.get(key)
                if other is not None and other != code.value:
                    raise CodeError(
                        f"code list {self.name!r}: alias {text!r} maps to both "
                        f"{other!r} and {code.value!r}"
                    )
                table[key] = code.value
        return table

    def __contains__(self, value: object) -> bool:
        return any(c.value == value for c in self.codes)

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def values(self) -> tuple[str, ...]:
        """Code values in list order."""
        return tuple(c.value for c in self.codes)

    @property
    def lookup(self) -> Mapping[str, str]:
        """Normalised alias -> code value (read-only view)."""
        return self._lookup

    def get(self, value: str) -> Code:
        """Return the code with this exact ``value``; :class:`CodeError` if none."""
        for code in self.codes:
            if code.value == value:
                return code
        raise CodeError(
            f"{value!r} is not a code in {self.name!r}; codes: {', '.join(self.values)}"
        )

    def label_of(self, value: str) -> str:
        return self.get(value).label

    def status_of(self, value: str) -> CodeStatus:
        return self.get(value).status

    def map(self, text: str) -> MappingResult:
        """Map free text to a code; see :func:`map_value`."""
        key = normalise(text)
        found = self._lookup.get(key)
        if found is not None:
            return Mapped(code=found, original=text, code_list=self.name)
        return Unmapped(original=text, code_list=self.name, suggestion=self.suggest(text))

    def suggest(self, text: str) -> str | None:
        """The code whose value, label or alias is closest to ``text``, or None."""
        key = normalise(text)
        if not key:
            return None
        close = difflib.get_close_matches(key, list(self._lookup), n=1, cutoff=0.75)
        return self._lookup[close[0]] if close else None

    def with_aliases(self, extra: Mapping[str, Iterable[str]]) -> CodeList:
        """A copy with more aliases, ``{code value: [alias, ...]}`` (unknown values raise)."""
        unknown = set(extra) - set(self.values)
        if unknown:
            raise CodeError(f"code list {self.name!r} has no codes {sorted(unknown)}")
        codes = tuple(
            attrs.evolve(c, aliases=(*c.aliases, *extra.get(c.value, ()))) for c in self.codes
        )
        return attrs.evolve(self, codes=codes)


def _c(value: str, label: str, *aliases: str, status: CodeStatus = "known") -> Code:
    return Code(value=value, label=label, aliases=aliases, status=status)


# ---------------------------------------------------------------------------
# Enumerations used by the programme structure (typed, checked by mypy).


class HostKind(StrEnum):
    POLICE = "police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    MULTI_AGENCY_TEAM = "multi_agency_team"
    HEALTH = "health"
    EDUCATION = "education"
    YOUTH_JUSTICE = "youth_justice"
    VOLUNTARY_ORGANISATION = "voluntary_organisation"
    OTHER = "other"


class FunderKind(StrEnum):
    CHARITABLE_TRUST = "charitable_trust"
    LOTTERY = "lottery"
    STATUTORY_COMMISSIONER = "statutory_commissioner"
    POLICE_AND_CRIME_COMMISSIONER = "police_and_crime_commissioner"
    HEALTH_COMMISSIONER = "health_commissioner"
    OTHER = "other"


class FundingSourceKind(StrEnum):
    INDEPENDENT_CHARITABLE = "independent_charitable"
    LOTTERY = "lottery"
    HUB_RESERVES = "hub_reserves"
    STATUTORY_CONTRACT = "statutory_contract"
    STATUTORY_GRANT = "statutory_grant"
    MIXED = "mixed"

    @property
    def independent(self) -> bool:
        """True for charitable, lottery and reserves money (INDICATORS.md, independence).

        Mixed money is not counted as independent: a caller that knows the
        independent part should record it as a separate arrangement.
        """
        return self in {
            FundingSourceKind.INDEPENDENT_CHARITABLE,
            FundingSourceKind.LOTTERY,
            FundingSourceKind.HUB_RESERVES,
        }


class FundingCondition(StrEnum):
    REFERRAL_MANDATE = "referral_mandate"
    TIME_LIMITED_WORK = "time_limited_work"
    RISK_LEVEL_RESTRICTION = "risk_level_restriction"


class LineManagement(StrEnum):
    HUB = "hub"
    SHARED = "shared"
    HOST = "host"


class PlacementType(StrEnum):
    NEW_LOCAL_AUTHORITY = "new_local_authority"
    NEW_AREA_IN_HUB_AUTHORITY = "new_area_in_hub_authority"


class PostRole(StrEnum):
    SPOKE_WORKER = "spoke_worker"
    SPOKE_MANAGER = "spoke_manager"


class Qualification(StrEnum):
    SOCIAL_WORK = "social_work"
    YOUTH_WORK = "youth_work"
    OTHER = "other"
    NONE = "none"


class SupervisionKind(StrEnum):
    CLINICAL = "clinical"
    MANAGERIAL = "managerial"
    HUB_VISIT = "hub_visit"


class ActivityKind(StrEnum):
    ONE_TO_ONE = "one_to_one"
    GROUP_WORK = "group_work"
    TALK_TO_YOUNG_PEOPLE = "talk_to_young_people"
    PROFESSIONAL_TRAINING = "professional_training"
    AWARENESS_RAISING = "awareness_raising"
    CONSULTATION = "consultation"
    MULTI_AGENCY_MEETING = "multi_agency_meeting"


class GoalStatus(StrEnum):
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"


_DFE = "Department for Education, children in need census guide"
_HUBSPOKE = "hubspoke (proposed)"


def _from_enum(
    name: str, label: str, enum: type[StrEnum], aliases: Mapping[str, tuple[str, ...]]
) -> CodeList:
    codes = tuple(
        _c(m.value, m.value.replace("_", " ").capitalize(), *aliases.get(m.value, ())) for m in enum
    )
    return CodeList(name=name, label=label, source=_HUBSPOKE, codes=codes)


GENDER = CodeList(
    name="gender",
    label="Gender",
    source=_DFE,
    codes=(
        _c("1", "Male", "m", "boy", "man", "male", "young man"),
        _c("2", "Female", "f", "girl", "woman", "female", "young woman"),
        _c("9", "Indeterminate", "indeterminate", "not specified", "other", "non binary"),
        _c(
            "0",
            "Not recorded",
            "not known",
            "unknown",
            "not recorded",
            "n k",
            status="not_recorded",
        ),
        # Not a CIN code: the census has no "declined", but a young person who
        # prefers not to say has answered, which "not recorded" (0) would hide.
        _c(
            "declined",
            "Declined (prefer not to say)",
            "prefer not to say",
            "declined",
            "refused",
            "rather not say",
            status="declined",
        ),
    ),
)

ETHNICITY = CodeList(
    name="ethnicity",
    label="Ethnicity",
    source=_DFE,
    codes=(
        _c("WBRI", "White British", "white english", "white uk", "british", "white"),
        _c("WIRI", "White Irish", "irish"),
        _c("WIRT", "Traveller of Irish heritage", "irish traveller"),
        _c("WOTH", "Any other White background", "white other", "other white"),
        _c("WROM", "Gypsy/Roma", "gypsy", "roma", "gypsy roma"),
        _c("MWBC", "White and Black Caribbean", "mixed white and black caribbean"),
        _c("MWBA", "White and Black African", "mixed white and black african"),
        _c("MWAS", "White and Asian", "mixed white and asian"),
        _c("MOTH", "Any other mixed background", "mixed other", "mixed", "other mixed"),
        _c("AIND", "Indian", "asian indian"),
        _c("APKN", "Pakistani", "asian pakistani"),
        _c("ABAN", "Bangladeshi", "asian bangladeshi"),
        _c("AOTH", "Any other Asian background", "asian other", "other asian", "asian"),
        _c("BCRB", "Black Caribbean", "caribbean"),
        _c("BAFR", "Black African", "african"),
        _c("BOTH", "Any other Black background", "black other", "other black", "black"),
        _c("CHNE", "Chinese"),
        _c("OOTH", "Any other ethnic group", "other ethnic group", "other"),
        _c("REFU", "Refused", "declined", "refused", "prefer not to say", status="declined"),
        _c(
            "NOBT",
            "Information not yet obtained",
            "not obtained",
            "not recorded",
            "unknown",
            "not known",
            status="not_recorded",
        ),
    ),
)

REFERRAL_SOURCE = CodeList(
    name="referral_source",
    label="Referral source",
    source=_DFE,
    codes=(
        _c("1A", "Individual: self", "self", "self referral", "young person"),
        _c("1B", "Individual: family member", "family", "parent", "carer", "parent carer"),
        _c("1C", "Individual: acquaintance", "friend", "acquaintance"),
        _c("1D", "Individual: other", "other individual"),
        _c("2A", "Schools", "school"),
        _c("2B", "Education services", "education", "college"),
        _c("3A", "Health services: GP", "gp"),
        _c("3B", "Health services: health visitor", "health visitor"),
        _c("3C", "Health services: school nurse", "school nurse"),
        _c("3D", "Health services: other primary health services", "other primary health"),
        _c("3E", "Health services: A&E", "a e", "a and e", "emergency department"),
        _c("3F", "Health services: other", "health", "nhs", "camhs", "sexual health"),
        _c("4", "Housing", "housing", "housing provider"),
        _c(
            "5A",
            "LA services: social care",
            "social care",
            "childrens social care",
            "social worker",
            "children s services",
            "csc",
        ),
        _c("5B", "LA services: other internal", "local authority"),
        _c("5C", "LA services: external", "other local authority"),
        _c("5D", "LA services: early help", "early help"),
        _c("6", "Police", "police"),
        _c("7", "Other legal agency", "youth offending", "yot", "youth justice", "probation"),
        _c(
            "8",
            "Other (including voluntary organisations)",
            "voluntary",
            "charity",
            "voluntary sector",
            "other agency",
        ),
        _c("9", "Anonymous", "anonymous"),
        _c("10", "Unknown", "unknown", "not known", "not recorded", status="not_recorded"),
    ),
)

#: Referral-source codes that are agencies (2A to 8), for embeddedness.
AGENCY_REFERRAL_SOURCES: frozenset[str] = frozenset(
    v for v in REFERRAL_SOURCE.values if v[0] in "2345678"
)

SEXUALITY = CodeList(
    name="sexuality",
    label="Sexuality",
    source=_HUBSPOKE,
    codes=(
        _c("heterosexual", "Heterosexual", "straight"),
        _c("gay_or_lesbian", "Gay or lesbian", "gay", "lesbian"),
        _c("bisexual", "Bisexual", "bi"),
        _c("other", "Other", "other sexuality", "questioning", "pansexual"),
        _c("declined", "Declined", "refused", "prefer not to say", status="declined"),
        _c(
            "not_recorded",
            "Not recorded",
            "not known",
            "unknown",
            "not asked",
            status="not_recorded",
        ),
    ),
)

RISK_LEVEL = CodeList(
    name="risk_level",
    label="Risk level",
    source="Scott and Skidmore (2006), Reducing the Risk; local risk tools",
    codes=(
        _c("low", "Low", "l", "low risk"),
        _c("medium", "Medium", "m", "med", "moderate", "medium risk"),
        _c("high", "High", "h", "high risk", "significant"),
        _c(
            "not_recorded",
            "Not assessed",
            "not assessed",
            "unknown",
            "not known",
            status="not_recorded",
        ),
    ),
)

#: Ordered risk levels, lowest first (for "risk fell / stayed / rose").
RISK_ORDER: Mapping[str, int] = {"low": 0, "medium": 1, "high": 2}

AGE_BAND = CodeList(
    name="age_band",
    label="Age band",
    source=_HUBSPOKE,
    codes=(
        _c("0-9", "Under 10", "under 10"),
        _c("10-12", "10 to 12"),
        _c("13-15", "13 to 15"),
        _c("16-17", "16 to 17"),
        _c("18-25", "18 to 25", "18 plus", "18"),
        _c("not_recorded", "Not recorded", "unknown", "not known", status="not_recorded"),
    ),
)

_AGE_BANDS: tuple[tuple[int, int, str], ...] = (
    (0, 9, "0-9"),
    (10, 12, "10-12"),
    (13, 15, "13-15"),
    (16, 17, "16-17"),
    (18, 25, "18-25"),
)


def age_band_for(age: int) -> str:
    """The age-band code of an age in whole years (0 to 25; ValueError outside)."""
    for low, high, band in _AGE_BANDS:
        if low <= age <= high:
            return band
    raise ValueError(f"age {age} is outside 0-25")


PROFESSION = CodeList(
    name="profession",
    label="Profession",
    source=_HUBSPOKE,
    codes=(
        _c("social_work", "Social work", "social worker", "social care", "children s services"),
        _c("police", "Police", "police officer", "pcso"),
        _c("health", "Health", "nurse", "gp", "doctor", "nhs", "camhs"),
        _c("education", "Education", "teacher", "school", "school staff"),
        _c("youth_work", "Youth work", "youth worker"),
        _c("youth_justice", "Youth justice", "yot", "youth offending"),
        _c("residential_care", "Residential care", "residential", "children s home"),
        _c("foster_care", "Foster care", "foster carer", "foster carers"),
        _c("voluntary_sector", "Voluntary sector", "voluntary", "charity"),
        _c("night_time_economy", "Night-time economy", "taxi", "hotel", "licensing"),
        _c("other", "Other", "other profession"),
        _c("not_recorded", "Not recorded", "unknown", status="not_recorded"),
    ),
)

CLOSURE_REASON = CodeList(
    name="closure_reason",
    label="Closure reason",
    source=_HUBSPOKE,
    codes=(
        _c("outcomes_achieved", "Outcomes achieved", "planned ending", "goals met", "completed"),
        _c(
            "disengaged",
            "Young person disengaged",
            "did not engage",
            "non engagement",
            "disengagement",
        ),
        _c("moved_away", "Moved out of area", "moved", "moved area"),
        _c("transferred", "Transferred to another service", "transfer", "referred on"),
        _c("age_limit", "Reached age limit", "aged out", "turned 18"),
        _c("other", "Other", "other reason"),
        _c("not_recorded", "Not recorded", "unknown", status="not_recorded"),
    ),
)

SUPPORT_TYPE = CodeList(
    name="support_type",
    label="Support type",
    source=_HUBSPOKE,
    codes=(
        _c("one_to_one", "One-to-one", "1 1", "1 to 1", "individual", "one to one"),
        _c("group", "Group", "group work", "groupwork"),
        _c("both", "One-to-one and group", "1 1 and group", "both"),
    ),
)

RISK_CHANGE = CodeList(
    name="risk_change",
    label="Risk change at closure",
    source="Scott and Skidmore (2006), Reducing the Risk",
    codes=(
        _c("reduced", "Reduced", "fell", "decreased", "lower"),
        _c("unchanged", "Unchanged", "same", "stayed the same"),
        _c("increased", "Increased", "rose", "higher"),
    ),
)

HOST_KIND = _from_enum(
    "host_kind",
    "Host agency kind",
    HostKind,
    {
        "police": ("police force", "constabulary"),
        "childrens_social_care": ("children s social care", "social care", "csc"),
        "multi_agency_team": ("mash", "multi agency", "multi agency safeguarding hub"),
        "health": ("nhs", "nhs trust", "ccg"),
        "education": ("school", "college"),
        "youth_justice": ("yot", "youth offending team"),
        "voluntary_organisation": ("voluntary", "charity", "vcs"),
    },
)
FUNDER_KIND = _from_enum(
    "funder_kind",
    "Funder kind",
    FunderKind,
    {
        "charitable_trust": ("trust", "foundation", "charity"),
        "police_and_crime_commissioner": ("pcc", "opcc"),
        "health_commissioner": ("ccg", "nhs commissioner"),
        "statutory_commissioner": ("local authority", "council"),
    },
)
FUNDING_SOURCE_KIND = _from_enum(
    "funding_source_kind",
    "Funding source kind",
    FundingSourceKind,
    {
        "independent_charitable": ("charitable", "independent", "grant from trust"),
        "statutory_contract": ("contract", "commissioned"),
        "statutory_grant": ("la grant", "council grant"),
        "hub_reserves": ("reserves", "own funds"),
    },
)
ACTIVITY_KIND = _from_enum(
    "activity_kind",
    "Activity kind",
    ActivityKind,
    {
        "one_to_one": ("1 1", "1 1 session", "one to one session", "direct work"),
        "group_work": ("group", "group session"),
        "talk_to_young_people": ("talk", "assembly", "school talk"),
        "professional_training": ("training", "training session"),
        "awareness_raising": ("awareness", "awareness session"),
        "multi_agency_meeting": ("mase", "msem", "cse meeting", "strategy meeting"),
    },
)
SUPERVISION_KIND = _from_enum(
    "supervision_kind",
    "Supervision kind",
    SupervisionKind,
    {"hub_visit": ("visit", "hub manager visit"), "managerial": ("line management",)},
)
LINE_MANAGEMENT = _from_enum("line_management", "Line management", LineManagement, {})
QUALIFICATION = _from_enum(
    "qualification",
    "Qualification",
    Qualification,
    {"social_work": ("sw", "dipsw", "social worker"), "youth_work": ("jnc", "youth worker")},
)
GOAL_STATUS = _from_enum(
    "goal_status", "Goal status", GoalStatus, {"partly_met": ("partly", "partially met")}
)

BUILTIN_CODE_LISTS: tuple[CodeList, ...] = (
    GENDER,
    ETHNICITY,
    REFERRAL_SOURCE,
    SEXUALITY,
    RISK_LEVEL,
    AGE_BAND,
    PROFESSION,
    CLOSURE_REASON,
    SUPPORT_TYPE,
    RISK_CHANGE,
    HOST_KIND,
    FUNDER_KIND,
    FUNDING_SOURCE_KIND,
    ACTIVITY_KIND,
    SUPERVISION_KIND,
    LINE_MANAGEMENT,
    QUALIFICATION,
    GOAL_STATUS,
)

_REGISTRY: dict[str, CodeList] = {cl.name: cl for cl in BUILTIN_CODE_LISTS}


def code_list(name: str) -> CodeList:
    """The code list called ``name``; :class:`CodeError` naming the known lists if none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise CodeError(f"no code list {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def code_lists() -> Mapping[str, CodeList]:
    """Every registered code list by name (a copy)."""
    return dict(_REGISTRY)


def register_code_list(cl: CodeList, *, replace: bool = False) -> None:
    """Add a code list (used by the ``hubspoke_register_codes`` hook).

    An existing name is an error unless ``replace`` is true.
    """
    if cl.name in _REGISTRY and not replace:
        raise CodeError(f"code list {cl.name!r} is already registered")
    _REGISTRY[cl.name] = cl


def map_value(codes: str | CodeList, text: str) -> MappingResult:
    """Map free ``text`` to a code of ``codes`` (a list or its name).

    Never raises for any text; returns :class:`Unmapped` (keeping the original
    text) when nothing matches.
    """
    cl = code_list(codes) if isinstance(codes, str) else codes
    return cl.map(text)


@attrs.frozen(kw_only=True)
class MappedColumn:
    """The result of mapping a whole column.

    ``codes`` is a categorical Series (categories = the list's values) with
    missing where the input was missing or unmapped; ``unmapped`` is a boolean
    Series, true where non-blank input matched no code.
    """

    codes: pd.Series
    unmapped: pd.Series
    code_list: str

    def unmapped_values(self, original: pd.Series) -> list[str]:
        """Distinct original texts that did not map, in first-seen order."""
        return list(dict.fromkeys(original[self.unmapped].astype(str)))


def map_series(codes: str | CodeList, values: pd.Series) -> MappedColumn:
    """Map a pandas column of free text to codes, vectorised.

    Blank or missing input stays missing and is not "unmapped" (the caller
    decides whether blank means not recorded). The column is factorised, each
    distinct text is normalised and looked up once (vectorised string
    methods), and the result is mapped back by position: no Python call per row.
    """
    import numpy as np
    import pandas as pd

    cl = code_list(codes) if isinstance(codes, str) else codes
    # normalise each distinct text once, then map the column by position
    positions, distinct = pd.factorize(values.astype("string"), use_na_sentinel=True)
    keys = (
        pd.Series(distinct, dtype="string")
        .str.casefold()
        .str.replace(_NON_ALNUM.pattern, " ", regex=True)
        .str.strip()
    )
    found = keys.map(cl.lookup)
    # one extra slot at the end stands for missing input (position -1)
    blank_distinct = np.append((keys == "").to_numpy(dtype=bool, na_value=True), True)
    unknown_distinct = np.append(found.isna().to_numpy(dtype=bool), False) & ~blank_distinct
    code_of_distinct = np.append(
        pd.Categorical(found, categories=list(cl.values)).codes, np.int8(-1)
    ).astype(np.int64)
    unmapped = pd.Series(unknown_distinct[positions], index=values.index, name=values.name)
    categorical = pd.Series(
        pd.Categorical.from_codes(
            code_of_distinct[positions], categories=pd.Index(list(cl.values))
        ),
        index=values.index,
        name=values.name,
    )
    return MappedColumn(codes=categorical, unmapped=unmapped, code_list=cl.name)
