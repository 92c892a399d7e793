"""Writers of cases: the only code that changes a case's state.

Every service runs in one transaction that writes the case, one ``CaseEvent`` and one audit
row, or nothing. Refusals raise a ``CaseError`` with a message naming the case. Staff steps
(respond, dispatch, take, start, resolve, close, escalate) need an acting user whose grid
scope covers the case; ``acting_user=None`` means the system itself (imports, patrols,
tests). Members act through staff until members have accounts (see docs/CASES.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov import events
from gridgov.accounts import policy
from gridgov.accounts.actors import Account, Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.cases.errors import CaseAlreadyTaken, CaseError, CaseNotAllowed, CaseTransitionError
from gridgov.cases.models import (
    TRANSITIONS,
    Action,
    Case,
    CaseCategory,
    CaseCounter,
    CaseEvent,
    CategoryKind,
    ClosureReason,
    Status,
)
from gridgov.cases.selectors import dispatchable
from gridgov.grids.placement import apply_placement, locate_one
from gridgov.people.models import Member, Resident
from gridgov.people.services import check_point, normalise_phone

# Why a step is refused from the current state, one message per step (for translators).
REFUSALS = {
    "respond": gettext_lazy("Case %(number)s is %(status)s: it cannot be responded to."),
    "dispatch": gettext_lazy("Case %(number)s is %(status)s: it cannot be dispatched."),
    "take": gettext_lazy("Case %(number)s is %(status)s: it cannot be taken."),
    "start": gettext_lazy("Case %(number)s is %(status)s: work can only start on a taken case."),
    "resolve": gettext_lazy(
        "Case %(number)s is %(status)s: only a case a member has taken can be resolved."
    ),
    "close": gettext_lazy("Case %(number)s is %(status)s: only an open case can be closed."),
    "escalate": gettext_lazy("Case %(number)s is %(status)s: only an open case can be escalated."),
    "feedback": gettext_lazy(
        "Case %(number)s is %(status)s: feedback can be given once it is resolved or closed."
    ),
    "reopen": gettext_lazy(
        "Case %(number)s is %(status)s: only a resolved or closed case can be reopened."
    ),
}

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "requester_name",
        "requester_phone",
        "address",
        "channel",
        "requester",
        "requester_user",
    }
)


# --- helpers ------------------------------------------------------------------------------


def _actor(user: Actor) -> Account:
    return account_of(user)


def in_scope(user: Actor, case: Case) -> bool:
    """Whether the user handles cases over the case's grid (None user: the system)."""
    if user is None:
        return True
    return policy.allows(user, policy.HANDLE_CASES, case.grid_code)


def _require_staff(case: Case, user: Actor) -> None:
    if not in_scope(user, case):
        raise CaseNotAllowed(
            _("%(user)s may not handle case %(number)s: it lies outside their grids.")
            % {"user": user, "number": case.number}
        )


def _require_state(case: Case, step: str) -> None:
    if case.status not in TRANSITIONS[step]:
        raise CaseTransitionError(
            REFUSALS[step] % {"number": case.number, "status": case.get_status_display()}
        )


def _require_note(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseError(message)
    return text


def _check_member(case: Case, member: Member) -> None:
    """A member serves the community they report to: the case's community, once it confirmed
    their reporting (or they hold a public role): ``selectors.dispatchable``."""
    if member is None:
        raise CaseError(_("Case %(number)s: choose a member.") % {"number": case.number})
    if member.community_id != case.community_id:
        raise CaseError(
            _("%(member)s does not belong to the community of case %(number)s.")
            % {"member": member, "number": case.number}
        )
    if not dispatchable(Member.objects.filter(pk=member.pk)).exists():
        raise CaseError(
            _(
                "%(member)s cannot be sent case %(number)s: their reporting to the community "
                "is %(status)s. Only members the community confirmed, or who hold a public "
                "role, serve its requests."
            )
            % {
                "member": member,
                "number": case.number,
                "status": member.get_report_status_display(),
            }
        )


def _load(case: Case) -> Case:
    """The current row, locked until the transaction ends (PostgreSQL)."""
    return Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case.pk)


def _record(
    case: Case,
    *,
    acting_user: Actor,
    action: str,
    from_status: str,
    before: dict | None,
    member: Member | None = None,
    note: str = "",
    satisfaction: int | None = None,
    at: dt.datetime,
) -> None:
    CaseEvent.objects.create(
        case=case,
        actor=_actor(acting_user),
        member=member,
        action=action,
        from_status=from_status,
        to_status=case.status,
        note=note,
        satisfaction=satisfaction,
        at=at,
    )
    event = f"case.{action}"
    audit_record(actor=acting_user, action=event, obj=case, before=before, after=snapshot(case))
    # Who hears of it is for the apps above to say (the notices subscribe: gridgov.events).
    events.emit(event, case=case, acting_user=acting_user, member=member)


def _answered(case: Case, now: dt.datetime) -> None:
    """Any staff step on an open case answers it (首问负责): the first one is recorded."""
    if case.first_response_at is None:
        case.first_response_at = now


def _next_number(now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    CaseCounter.objects.get_or_create(year=year)
    CaseCounter.objects.filter(year=year).update(last=F("last") + 1)  # row lock until commit
    return f"{year}-{CaseCounter.objects.get(year=year).last:06d}"


# --- create and edit ----------------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    acting_user: Actor,
    category: CaseCategory,
    channel: str,
    title: str,
    requester_name: str,
    location: Point | None,
    description: str = "",
    requester_phone: str = "",
    address: str = "",
    requester: Resident | None = None,
    requester_user: Account = None,
    at: dt.datetime | None = None,
) -> Case:
    """Register a case and place its point in community, compound and building. A point in
    no community is refused: no grid would answer it."""
    now = at or timezone.now()
    label = title or requester_name or "?"
    # one spelling of a number (digits, no +86), so that erasure finds it again; text that
    # is not a number ("ask the neighbour") is kept as typed
    requester_phone = (
        normalise_phone(requester_phone, mobile=False) or (requester_phone or "").strip()
    )
    if location is None:
        raise ValidationError(
            {"location": _("Case “%(title)s” needs a location on the map.") % {"title": label}}
        )
    check_point(location, label=_("Case “%(title)s”") % {"title": label})
    location = Point(location.x, location.y, srid=4326)
    if category is not None and not category.active:
        raise ValidationError(
            {"category": _("Category %(c)s is no longer in use.") % {"c": category}}
        )
    case = Case(
        category=category,
        channel=channel,
        title=title,
        description=description,
        requester_name=requester_name,
        requester_phone=requester_phone,
        address=address,
        requester=requester,
        requester_user=requester_user,
        location=location,
        status=Status.NEW,
        created_at=now,
        opened_at=now,
    )
    placement = locate_one(location)
    if not len(placement.community) or not placement.community[0]:
        raise ValidationError(
            {
                "location": _(
                    "Case “%(title)s” lies outside every community (%(x).6f, %(y).6f): "
                    "check the point, or hand the request to the body responsible for that place."
                )
                % {"title": label, "x": location.x, "y": location.y}
            }
        )
    apply_placement(case, placement)
    case.number = _next_number(now)
    case.full_clean(exclude=["number"])
    case.save()
    _record(
        case,
        acting_user=acting_user,
        action=Action.CREATED,
        from_status="",
        before=None,
        note=description,
        at=now,
    )
    return case


@transaction.atomic
def case_update(*, case: Case, acting_user: Actor, **changes: Any) -> Case:
    """Edit a case's descriptive details (not its state, place or people working on it)."""
    bad = set(changes) - EDITABLE_FIELDS
    if bad:
        raise CaseError(
            _("Case %(number)s: %(fields)s can only change through the case's steps.")
            % {"number": case.number, "fields": ", ".join(sorted(bad))}
        )
    case = _load(case)
    _require_staff(case, acting_user)
    before = snapshot(case)
    for field, value in changes.items():
        setattr(case, field, value)
    case.full_clean(exclude=["number"])
    case.save()
    _record(
        case,
        acting_user=acting_user,
        action=Action.EDITED,
        from_status=case.status,
        before=before,
        note=", ".join(sorted(changes)),
        at=timezone.now(),
    )
    return case


# --- staff steps --------------------------------------------------------------------------


@transaction.atomic
def case_respond(*, case: Case, acting_user: Actor, note: str) -> Case:
    """Answer the resident (a consultation's answer, an acknowledgement): the first answer
    of a round sets first_response_at; later ones are kept as history."""
    case = _load(case)
    _require_staff(case, acting_user)
    _require_state(case, "respond")
    note = _require_note(
        note,
        _("Case %(number)s: write the answer given to the resident.") % {"number": case.number},
    )
    now, before = timezone.now(), snapshot(case)
    _answered(case, now)
    case.save()
    _record(
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
    case = _load(case)
    _require_staff(case, acting_user)
    _require_state(case, "dispatch")
    _check_member(case, member)
    if case.dispatched_to_id == member.pk:
        raise CaseTransitionError(
            _("Case %(number)s is already dispatched to %(member)s.")
            % {"number": case.number, "member": member}
        )
    now, before, from_status = timezone.now(), snapshot(case), case.status
    case.status, case.dispatched_to, case.dispatched_at = Status.DISPATCHED, member, now
    _answered(case, now)
    case.save()
    _record(
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
    _require_staff(current, acting_user)
    if current.taken_by_id is not None and current.is_open:
        raise CaseAlreadyTaken(
            _("Case %(number)s has already been taken by %(member)s.")
            % {"number": current.number, "member": current.taken_by}
        )
    _require_state(current, "take")
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
    _check_member(current, member)
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
    _record(
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
    case = _load(case)
    _require_staff(case, acting_user)
    _require_state(case, "start")
    now, before, from_status = timezone.now(), snapshot(case), case.status
    case.status, case.started_at = Status.IN_PROGRESS, now
    case.save()
    _record(
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
    case = _load(case)
    _require_staff(case, acting_user)
    _require_state(case, "resolve")
    note = _require_note(
        note, _("Case %(number)s: say what was done to resolve it.") % {"number": case.number}
    )
    now, before, from_status = timezone.now(), snapshot(case), case.status
    case.status, case.resolved_at = Status.RESOLVED, now
    case.save()
    _record(
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
    case = _load(case)
    _require_staff(case, acting_user)
    _require_state(case, "close")
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
    _answered(case, now)
    case.save()
    _record(
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
    case = _load(case)
    _require_staff(case, acting_user)
    _require_state(case, "escalate")
    if case.escalated:
        raise CaseTransitionError(
            _("Case %(number)s was already escalated to the street office on %(at)s.")
            % {
                "number": case.number,
                "at": timezone.localtime(case.escalated_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    note = _require_note(
        note, _("Case %(number)s: say why the community cannot solve it.") % {"number": case.number}
    )
    now, before = timezone.now(), snapshot(case)
    case.escalated, case.escalated_at, case.escalation_note = True, now, note
    _answered(case, now)
    case.save()
    _record(
        case,
        acting_user=acting_user,
        action=Action.ESCALATED,
        from_status=case.status,
        before=before,
        note=note,
        at=now,
    )
    return case


# --- the requester ------------------------------------------------------------------------


@transaction.atomic
def case_feedback(*, case: Case, acting_user: Actor, satisfaction: int, text: str = "") -> Case:
    """The requester says how it went (1-5), after the case is resolved or closed."""
    case = _load(case)
    if (
        acting_user is None
        or case.requester_user_id is None
        or case.requester_user_id != acting_user.pk
    ):
        raise CaseNotAllowed(
            _("Only the resident who raised case %(number)s can give feedback on it.")
            % {"number": case.number}
        )
    _require_state(case, "feedback")
    try:
        score = int(satisfaction)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5 or str(satisfaction).strip() not in {str(score), f"{score}.0"}:
        raise CaseError(
            _("Case %(number)s: satisfaction is a whole number from 1 to 5, not %(value)s.")
            % {"number": case.number, "value": satisfaction}
        )
    now, before = timezone.now(), snapshot(case)
    case.satisfaction, case.feedback, case.feedback_at = score, (text or "").strip(), now
    case.save()
    _record(
        case,
        acting_user=acting_user,
        action=Action.FEEDBACK,
        from_status=case.status,
        before=before,
        note=case.feedback,
        satisfaction=score,
        at=now,
    )
    return case


@transaction.atomic
def case_reopen(*, case: Case, acting_user: Actor, reason: str) -> Case:
    """Not fixed after all: back to new for another round, by the requester or staff. The
    round's timestamps and holders are cleared (the events keep them)."""
    case = _load(case)
    is_requester = acting_user is not None and case.requester_user_id == acting_user.pk
    if not is_requester:
        _require_staff(case, acting_user)
    _require_state(case, "reopen")
    reason = _require_note(
        reason, _("Case %(number)s: say why it is reopened.") % {"number": case.number}
    )
    now, before, from_status = timezone.now(), snapshot(case), case.status
    case.status, case.opened_at = Status.NEW, now
    case.reopened_count += 1
    case.closure_reason, case.duplicate_of = "", None
    case.dispatched_to = case.taken_by = None
    for name in (
        "first_response_at",
        "dispatched_at",
        "taken_at",
        "started_at",
        "resolved_at",
        "closed_at",
    ):
        setattr(case, name, None)
    case.save()
    _record(
        case,
        acting_user=acting_user,
        action=Action.REOPENED,
        from_status=from_status,
        before=before,
        note=reason,
        at=now,
    )
    return case
