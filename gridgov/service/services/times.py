"""The times the service writers tell people and check against: a moment as people read it
in a message, and when check-in opens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from gridgov.service.models import Activity


def when(moment: dt.datetime | None) -> str:
    """A time as people read it on the page (local time); "" for none."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def checkin_opens(activity: Activity) -> dt.datetime:
    """Check-in opens this long before the start (GRIDGOV_CHECKIN_OPENS_MINUTES, 60)."""
    minutes = getattr(settings, "GRIDGOV_CHECKIN_OPENS_MINUTES", 60)
    return activity.starts_at - dt.timedelta(minutes=minutes)
