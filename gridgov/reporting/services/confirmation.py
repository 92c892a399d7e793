"""The community's side of a member's dual reporting: staff of the member's home community
(or the street office) confirm a registration, or reject it with a reason the member sees.
Of two staff deciding at once, exactly one wins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor
from gridgov.accounts.services import snapshot
from gridgov.people.models import Member, ReportStatus
from gridgov.reporting.models import REPORT_TRANSITIONS, ReportAction
from gridgov.reporting.services.steps import (
    ReportingError,
    ReportingTransitionError,
    record_report_step,
    require_reporting_staff,
)


def _day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _member_refusal(member: Member, step: str) -> str:
    status = member.report_status
    if status == ReportStatus.CONFIRMED:
        if step == "confirm":
            return _("%(member)s's reporting was already confirmed on %(day)s.") % {
                "member": member,
                "day": member.reported_on,
            }
        return _(
            "%(member)s's reporting was confirmed on %(day)s: it can no longer be rejected."
        ) % {"member": member, "day": member.reported_on}
    if status == ReportStatus.REJECTED:
        if step == "confirm":
            return _(
                "%(member)s's reporting was rejected: the member must correct and "
                "resubmit it before it can be confirmed."
            ) % {"member": member}
        return _(
            "%(member)s's reporting is already rejected, waiting for the member to correct it."
        ) % {"member": member}
    return _("%(member)s has not registered yet: there is nothing to %(step)s.") % {
        "member": member,
        "step": _("confirm") if step == "confirm" else _("reject"),
    }


def _decide_member(
    *,
    member: Member,
    acting_user: Actor,
    step: str,
    values: dict[str, Any],
    action: str,
    note: str,
    audit_action: str,
) -> Member:
    """Move a member out of 'registered' with a conditional UPDATE: of two staff deciding
    at once, exactly one wins; the other is told what happened."""
    current = Member.objects.select_related("community").get(pk=member.pk)
    require_reporting_staff(acting_user, current.community, str(current))
    if current.report_status not in REPORT_TRANSITIONS[step]:
        raise ReportingTransitionError(_member_refusal(current, step))
    now, before = timezone.now(), snapshot(current)
    won = Member.objects.filter(pk=current.pk, report_status=current.report_status).update(
        updated_at=now, **values
    )
    if not won:
        raise ReportingTransitionError(_member_refusal(Member.objects.get(pk=current.pk), step))
    member = Member.objects.get(pk=current.pk)
    record_report_step(
        member=member,
        acting_user=acting_user,
        action=action,
        from_status=current.report_status,
        to_status=member.report_status,
        note=note,
        at=now,
        before=before,
        audit_action=audit_action,
    )
    return member


@transaction.atomic
def report_confirm(
    *, member: Member, acting_user: Actor, reported_on: dt.date | None = None
) -> Member:
    """The community confirms a registered member. ``reported_on`` is the day the member
    submitted the confirmed details (a slow confirmation does not make them late); staff
    may give an earlier day for a paper registration, never a future one."""
    current = Member.objects.get(pk=member.pk)
    submitted = _day(current.report_submitted_at) if current.report_submitted_at else None
    day = reported_on or submitted or timezone.localdate()
    if day > timezone.localdate():
        raise ReportingError(
            _("%(member)s cannot have reported on %(day)s: that is in the future.")
            % {"member": current, "day": day}
        )
    return _decide_member(
        member=current,
        acting_user=acting_user,
        step="confirm",
        values={
            "report_status": ReportStatus.CONFIRMED,
            "reported_on": day,
            "report_reject_reason": "",
        },
        action=ReportAction.CONFIRMED,
        note="",
        audit_action="member.report_confirm",
    )


@transaction.atomic
def report_reject(*, member: Member, acting_user: Actor, reason: str) -> Member:
    """The community rejects a registration, saying why; the member sees the reason,
    corrects and resubmits."""
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError(
            _(
                "Say why %(member)s's reporting is rejected: the member sees "
                "the reason and corrects it."
            )
            % {"member": member}
        )
    return _decide_member(
        member=member,
        acting_user=acting_user,
        step="reject",
        values={
            "report_status": ReportStatus.REJECTED,
            "reported_on": None,
            "report_reject_reason": reason,
        },
        action=ReportAction.REJECTED,
        note=reason,
        audit_action="member.report_reject",
    )
