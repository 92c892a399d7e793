"""Reminders, swept every 5 minutes by the scheduler (notices/scheduler.py; alone:
``manage.py send_reminders``): deadlines about to be missed, activities tomorrow. Each
reminder has a key, so a sweep that runs again reminds nobody twice. Deadlines already
missed are alarmed by notices/alarms.py."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from gridgov.cases.models import OPEN_STATUSES, Case
from gridgov.cases.selectors import DUE_SOON, case_row
from gridgov.notices.models import NoticeKind
from gridgov.notices.services import GRID_STAFF, notify, users_covering


def sla_reminders(*, now: dt.datetime | None = None) -> int:
    """Notify the grid's staff of every open case whose first-response or resolution
    deadline is due soon (less than a quarter of its window left) and not yet missed."""
    now = now or timezone.now()
    sent = 0
    cases = (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .select_related("category")
        .order_by("opened_at", "id")
    )
    for case in cases.iterator(chunk_size=500):
        row = case_row(case, now)
        for which, state, due in (
            ("first_response", row.first_response, row.first_response_due),
            ("resolution", row.resolution, row.resolution_due),
        ):
            if state != DUE_SOON:
                continue
            local_due = timezone.localtime(due)
            sent += len(
                notify(
                    users=users_covering(case.grid_code, GRID_STAFF),
                    kind=NoticeKind.SLA_DUE,
                    params={
                        "number": case.number,
                        "title": case.title,
                        "deadline": which,
                        "due": date_format(local_due, "Y-m-d H:i"),
                    },
                    url=reverse("cases:detail", args=[case.number]),
                    key=f"sla:{case.pk}:{which}:{due:%Y%m%d%H%M}",
                )
            )
    return sent


def activity_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind every member signed up (with a login) of an activity starting tomorrow."""
    from gridgov.service.selectors import signups_tomorrow

    sent = 0
    for signup in signups_tomorrow(now):
        user = signup.member.user
        if user is None:
            continue
        activity = signup.activity
        sent += len(
            notify(
                users=[user],
                kind=NoticeKind.ACTIVITY_TOMORROW,
                params={
                    "title": activity.title,
                    "start": date_format(timezone.localtime(activity.starts_at), "Y-m-d H:i"),
                },
                url=reverse("service:activity", args=[activity.pk]),
                key=f"activity:{activity.pk}:{activity.starts_at:%Y%m%d%H%M}",
            )
        )
    return sent


def run_all(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every sweep; the number of notices each left."""
    return {"sla": sla_reminders(now=now), "activities": activity_reminders(now=now)}
