"""The staff steps of "resident orders, branch dispatches, member takes": respond, dispatch,
take (exactly one member holds a case), start, resolve, close without a fix, escalate."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor
from gridgov.accounts.services import snapshot
from gridgov.cases.errors import CaseAlreadyTaken, CaseError, CaseTransitionError
from gridgov.cases.models import (
    Action,
    Case,
    CategoryKind,
    ClosureReason,
    Status,
)
from gridgov.cases.services.steps import (
    check_member,
    load_locked,
    mark_answered,
    record_step,
    require_note,
    require_staff,
    require_state,
)
from gridgov.people.models import Member


@transaction.atomic
def case_respond(*, case: Case, acting_user: Actor, note: str) -> Case:
    """Answer the resident (a consultation's answer, an acknowledgement): the first answer
    of a round sets first_response_at; later ones are kept as history."""
    case = load_locked(case)
    require_staff(case, acting_user)
    require_state(case, "respond")
    note = require_note(
        note,
        _("Case %(number)s: write the answer given to the resident.") % {"number": case.number},
    )
    now, before = timezone.now(), snapshot(case)
    mark_answered(case, now)
    case.save()
    record_step(
        case,
        acting_user=acting_user,
        action=Action.RESPONDED,
        from_status=case.status,
        before=before,
        note=note,
        at=now,
    )
    return case


@transaction.atomic
def case_dispatch(*, case: Case, member: Member, acting_user: Actor, note: str = "") -> Case:
    """下单: hand a new case to a member of its community (or re-dispatch it to another)."""
    case = load_locked(case)
    require_staff(case, acting_user)
    require_state(case, "dispatch")
    check_member(case, member)
    if case.dispatched_to_id == member.pk:
        raise CaseTransitionError(
            _("Case %(number)s is already dispatched to %(member)s.")
            % {"number": case.number, "member": member}
        )
    now, before, from_status = timezone.now(), snapshot(case), case.status
    case.status, case.dispatched_to, case.dispatched_at = Status.DISPATCHED, member, now
    mark_answered(case, now)
    case.save()
    record_step(
        case,
        acting_user=acting_user,
        action=Action.DISPATCHED,
        from_status=from_status,
        before=before,
        member=member,
        note=note,
        at=now,
    )
    return case


@transaction.atomic
def case_take(*, case: Case, member: Member, acting_user: Actor, note: str = "") -> Case:
    """接单: one member takes the case. A conditional UPDATE (… WHERE taken_by IS NULL AND
    status = <as read>) decides among concurrent takers: exactly one row changes; everyone
    else gets CaseAlreadyTaken naming the winner."""
    current = Case.objects.select_related("category", "taken_by", "dispatched_to").get(pk=case.pk)
    require_staff(current, acting_user)
    if current.taken_by_id is not None and current.is_open:
        raise CaseAlreadyTaken(
            _("Case %(number)s has already been taken by %(member)s.")
            % {"number": current.number, "member": current.taken_by}
        )
    require_state(current, "take")
    if current.status == Status.NEW and current.category.kind != CategoryKind.MICRO_WISH:
        raise CaseTransitionError(
            _(
                "Case %(number)s has not been dispatched yet: only micro-wishes can be taken "
                "before dispatch."
            )
            % {"number": current.number}
        )
    if current.status == Status.DISPATCHED and current.dispatched_to_id != member.pk:
        raise CaseTransitionError(
            _("Case %(number)s was dispatched to %(to)s: %(member)s cannot take it.")
            % {"number": current.number, "to": current.dispatched_to, "member": member}
        )
    check_member(current, member)
    now, before = timezone.now(), snapshot(current)
    won = Case.objects.filter(
        pk=current.pk,
        status=current.status,
        taken_by__isnull=True,
        dispatched_to=current.dispatched_to_id,
    ).update(
        status=Status.TAKEN,
        taken_by=member,
        taken_at=now,
        first_response_at=Coalesce(F("first_response_at"), Value(now)),
    )
    if not won:
        latest = Case.objects.select_related("taken_by").get(pk=current.pk)
        if latest.taken_by_id is not None:
            raise CaseAlreadyTaken(
                _("Case %(number)s has already been taken by %(member)s.")
                % {"number": latest.number, "member": latest.taken_by}
            )
        raise CaseTransitionError(
            _("Case %(number)s changed while it was being taken (now %(status)s): try again.")
            % {"number": latest.number, "status": latest.get_status_display()}
        )
    case = Case.objects.select_related("category").get(pk=current.pk)
    record_step(
        case,
        acting_user=acting_user,
        action=Action.TAKEN,
        from_status=current.status,
        before=before,
        member=member,
        note=note,
        at=now,
    )
    return case


@transaction.atomic
def case_start(*, case: Case, acting_user: Actor, note: str = "") -> Case:
    """The member who took the case starts work on it."""
    case = load_locked(case)
    require_staff(case, acting_user)
    require_state(case, "start")
    now, before, from_status = timezone.now(), snapshot(case), case.status
    case.status, case.started_at = Status.IN_PROGRESS, now
    case.save()
    record_step(
        case,
        acting_user=acting_user,
        action=Action.STARTED,
        from_status=from_status,
        before=before,
        member=case.taken_by,
        note=note,
        at=now,
    )
    return case


@transaction.atomic
def case_resolve(*, case: Case, acting_user: Actor, note: str) -> Case:
    """Fixed / answered: only a case a member holds, with a note saying what was done."""
    case = load_locked(case)
    require_staff(case, acting_user)
    require_state(case, "resolve")
    note = require_note(
        note, _("Case %(number)s: say what was done to resolve it.") % {"number": case.number}
    )
    now, before, from_status = timezone.now(), snapshot(case), case.status
    case.status, case.resolved_at = Status.RESOLVED, now
    case.save()
    record_step(
        case,
        acting_user=acting_user,
        action=Action.RESOLVED,
        from_status=from_status,
        before=before,
        member=case.taken_by,
        note=note,
        at=now,
    )
    return case


@transaction.atomic
def case_close(
    *, case: Case, acting_user: Actor, reason: str, note: str = "", duplicate_of: Case | None = None
) -> Case:
    """Close an open case without a fix, for a reason. Closed never reads as resolved."""
    case = load_locked(case)
    require_staff(case, acting_user)
    require_state(case, "close")
    if reason not in ClosureReason.values:
        raise CaseError(
            _("Case %(number)s: choose why it is closed (%(choices)s).")
            % {
                "number": case.number,
                "choices": ", ".join(str(label) for label in ClosureReason.labels),
            }
        )
    if reason == ClosureReason.DUPLICATE:
        if duplicate_of is None:
            raise CaseError(
                _("Case %(number)s: say which case it duplicates.") % {"number": case.number}
            )
        if duplicate_of.pk == case.pk:
            raise CaseError(_("Case %(number)s cannot duplicate itself.") % {"number": case.number})
    elif duplicate_of is not None:
        raise CaseError(
            _("Case %(number)s: a duplicate is named only when closing as a duplicate.")
            % {"number": case.number}
        )
    now, before, from_status = timezone.now(), snapshot(case), case.status
    case.status, case.closure_reason, case.closed_at = Status.CLOSED, reason, now
    case.duplicate_of = duplicate_of
    mark_answered(case, now)
    case.save()
    record_step(
        case,
        acting_user=acting_user,
        action=Action.CLOSED,
        from_status=from_status,
        before=before,
        note=note or case.get_closure_reason_display(),
        at=now,
    )
    return case


@transaction.atomic
def case_escalate(*, case: Case, acting_user: Actor, note: str) -> Case:
    """吹哨报到: the community blows the whistle; the street office and departments report.
    The case stays open and keeps its state; it is flagged for the street office."""
    case = load_locked(case)
    require_staff(case, acting_user)
    require_state(case, "escalate")
    if case.escalated:
        raise CaseTransitionError(
            _("Case %(number)s was already escalated to the street office on %(at)s.")
            % {
                "number": case.number,
                "at": timezone.localtime(case.escalated_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    note = require_note(
        note, _("Case %(number)s: say why the community cannot solve it.") % {"number": case.number}
    )
    now, before = timezone.now(), snapshot(case)
    case.escalated, case.escalated_at, case.escalation_note = True, now, note
    mark_answered(case, now)
    case.save()
    record_step(
        case,
        acting_user=acting_user,
        action=Action.ESCALATED,
        from_status=case.status,
        before=before,
        note=note,
        at=now,
    )
    return case
