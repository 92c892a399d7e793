"""Who hears of what happens to a case (in-app notices, email when configured)."""

from __future__ import annotations

from django.urls import reverse

from gridgov.accounts.models import StaffRole
from gridgov.cases.models import Action, Case
from gridgov.notices.models import NoticeKind
from gridgov.notices.services import GRID_STAFF, notify, users_covering


def case_notify(case: Case, *, action: str, acting_user, member=None) -> None:
    """Leave the notices one step of a case calls for; the person who acted is skipped."""
    params = {"number": case.number, "title": case.title,
              "status": str(case.get_status_display())}
    url = reverse("cases:detail", args=[case.number])
    if action == Action.CREATED:
        notify(users=users_covering(case.grid_code, GRID_STAFF), kind=NoticeKind.CASE_NEW,
               params=params, url=url, key=f"case_new:{case.pk}", exclude=acting_user)
    elif action == Action.REOPENED:
        notify(users=users_covering(case.grid_code, GRID_STAFF),
               kind=NoticeKind.CASE_REOPENED, params=params, url=url,
               key=f"case_reopened:{case.pk}:{case.reopened_count}", exclude=acting_user)
    elif action == Action.DISPATCHED and member is not None and member.user_id:
        notify(users=[member.user], kind=NoticeKind.CASE_DISPATCHED, params=params, url=url,
               exclude=acting_user)
    elif action == Action.ESCALATED:
        notify(users=users_covering(case.grid_code, [StaffRole.STREET_ADMIN]),
               kind=NoticeKind.CASE_ESCALATED, params=params, url=url,
               key=f"case_escalated:{case.pk}", exclude=acting_user)
    elif action in (Action.RESOLVED, Action.CLOSED) and case.requester_user_id:
        notify(users=[case.requester_user], kind=NoticeKind.CASE_FINISHED, params=params,
               url=url, exclude=acting_user)
