"""Fixtures for dual reporting: units with their party organisations, staff of both
communities, a street admin, and a helper that registers through the public page (the tree,
make_user and english come from tests/plugins/world.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache

from gridgov.accounts.models import StaffRole
from gridgov.people.models import CoBuildingUnit, OrgKind, PartyOrganisation

IN_B1 = Point(113.102, 23.002, srid=4326)  # building B1 of compound K1, community C1
IN_B4 = Point(113.113, 23.003, srid=4326)  # building B4, community C2
OPEN_K1 = Point(113.104, 23.0045, srid=4326)  # compound K1's open ground, no building
OUTSIDE = Point(113.300, 23.300, srid=4326)  # far from every grid
PASSWORD = "Hong-Qi-2026!x"


@dataclass
class Reporting:
    unit: CoBuildingUnit  # 区税务局
    org: PartyOrganisation  # its party branch
    other_unit: CoBuildingUnit  # 区医院
    other_org: PartyOrganisation
    c1sec: object  # community secretary of C1
    c1staff: object  # community staff of C1
    c2sec: object  # community secretary of C2
    street: object  # street admin over both communities
    branch: object  # branch secretary of compound K1: no reporting role


@pytest.fixture
def reporting(tree, make_user, settings) -> Reporting:
    unit = CoBuildingUnit.objects.create(name="区税务局")
    other_unit = CoBuildingUnit.objects.create(name="区人民医院")
    return Reporting(
        unit=unit,
        org=PartyOrganisation.objects.create(
            kind=OrgKind.UNIT_ORG, name="区税务局机关党支部", unit=unit
        ),
        other_unit=other_unit,
        other_org=PartyOrganisation.objects.create(
            kind=OrgKind.UNIT_ORG, name="区人民医院党委", unit=other_unit
        ),
        c1sec=make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1),
        c1staff=make_user("c1staff", StaffRole.COMMUNITY_STAFF, tree.c1),
        c2sec=make_user("c2sec", StaffRole.COMMUNITY_SECRETARY, tree.c2),
        street=make_user("street", StaffRole.STREET_ADMIN, scope="1000"),
        branch=make_user("k1branch", StaffRole.BRANCH_SECRETARY, tree.k1),
    )


@pytest.fixture
def fresh_cache():
    """The registration rate limit counts in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def form_data(reporting: Reporting, point: Point | None = IN_B1, **overrides) -> dict:
    """What a member types on the registration page (a map tap by default)."""
    data = {
        "name": "王芳",
        "gender": "F",
        "phone": "139 1234 5678",
        "kind": "in_service",
        "work_unit": reporting.unit.pk,
        "unit_organisation": reporting.org.pk,
        "address": "东湖花园1栋502",
        "specialty": "税务咨询",
        "service_intent": "周末值班",
        "pledge": "有事找我，随叫随到",
        "username": "wangfang",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "lon": "",
        "lat": "",
        "crs": "",
        "building": "",
    }
    if point is not None:
        data.update(lon=f"{point.x:.7f}", lat=f"{point.y:.7f}", crs="wgs84")
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def register(reporting):
    """Register through the public page (in English) with a fresh client; returns the
    response (followed) and the client, now signed in when it worked."""
    from django.test import Client

    def post(point: Point | None = IN_B1, *, client=None, **overrides):
        client = client or Client()
        response = client.post(
            "/en/reporting/register/", form_data(reporting, point, **overrides), follow=True
        )
        return response, client

    return post
