"""The hubspoke domain model: frozen, keyword-only attrs classes.

Programme structure (:class:`Programme`, :class:`Hub`, :class:`Spoke`,
:class:`HostAgency`, arrangements, posts), what returns say
(:class:`MonitoringReturn` and its records), and dated helpers. Field
validators check each field's own range and raise
:class:`~hubspoke.errors.ModelError` naming the field and rule; references
between objects are checked by :meth:`Programme.validate`.
"""

from hubspoke.model.dated import in_force_during, in_force_on, overlap_days
from hubspoke.model.programme import Programme
from hubspoke.model.records import (
    Activity,
    Breakdown,
    CaseRecord,
    DataValue,
    OutcomeRecord,
    RiskAssessment,
    make_breakdown,
)
from hubspoke.model.returns import MonitoringReturn, Provenance
from hubspoke.model.structure import (
    ExpectedReturn,
    Funder,
    FundingArrangement,
    HostAgency,
    HostingArrangement,
    Hub,
    LocalArea,
    Occupancy,
    Phase,
    Post,
    Spoke,
    SupervisionSession,
)

__all__ = [
    "Activity",
    "Breakdown",
    "CaseRecord",
    "DataValue",
    "ExpectedReturn",
    "Funder",
    "FundingArrangement",
    "HostAgency",
    "HostingArrangement",
    "Hub",
    "LocalArea",
    "MonitoringReturn",
    "Occupancy",
    "OutcomeRecord",
    "Phase",
    "Post",
    "Programme",
    "Provenance",
    "RiskAssessment",
    "Spoke",
    "SupervisionSession",
    "in_force_during",
    "in_force_on",
    "make_breakdown",
    "overlap_days",
]
