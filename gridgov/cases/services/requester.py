"""What the requester does once a case is resolved or closed: feedback, reopening."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor
from gridgov.accounts.services import snapshot
from gridgov.cases.errors import CaseError, CaseNotAllowed
from gridgov.cases.models import (
    Action,
    Case,
    Status,
)
from gridgov.cases.services.steps import (
    load_locked,
    record_step,
    require_note,
    require_staff,
    require_state,
)


@transaction.atomic
def case_feedback(*, case: Case, acting_user: Actor, satisfaction: int, text: str = "") -> Case:
    """The requester says how it went (1-5), after the case is resolved or closed."""
    case = load_locked(case)
    if (
        acting_user is None
        or case.requester_user_id is None
        or case.requester_user_id != acting_user.pk
    ):
        raise CaseNotAllowed(
            _("Only the resident who raised case %(number)s can give feedback on it.")
            % {"number": case.number}
        )
    require_state(case, "feedback")
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
    record_step(
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
    case = load_locked(case)
    is_requester = acting_user is not None and case.requester_user_id == acting_user.pk
    if not is_requester:
        require_staff(case, acting_user)
    require_state(case, "reopen")
    reason = require_note(
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
    record_step(
        case,
        acting_user=acting_user,
        action=Action.REOPENED,
        from_status=from_status,
        before=before,
        note=reason,
        at=now,
    )
    return case
