"""Fixtures for cases: the seeded categories, members and a requester account."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from gridgov.accounts.models import StaffRole
from gridgov.cases.models import CaseCategory
from gridgov.cases.services import case_create
from gridgov.people.models import ReportStatus
from tests.factories import MemberFactory

seed = importlib.import_module("gridgov.cases.migrations.0002_seed_categories")

IN_B1 = Point(113.102, 23.002, srid=4326)  # building B1 of compound K1, community C1
IN_B4 = Point(113.113, 23.003, srid=4326)  # building B4, community C2
CONFIRMED = ReportStatus.CONFIRMED


@pytest.fixture
def categories(db) -> dict[str, CaseCategory]:
    """The seeded categories (re-created when a transactional test flushed them)."""
    out = {}
    for code, name, kind, minutes, hours in seed.CATEGORIES:
        out[code], _ = CaseCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "first_response_sla_minutes": minutes,
                "resolution_sla_hours": hours,
            },
        )
    return out


@dataclass
class People:
    staff: object  # community secretary of C1
    other_staff: object  # community secretary of C2
    resident: object  # the requester's own account
    stranger: object  # another resident's account
    wang: object  # members living in C1 (their reporting confirmed: they may be dispatched)
    li: object
    zhao: object  # a member living in C2


@pytest.fixture
def people(tree, make_user) -> People:
    user = get_user_model().objects.create_user
    return People(
        staff=make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1),
        other_staff=make_user("c2sec", StaffRole.COMMUNITY_SECRETARY, tree.c2),
        resident=user(username="resident", password="x-Pass-2026!"),
        stranger=user(username="stranger", password="x-Pass-2026!"),
        wang=MemberFactory(name="王芳", location=IN_B1, report_status=CONFIRMED),
        li=MemberFactory(
            name="李强", location=Point(113.107, 23.003, srid=4326), report_status=CONFIRMED
        ),
        zhao=MemberFactory(name="赵敏", location=IN_B4, report_status=CONFIRMED),
    )


@pytest.fixture
def new_case(categories, people):
    """A factory of cases raised by the resident account, in building B1 by default."""

    def make(category: str = "repair", location: Point = IN_B1, **extra):
        fields = {
            "channel": "phone",
            "title": "楼道灯不亮",
            "requester_name": "陈阿姨",
            "requester_phone": "13800001234",
            "requester_user": people.resident,
            "description": "三楼楼道灯坏了一周",
        }
        fields.update(extra)
        return case_create(
            acting_user=people.staff, category=categories[category], location=location, **fields
        )

    return make


@pytest.fixture(autouse=True)
def english():
    """Refusal messages are asserted in English here (the zh-hans catalogue translates them;
    the pages' tests compare against gettext, whatever the language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
