"""Reporting periods: calendar quarters and years in the site's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    """[start, end) as dates, and the same as aware datetimes in the site's time zone."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.end, dt.time.min))


def quarter(year: int, q: int) -> Period:
    if not 1 <= q <= 4:
        raise ValueError(f"quarter {q}: must be 1 to 4")
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    return Period(start, end, f"{year}Q{q}")


def year(y: int) -> Period:
    return Period(dt.date(y, 1, 1), dt.date(y + 1, 1, 1), str(y))


def current_quarter(today: dt.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1
