"""Fixtures for posts and the three lists: the seeded catalogue, staff of both communities,
a building leader who may look but not read residents, and members with logins."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.utils import timezone

from gridgov.accounts.models import StaffRole
from gridgov.cases.models import CaseCategory
from gridgov.posts.models import CaseCategoryLink, PostKind
from gridgov.service.models import ServiceCategory
from tests.factories import MemberFactory

service_seed = importlib.import_module("gridgov.service.migrations.0002_seed_categories")
case_seed = importlib.import_module("gridgov.cases.migrations.0002_seed_categories")
posts_seed = importlib.import_module("gridgov.posts.migrations.0002_seed_kinds")

IN_B1 = Point(113.102, 23.002, srid=4326)  # building B1 of compound K1, community C1
IN_B2 = Point(113.104, 23.002, srid=4326)  # building B2, K1, C1
IN_B3 = Point(113.107, 23.003, srid=4326)  # building B3, K2, C1
IN_B4 = Point(113.113, 23.003, srid=4326)  # building B4, K3, C2
PASSWORD = "x-Pass-2026!"


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted in English (pages are checked through /en/ or gettext)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def catalogue(db) -> dict[str, PostKind]:
    """The seeded service categories, case categories, post kinds and case links
    (re-created when a transactional test flushed the migrations' rows)."""
    for code, name in service_seed.CATEGORIES:
        ServiceCategory.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, kind, minutes, hours in case_seed.CATEGORIES:
        CaseCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "first_response_sla_minutes": minutes,
                "resolution_sla_hours": hours,
            },
        )
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    for code, name, category in posts_seed.KINDS:
        PostKind.objects.get_or_create(
            code=code, defaults={"name": name, "category": categories[category]}
        )
    for case_code, service_code in posts_seed.CASE_LINKS:
        CaseCategoryLink.objects.get_or_create(
            case_category=CaseCategory.objects.get(code=case_code),
            defaults={"service_category": categories[service_code]},
        )
    return {k.code: k for k in PostKind.objects.all()}


@pytest.fixture
def categories(catalogue) -> dict[str, ServiceCategory]:
    return {c.code: c for c in ServiceCategory.objects.all()}


@dataclass
class Staff:
    c1: object  # community secretary of C1
    c2: object  # community secretary of C2
    leader: object  # building leader over C1: may look, not read residents nor manage


@pytest.fixture
def staff(tree, make_user) -> Staff:
    return Staff(
        c1=make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1),
        c2=make_user("c2sec", StaffRole.COMMUNITY_SECRETARY, tree.c2),
        leader=make_user("c1lead", StaffRole.BUILDING_LEADER, tree.c1),
    )


@pytest.fixture
def member_with_login(tree):
    """A member living at a point, with an account they sign in with."""

    def make(username: str, name: str, location: Point = IN_B1, **extra):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        return MemberFactory(name=name, location=location, user=user, **extra)

    return make
