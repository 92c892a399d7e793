"""Writers of notices. Notices are created inside the caller's transaction (so a rolled-back
change notifies nobody); email goes out only after the commit (transaction.on_commit)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone, translation

from gridgov.accounts.models import Assignment, StaffRole
from gridgov.notices.models import Notice
from gridgov.notices.texts import notice_text

log = logging.getLogger(__name__)

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
    *, users: Iterable, kind: str, params: dict, url: str = "", key: str = "", exclude=None
) -> list[Notice]:
    """Leave a notice for each user (once per ``key`` when given); ``exclude`` (the user who
    acted) is skipped. Email follows after the commit when configured."""
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
    if notices and settings.GRIDGOV_NOTICE_EMAIL:
        ids = [n.pk for n in notices]
        transaction.on_commit(lambda: email_notices(ids))
    return notices


def email_notices(notice_ids: list[int]) -> int:
    """Send the notices to their recipients' email addresses (in the site's language) and
    mark them emailed. A mail server that fails is logged; the in-app notice stays."""
    notices = list(
        Notice.objects.filter(pk__in=notice_ids, emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
    )
    if not notices:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        messages = []
        for n in notices:
            text = notice_text(n)
            body = text + (
                "\n\n" + settings.GRIDGOV_SITE_URL.rstrip("/") + n.url
                if n.url and settings.GRIDGOV_SITE_URL
                else ""
            )
            messages.append((text[:150], body, None, [n.user.email]))
    try:
        sent = send_mass_mail(messages, fail_silently=False)
    except OSError:
        log.exception("notices: email failed for %d notices", len(notices))
        return 0
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=timezone.now())
    return sent


def notice_read(*, notice: Notice) -> Notice:
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def notices_read_all(*, user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
