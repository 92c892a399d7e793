"""Fixtures for branch planning: members placed in the fixture tree, leaders, branches."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point

from gridgov.accounts.models import StaffRole
from gridgov.grids.models import Grid, GridRole, Level, RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import Member, MemberKind, OrgKind, PartyOrganisation
from tests.factories import MemberFactory

IN_B1 = Point(113.102, 23.002, srid=4326)  # K1, building B1
K1_OPEN = Point(113.102, 23.006, srid=4326)  # K1, outside every building
IN_B3 = Point(113.107, 23.003, srid=4326)  # K2, building B3
IN_B4 = Point(113.113, 23.003, srid=4326)  # K3 (community C2), building B4


@dataclass
class Town:
    tree: object
    k1_formal: list  # three formal members of K1
    k1_probationary: object
    k1_applicant: object
    k2_formal: list  # two formal members of K2
    k2_probationary: list
    k3_formal: list  # four formal members of K3


@pytest.fixture
def town(tree) -> Town:
    """K1: 3 formal (+1 probationary, +1 applicant), no branch → eligible with 3.
    K2: 2 formal + 2 probationary → not eligible. K3: 4 formal and a branch already.
    Roles: B1 has a building leader, B3 a group leader (a contact, no leader), B2 an ended
    building leader term (so no contact), B4 nothing."""
    k1 = [MemberFactory(name=f"东{i}", location=IN_B1 if i else K1_OPEN) for i in range(3)]
    k1_prob = MemberFactory(name="东预备", location=IN_B1, is_formal=False)
    k1_app = MemberFactory(name="东积极", location=IN_B1, kind=MemberKind.APPLICANT)
    k2 = [MemberFactory(name=f"西{i}", location=IN_B3) for i in range(2)]
    k2_prob = [MemberFactory(name=f"西预{i}", location=IN_B3, is_formal=False) for i in range(2)]
    k3 = [MemberFactory(name=f"南{i}", location=IN_B4) for i in range(4)]
    PartyOrganisation.objects.create(kind=OrgKind.COMPOUND_BRANCH, name="南山支部",
                                     grid=tree.k3, secretary=k3[0])
    gridrole_assign(grid=tree.b1, member=k1[1], role=RoleKind.BUILDING_LEADER, acting_user=None)
    gridrole_assign(grid=tree.b3, member=k2[0], role=RoleKind.GROUP_LEADER, acting_user=None)
    old = gridrole_assign(grid=tree.b2, member=k1[2], role=RoleKind.BUILDING_LEADER,
                          acting_user=None, since=dt.date(2024, 1, 1))
    GridRole.objects.filter(pk=old.pk).update(until=dt.date(2025, 1, 1))
    return Town(tree, k1, k1_prob, k1_app, k2, k2_prob, k3)


# ---- independent computations from raw rows (no selector code) ----

def expected_eligible(prefix: str = "") -> dict[str, int]:
    """Compound code -> formal members, computed by walking every row in Python."""
    formal = Counter(m.compound_id for m in Member.objects.all()
                     if m.compound_id and m.is_formal and m.kind != MemberKind.APPLICANT)
    branched = {o.grid_id for o in PartyOrganisation.objects.all()
                if o.kind == OrgKind.COMPOUND_BRANCH}
    return {g.code: formal[g.pk] for g in Grid.objects.all()
            if g.level == Level.COMPOUND and g.kind == "residential"
            and g.code.startswith(prefix) and g.pk not in branched and formal[g.pk] >= 3}


def _current(roles) -> set[int]:
    today_rows = [r for r in GridRole.objects.all() if r.until is None and r.role in roles]
    return {r.grid_id for r in today_rows}


def expected_unled(prefix: str = "") -> dict[str, set[str]]:
    """Branch compound code -> codes of its buildings without a current building leader."""
    branched = {o.grid_id for o in PartyOrganisation.objects.all()
                if o.kind == OrgKind.COMPOUND_BRANCH}
    led = _current({RoleKind.BUILDING_LEADER})
    out: dict[str, set[str]] = {}
    for b in Grid.objects.all():
        if b.level == Level.BUILDING and b.parent_id in branched and b.pk not in led \
                and b.code.startswith(prefix):
            out.setdefault(Grid.objects.get(pk=b.parent_id).code, set()).add(b.code)
    return out


def expected_no_contact(prefix: str = "") -> set[str]:
    contact = _current({RoleKind.BUILDING_LEADER, RoleKind.GROUP_LEADER, RoleKind.GROUP_DEPUTY})
    return {b.code for b in Grid.objects.all()
            if b.level == Level.BUILDING and b.pk not in contact and b.code.startswith(prefix)}


@pytest.fixture
def staff(tree, make_user):
    """Planners: a street admin over everything, a secretary of C1, staff of C2."""
    return {
        "street": make_user("street", StaffRole.STREET_ADMIN, scope="1000"),
        "c1": make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1),
        "c2": make_user("c2staff", StaffRole.COMMUNITY_STAFF, tree.c2),
    }
