"""Writers of dual reporting (双报到). Import the services from here.

The package: ``steps`` (what every step shares: the refusals, the staff check, the
ReportEvent and audit row each step leaves), ``registration`` (the member registers,
corrects, resubmits), ``confirmation`` (the community confirms or rejects a member), ``units``
(unit organisations' reports, co-building agreements, deadlines). A member's reporting is a
state machine on ``Member.report_status``: ``REPORT_TRANSITIONS`` in gridgov.reporting.models
says which step may start from which status (docs/REPORTING.md).
"""

from gridgov.reporting.services.confirmation import report_confirm, report_reject
from gridgov.reporting.services.registration import (
    SUBMITTED_FIELDS,
    report_register,
    report_resubmit,
)
from gridgov.reporting.services.steps import (
    ReportingError,
    ReportingNotAllowed,
    ReportingTransitionError,
    record_report_step,
    require_reporting_staff,
)
from gridgov.reporting.services.units import (
    agreement_sign,
    deadline_set,
    unit_report_confirm,
    unit_report_record,
    unit_report_reject,
)

__all__ = [
    "SUBMITTED_FIELDS",
    "ReportingError",
    "ReportingNotAllowed",
    "ReportingTransitionError",
    "agreement_sign",
    "deadline_set",
    "record_report_step",
    "report_confirm",
    "report_register",
    "report_reject",
    "report_resubmit",
    "require_reporting_staff",
    "unit_report_confirm",
    "unit_report_record",
    "unit_report_reject",
]
