"""Dual reporting's world: two co-building units with their party organisations, the
reporting staff of both communities (and a branch secretary with no reporting role), and
what a member types on the public registration page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point

from gridgov.accounts.models import StaffRole
from gridgov.people.models import CoBuildingUnit, OrgKind, PartyOrganisation
from tests.factories import StaffFactory
from tests.world.tree import IN_B1, Tree

REGISTER_PASSWORD = "Hong-Qi-2026!x"  # what the registering member chooses


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


def build_reporting(tree: Tree) -> Reporting:
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
        c1sec=StaffFactory(username="c1sec", role=StaffRole.COMMUNITY_SECRETARY, grid=tree.c1),
        c1staff=StaffFactory(username="c1staff", role=StaffRole.COMMUNITY_STAFF, grid=tree.c1),
        c2sec=StaffFactory(username="c2sec", role=StaffRole.COMMUNITY_SECRETARY, grid=tree.c2),
        street=StaffFactory(username="street", role=StaffRole.STREET_ADMIN, scope="1000"),
        branch=StaffFactory(username="k1branch", role=StaffRole.BRANCH_SECRETARY, grid=tree.k1),
    )


def registration_form(reporting: Reporting, point: Point | None = IN_B1, **overrides) -> dict:
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
        "password1": REGISTER_PASSWORD,
        "password2": REGISTER_PASSWORD,
        "lon": "",
        "lat": "",
        "crs": "",
        "building": "",
    }
    if point is not None:
        data.update(lon=f"{point.x:.7f}", lat=f"{point.y:.7f}", crs="wgs84")
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
