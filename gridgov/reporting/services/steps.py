"""What every reporting step shares: its refusals, the staff check, and its trace. Each
step writes its rows, one ReportEvent and one audit row in one transaction, or nothing
(全流程留痕)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.models import Grid
from gridgov.people.models import Member
from gridgov.reporting.models import ReportEvent, UnitReport
from gridgov.reporting.selectors import covers_community


class ReportingError(ValidationError):
    """A refused reporting step; nothing was written."""

    def __init__(self, message: str | dict[str, str], *, code: str = "reporting") -> None:
        super().__init__(message, code=code)

    @property
    def text(self) -> str:
        return " ".join(self.messages)


class ReportingTransitionError(ReportingError):
    """The step is not allowed from the current status."""


class ReportingNotAllowed(ReportingError):
    """The acting user may not take this step (outside their scope, not their record)."""


def record_report_step(
    *,
    member: Member | None = None,
    unit_report: UnitReport | None = None,
    acting_user: Actor,
    action: str,
    from_status: str,
    to_status: str,
    note: str,
    at: dt.datetime,
    before: dict[str, Any] | None,
    audit_action: str,
) -> None:
    obj: Member | UnitReport
    if member is not None:
        obj = member
    elif unit_report is not None:
        obj = unit_report
    else:
        raise TypeError("A reporting step is of a member or of a unit report.")
    ReportEvent.objects.create(
        member=member,
        unit_report=unit_report,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        actor=account_of(acting_user),
        at=at,
    )
    audit_record(
        actor=acting_user, action=audit_action, obj=obj, before=before, after=snapshot(obj)
    )


def require_reporting_staff(user: Actor, community: Grid | None, what: str) -> None:
    if not covers_community(user, community):
        raise ReportingNotAllowed(
            _("%(user)s may not handle the reporting of %(what)s: it is outside their communities.")
            % {"user": user, "what": what}
        )
