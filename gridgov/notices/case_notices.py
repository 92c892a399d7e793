"""Who hears of what happens to a case (in-app notices, e-mail when configured, SMS).

The cases app knows nothing of notices: its services emit ``case.<action>`` events
(gridgov.events) with the case, the acting user and, for a dispatch, the member; the
handlers below are registered for them in ``NoticesConfig.ready()`` (``SUBSCRIPTIONS``).
They run inside the case's transaction; the person who acted is never told."""

from __future__ import annotations

from django.urls import reverse

from gridgov.accounts.models import StaffRole
from gridgov.cases.models import Action, Case
from gridgov.notices.delivery import sms_send
from gridgov.notices.kinds import NoticeKind
from gridgov.notices.services import GRID_STAFF, notify, users_covering


def _params(case: Case) -> dict:
    return {"number": case.number, "title": case.title, "status": str(case.get_status_display())}


def _url(case: Case) -> str:
    return reverse("cases:detail", args=[case.number])


def case_created(*, case: Case, acting_user, **_payload) -> None:
    """The grid's staff hear of a new request."""
    notify(
        users=users_covering(case.grid_code, GRID_STAFF),
        kind=NoticeKind.CASE_NEW,
        params=_params(case),
        url=_url(case),
        key=f"case_new:{case.pk}",
        exclude=acting_user,
    )


def case_reopened(*, case: Case, acting_user, **_payload) -> None:
    """The grid's staff hear of a reopened request (once per reopening)."""
    notify(
        users=users_covering(case.grid_code, GRID_STAFF),
        kind=NoticeKind.CASE_REOPENED,
        params=_params(case),
        url=_url(case),
        key=f"case_reopened:{case.pk}:{case.reopened_count}",
        exclude=acting_user,
    )


def case_dispatched(*, case: Case, acting_user, member=None, **_payload) -> None:
    """The member the request is sent to hears of it: a notice if they have a login, and an
    SMS to their phone (members without a login are reached this way only)."""
    if member is None:
        return
    if member.user_id and member.user_id == getattr(acting_user, "pk", None):
        return
    if member.user_id:
        notify(
            users=[member.user],
            kind=NoticeKind.CASE_DISPATCHED,
            params=_params(case),
            url=_url(case),
            exclude=acting_user,
        )
    sms_send(
        phone=member.phone,
        kind=NoticeKind.CASE_DISPATCHED,
        params=_params(case),
        url=_url(case),
        ref=f"case:{case.number}",
    )


def case_escalated(*, case: Case, acting_user, **_payload) -> None:
    """The street office over the grid hears of an escalation."""
    notify(
        users=users_covering(case.grid_code, [StaffRole.STREET_ADMIN]),
        kind=NoticeKind.CASE_ESCALATED,
        params=_params(case),
        url=_url(case),
        key=f"case_escalated:{case.pk}",
        exclude=acting_user,
    )


def case_finished(*, case: Case, acting_user, **_payload) -> None:
    """The requester (with a login) hears that the request was resolved or closed."""
    if not case.requester_user_id:
        return
    notify(
        users=[case.requester_user],
        kind=NoticeKind.CASE_FINISHED,
        params=_params(case),
        url=_url(case),
        exclude=acting_user,
    )


# event -> handler, registered by NoticesConfig.ready(); the event names are the cases'
# audit actions ("case." + Action).
SUBSCRIPTIONS = (
    (f"case.{Action.CREATED.value}", case_created),
    (f"case.{Action.REOPENED.value}", case_reopened),
    (f"case.{Action.DISPATCHED.value}", case_dispatched),
    (f"case.{Action.ESCALATED.value}", case_escalated),
    (f"case.{Action.RESOLVED.value}", case_finished),
    (f"case.{Action.CLOSED.value}", case_finished),
)
