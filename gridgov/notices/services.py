"""Writers of notices. Notices are created inside the caller's transaction (so a rolled-back
change notifies nobody); their e-mail and SMS are queued in the same transaction and leave
after the commit (gridgov.messaging: right after it when cheap, else by the scheduler)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils import timezone

from gridgov.accounts.actors import Account, Actor
from gridgov.accounts.models import Assignment, StaffRole
from gridgov.notices.delivery import notices_send
from gridgov.notices.models import Notice

# Who hears of new and reopened requests in their grid (a street office hears of escalations).
GRID_STAFF = (
    StaffRole.COMMUNITY_SECRETARY,
    StaffRole.COMMUNITY_STAFF,
    StaffRole.BRANCH_SECRETARY,
    StaffRole.GRID_LEADER,
    StaffRole.BUILDING_LEADER,
)


def users_covering(grid_code: str, roles: Iterable[str]) -> list:
    """Active users holding one of ``roles`` over a grid subtree containing ``grid_code``
    (their scope code is a prefix of it; an empty scope covers everything)."""
    prefixes = [grid_code[:i] for i in range(len(grid_code) + 1)]
    user_ids = Assignment.objects.filter(scope_code__in=prefixes, role__in=list(roles)).values(
        "user_id"
    )
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))


def notify(
    *,
    users: Iterable,
    kind: str,
    params: dict,
    url: str = "",
    key: str = "",
    exclude: Actor = None,
    sms: bool = False,
) -> list[Notice]:
    """Leave a notice for each user (once per ``key`` when given); ``exclude`` (the user who
    acted) is skipped. Each new notice's e-mail (when a mail server is configured) and, with
    ``sms``, its SMS are queued in the same transaction (notices.delivery): they leave after
    the commit, never inside the request's work."""
    recipients = {
        u.pk: u
        for u in users
        if u is not None and (exclude is None or u.pk != getattr(exclude, "pk", None))
    }
    if key:
        already = set(
            Notice.objects.filter(user_id__in=list(recipients), key=key).values_list(
                "user_id", flat=True
            )
        )
        recipients = {pk: u for pk, u in recipients.items() if pk not in already}
    notices = [
        Notice.objects.create(user=u, kind=kind, params=params, url=url, key=key)
        for u in recipients.values()
    ]
    if notices:
        notices_send(notices, sms=sms)
    return notices


def notice_read(*, notice: Notice) -> Notice:
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_read_all(*, user: Account) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
