"""Fixtures for activities and self-organised service: the seeded categories, staff of the
two communities and of compound K1, members with logins, activities published through the
service, and a way to let time pass for an activity (moving its times)."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.accounts.models import StaffRole
from gridgov.service import services
from gridgov.service.models import Activity, ServiceCategory
from tests.factories import MemberFactory
from tests.photos.images import jpeg, png

seed = importlib.import_module("gridgov.service.migrations.0002_seed_categories")

PLACE = Point(113.102, 23.006, srid=4326)  # open ground in compound K1 (community C1)
IN_B1 = Point(113.102, 23.002, srid=4326)
IN_B4 = Point(113.113, 23.003, srid=4326)  # community C2
OUTSIDE = Point(113.3, 23.2, srid=4326)  # in no community

# Real images (the photo pipeline decodes and re-encodes every upload).
PNG = png()
JPEG = jpeg()


@pytest.fixture
def categories(db) -> dict[str, ServiceCategory]:
    """The seeded categories (re-created when a transactional test flushed them)."""
    return {
        code: ServiceCategory.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in seed.CATEGORIES
    }


@dataclass
class People:
    c1_staff: object  # community secretary of C1
    k1_staff: object  # branch secretary of compound K1 (in C1)
    c2_staff: object  # community secretary of C2
    wang: object  # members living in C1, each with a login (member.user)
    li: object
    zhao: object  # a member living in C2
    nobody: object  # a signed-in user with no member record and no role


def member_with_login(name: str, username: str, location: Point):
    user = get_user_model().objects.create_user(username=username, password="x-Pass-2026!")
    return MemberFactory(name=name, location=location, user=user)


@pytest.fixture
def people(tree, make_user) -> People:
    return People(
        c1_staff=make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1),
        k1_staff=make_user("k1sec", StaffRole.BRANCH_SECRETARY, tree.k1),
        c2_staff=make_user("c2sec", StaffRole.COMMUNITY_SECRETARY, tree.c2),
        wang=member_with_login("王芳", "wang", IN_B1),
        li=member_with_login("李强", "li", Point(113.107, 23.003, srid=4326)),
        zhao=member_with_login("赵敏", "zhao", IN_B4),
        nobody=get_user_model().objects.create_user(username="nobody", password="x-Pass-2026!"),
    )


@pytest.fixture
def publish(categories, people, tree):
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
            category=categories[category],
            location=location,
            starts_at=start,
            ends_at=start + length,
            capacity=capacity,
            description="带好手套",
            address="东湖花园中心广场",
        )

    return make


def shift(
    activity: Activity, *, started: dt.timedelta, length: dt.timedelta | None = None
) -> Activity:
    """Let time pass: the activity started ``started`` ago (negative: starts later), with
    the same length unless given."""
    length = length or activity.length
    start = timezone.now() - started
    Activity.objects.filter(pk=activity.pk).update(starts_at=start, ends_at=start + length)
    activity.refresh_from_db()
    return activity


def upload(data: bytes = PNG, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded photos go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted in English (pages' tests use /en/ URLs)."""
    from django.utils import translation

    with translation.override("en"):
        yield
