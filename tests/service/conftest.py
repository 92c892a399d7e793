"""Fixtures for activities and self-organised service: publishing an activity through the
service (tests/service/helpers.py lets time pass for it and makes uploads), media in a
temporary directory and refusals in English. The tree, the cast (``people``: staff of C1, K1 and C2,
members with logins) and the categories are the suite's (tests/plugins/world.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from gridgov.service import services
from gridgov.service.models import Activity
from tests.service.helpers import PLACE


@pytest.fixture
def publish(service_categories, people, tree):
    """Publish an activity of compound K1 (by its branch secretary), starting in two hours
    and lasting two hours, unless told otherwise."""

    def make(
        title: str = "清理楼道杂物",
        *,
        capacity: int = 10,
        location: Point = PLACE,
        grid=None,
        by=None,
        category: str = "clean_home",
        starts_in: dt.timedelta = dt.timedelta(hours=2),
        length: dt.timedelta = dt.timedelta(hours=2),
    ) -> Activity:
        start = timezone.now() + starts_in
        return services.activity_publish(
            acting_user=by or people.k1_staff,
            organiser_grid=grid or tree.k1,
            title=title,
            category=service_categories[category],
            location=location,
            starts_at=start,
            ends_at=start + length,
            capacity=capacity,
            description="带好手套",
            address="东湖花园中心广场",
        )

    return make


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded photos go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def in_english(english):
    """Refusals are asserted in English (pages' tests use /en/ URLs)."""
