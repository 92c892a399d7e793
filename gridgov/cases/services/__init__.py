"""Writers of cases: the only code that changes a case's state.

Every service runs in one transaction that writes the case, one ``CaseEvent`` and one audit
row, or nothing. Refusals raise a ``CaseError`` with a message naming the case. Staff steps
(respond, dispatch, take, start, resolve, close, escalate) need an acting user whose grid
scope covers the case; ``acting_user=None`` means the system itself (imports, patrols,
tests). Members act through staff until members have accounts (see docs/CASES.md).

The package, by what happens to a case: ``intake`` (create, edit), ``handling`` (the staff
steps), ``requester`` (feedback, reopening) and ``steps`` (what every step shares).
"""

from gridgov.cases.services.handling import (
    case_close,
    case_dispatch,
    case_escalate,
    case_resolve,
    case_respond,
    case_start,
    case_take,
)
from gridgov.cases.services.intake import EDITABLE_FIELDS, case_create, case_update
from gridgov.cases.services.requester import case_feedback, case_reopen
from gridgov.cases.services.steps import REFUSALS, in_scope

__all__ = [
    "EDITABLE_FIELDS",
    "REFUSALS",
    "case_close",
    "case_create",
    "case_dispatch",
    "case_escalate",
    "case_feedback",
    "case_reopen",
    "case_resolve",
    "case_respond",
    "case_start",
    "case_take",
    "case_update",
    "in_scope",
]
