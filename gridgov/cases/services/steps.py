"""What every step of a case shares: who may act, the checks of state, note and member, the
row lock, and the record each step writes (the case, one ``CaseEvent`` and one audit row)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov import events
from gridgov.accounts import policy
from gridgov.accounts.actors import Account, Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.cases.errors import CaseError, CaseNotAllowed, CaseTransitionError
from gridgov.cases.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
)
from gridgov.cases.selectors import dispatchable
from gridgov.people.models import Member

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


def actor_account(user: Actor) -> Account:
    return account_of(user)


def in_scope(user: Actor, case: Case) -> bool:
    """Whether the user handles cases over the case's grid (None user: the system)."""
    if user is None:
        return True
    return policy.allows(user, policy.HANDLE_CASES, case.grid_code)


def require_staff(case: Case, user: Actor) -> None:
    if not in_scope(user, case):
        raise CaseNotAllowed(
            _("%(user)s may not handle case %(number)s: it lies outside their grids.")
            % {"user": user, "number": case.number}
        )


def require_state(case: Case, step: str) -> None:
    if case.status not in TRANSITIONS[step]:
        raise CaseTransitionError(
            REFUSALS[step] % {"number": case.number, "status": case.get_status_display()}
        )


def require_note(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseError(message)
    return text


def check_member(case: Case, member: Member) -> None:
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


def load_locked(case: Case) -> Case:
    """The current row, locked until the transaction ends (PostgreSQL)."""
    return Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case.pk)


def record_step(
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
        actor=actor_account(acting_user),
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


def mark_answered(case: Case, now: dt.datetime) -> None:
    """Any staff step on an open case answers it (首问负责): the first one is recorded."""
    if case.first_response_at is None:
        case.first_response_at = now
