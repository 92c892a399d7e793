"""Service-level alarms: the moment a request misses its first-response or resolution
deadline, the community secretary over it is told — an in-app notice, an SMS to the phone of
the member record linked to their account, an e-mail when a mail server is configured.

The scheduler runs ``sla_breach_alarms`` on every pass (every ``GRIDGOV_SCHEDULER_TICK``
seconds), so the alarm follows the breach within a pass. Each alarm carries a key (the case,
the deadline and its time), so a pass that runs again, or a second scheduler, alarms nobody
twice; a reopened request has new deadlines and so new alarms. Deadlines missed more than
``LOOKBACK`` ago (the scheduler was stopped for longer) are not alarmed late: the work queue
and the dashboards show them."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from gridgov.accounts.models import StaffRole
from gridgov.cases.models import OPEN_STATUSES, Case, CaseCategory
from gridgov.cases.selectors import BREACHED, case_row
from gridgov.notices.kinds import NoticeKind
from gridgov.notices.services import notify, users_covering

LOOKBACK = dt.timedelta(hours=24)
ALARMED = (StaffRole.COMMUNITY_SECRETARY,)


def breached_since(now: dt.datetime, since: dt.datetime) -> list[tuple[Case, str, dt.datetime]]:
    """Open cases whose first-response or resolution deadline passed in (since, now], not
    met: (case, "first_response" | "resolution", deadline). One query per category and
    deadline; every case is confirmed by the same reading as the work queue's (case_row)."""
    found = []
    for category in CaseCategory.objects.all():
        windows = (
            (
                "first_response",
                dt.timedelta(minutes=category.first_response_sla_minutes),
                "first_response_at",
            ),
            ("resolution", dt.timedelta(hours=category.resolution_sla_hours), "resolved_at"),
        )
        for which, window, done in windows:
            cases = Case.objects.filter(
                category=category,
                status__in=OPEN_STATUSES,
                opened_at__gt=since - window,
                opened_at__lte=now - window,
                **{f"{done}__isnull": True},
            ).select_related("category")
            for case in cases.order_by("opened_at", "id"):
                row = case_row(case, now)
                state, due = (
                    (row.first_response, row.first_response_due)
                    if which == "first_response"
                    else (row.resolution, row.resolution_due)
                )
                if state == BREACHED:
                    found.append((case, which, due))
    return found


def sla_breach_alarms(*, now: dt.datetime | None = None) -> int:
    """Alarm the community secretary of every deadline missed since ``LOOKBACK`` ago; the
    number of notices left (0 when every one was alarmed before)."""
    now = now or timezone.now()
    sent = 0
    for case, which, due in breached_since(now, now - LOOKBACK):
        key = f"sla_breach:{case.pk}:{which}:{due:%Y%m%d%H%M}"
        try:
            with transaction.atomic():  # one case at a time: a twin's alarm leaves the rest
                sent += len(
                    notify(
                        users=users_covering(case.grid_code, ALARMED),
                        kind=NoticeKind.SLA_BREACHED,
                        params={
                            "number": case.number,
                            "title": case.title,
                            "deadline": which,
                            "due": date_format(timezone.localtime(due), "Y-m-d H:i"),
                        },
                        url=reverse("cases:detail", args=[case.number]),
                        key=key,
                        sms=True,
                    )
                )
        except IntegrityError:  # another scheduler alarmed it this very moment
            continue
    return sent
