"""Helpers of the posts tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)
