"""A simulated clock for the demo's history: the services run unchanged, but "now" is the
moment the demo pretends a step happened (an activity published a week ago, its check-ins
at the start, its hours confirmed after the end), so every rule about time is applied as it
would have been then, and every timestamp (audit rows included) reads as a real history.

Only for ``load_demo`` (one process, one thread): it replaces ``django.utils.timezone.now``,
which every service, ``auto_now_add`` field and ``timezone.localdate`` reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

# The day the people's past (reported on, founded, roles since) is drawn back from: never
# today, so a seed gives the same district whenever it is loaded.
REFERENCE_DATE = dt.date(2026, 1, 1)


@contextmanager
def at(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Run the block as if it were ``moment`` (an aware datetime)."""
    if timezone.is_naive(moment):
        raise ValueError("the demo clock needs an aware datetime")
    with mock.patch.object(timezone, "now", lambda: moment):
        yield moment


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at a local time of day (the site's time zone)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
