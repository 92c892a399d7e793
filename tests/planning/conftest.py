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
    PartyOrganisation.objects.create(
        kind=OrgKind.COMPOUND_BRANCH, name="南山支部", grid=tree.k3, secretary=k3[0]
    )
    gridrole_assign(grid=tree.b1, member=k1[1], role=RoleKind.BUILDING_LEADER, acting_user=None)
    gridrole_assign(grid=tree.b3, member=k2[0], role=RoleKind.GROUP_LEADER, acting_user=None)
    old = gridrole_assign(
        grid=tree.b2,
        member=k1[2],
        role=RoleKind.BUILDING_LEADER,
        acting_user=None,
        since=dt.date(2024, 1, 1),
    )
    GridRole.objects.filter(pk=old.pk).update(until=dt.date(2025, 1, 1))
    return Town(tree, k1, k1_prob, k1_app, k2, k2_prob, k3)


# ---- independent computations from raw rows (no selector code) ----


def expected_eligible(prefix: str = "") -> dict[str, int]:
    """Compound code -> formal members, computed by walking every row in Python."""
    formal = Counter(
        m.compound_id
        for m in Member.objects.all()
        if m.compound_id and m.is_formal and m.kind != MemberKind.APPLICANT
    )
    branched = {
        o.grid_id for o in PartyOrganisation.objects.all() if o.kind == OrgKind.COMPOUND_BRANCH
    }
    return {
        g.code: formal[g.pk]
        for g in Grid.objects.all()
        if g.level == Level.COMPOUND
        and g.kind == "residential"
        and g.code.startswith(prefix)
        and g.pk not in branched
        and formal[g.pk] >= 3
    }


def _current(roles) -> set[int]:
    today_rows = [r for r in GridRole.objects.all() if r.until is None and r.role in roles]
    return {r.grid_id for r in today_rows}


def expected_unled(prefix: str = "") -> dict[str, set[str]]:
    """Branch compound code -> codes of its buildings without a current building leader."""
    branched = {
        o.grid_id for o in PartyOrganisation.objects.all() if o.kind == OrgKind.COMPOUND_BRANCH
    }
    led = _current({RoleKind.BUILDING_LEADER})
    out: dict[str, set[str]] = {}
    for b in Grid.objects.all():
        if (
            b.level == Level.BUILDING
            and b.parent_id in branched
            and b.pk not in led
            and b.code.startswith(prefix)
        ):
            out.setdefault(Grid.objects.get(pk=b.parent_id).code, set()).add(b.code)
    return out


def expected_no_contact(prefix: str = "") -> set[str]:
    contact = _current({RoleKind.BUILDING_LEADER, RoleKind.GROUP_LEADER, RoleKind.GROUP_DEPUTY})
    return {
        b.code
        for b in Grid.objects.all()
        if b.level == Level.BUILDING and b.pk not in contact and b.code.startswith(prefix)
    }


@pytest.fixture
def staff(tree, make_user):
    """Planners: a street admin over everything, a secretary of C1, staff of C2."""
    return {
        "street": make_user("street", StaffRole.STREET_ADMIN, scope="1000"),
        "c1": make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1),
        "c2": make_user("c2staff", StaffRole.COMMUNITY_STAFF, tree.c2),
    }


# ---- member groups and household teams: an estate of 16 buildings in a 4 × 4 block ----------


@dataclass
class Estate:
    community: Grid
    compound: Grid
    buildings: list  # 16 building grids, row by row from the south-west
    other: Grid  # a second compound of the same community, with 2 buildings
    other_buildings: list


ESTATE_X, ESTATE_Y = 113.131, 23.001  # south-west corner of the compound
STEP = 0.004  # building pitch in degrees (~400 m): buildings 0.002 wide with gaps


def centre_of(building: Grid) -> Point:
    c = building.geom.centroid
    return Point(c.x, c.y, srid=4326)


@pytest.fixture
def estate(tree) -> Estate:
    """Community 100003 with compound 100003001 (16 buildings) and compound 100003002."""
    from gridgov.grids.models import Kind
    from gridgov.grids.services import grid_create
    from tests.conftest import box

    def make(level, code, name, geom, parent=None, kind=None):
        kind = kind or {1: Kind.COMMUNITY, 2: Kind.RESIDENTIAL, 3: Kind.BUILDING}[level]
        return grid_create(
            acting_user=None, level=level, code=code, name=name, kind=kind, geom=geom, parent=parent
        )

    community = make(Level.COMMUNITY, "100003", "锦华社区", box(113.130, 23.000, 113.160, 23.030))
    compound = make(
        Level.COMPOUND,
        "100003001",
        "锦华苑",
        box(ESTATE_X, ESTATE_Y, ESTATE_X + 4 * STEP, ESTATE_Y + 4 * STEP),
        community,
    )
    buildings = []
    for row in range(4):
        for col in range(4):
            n = row * 4 + col + 1
            x, y = ESTATE_X + col * STEP + 0.001, ESTATE_Y + row * STEP + 0.001
            buildings.append(
                make(
                    Level.BUILDING,
                    f"100003001{n:03d}",
                    f"{n}栋",
                    box(x, y, x + 0.002, y + 0.002),
                    compound,
                )
            )
    other = make(
        Level.COMPOUND, "100003002", "锦绣苑", box(113.150, 23.001, 113.158, 23.009), community
    )
    others = [
        make(
            Level.BUILDING,
            f"100003002{n:03d}",
            f"{n}栋",
            box(113.151 + (n - 1) * 0.003, 23.002, 113.153 + (n - 1) * 0.003, 23.004),
            other,
        )
        for n in (1, 2)
    ]
    return Estate(community, compound, buildings, other, others)


def populate(
    estate: Estate, counts: dict[int, int], *, prefix: str = "员", probationary_every: int = 0
) -> list[Member]:
    """Members living in the estate's buildings: ``counts`` maps building index (0–15) to how
    many. Every ``probationary_every``-th member is probationary."""
    made = []
    k = 0
    for index, count in sorted(counts.items()):
        where = centre_of(estate.buildings[index])
        for _ in range(count):
            k += 1
            made.append(
                MemberFactory(
                    name=f"{prefix}{index:02d}-{k:03d}",
                    location=where,
                    is_formal=not (probationary_every and k % probationary_every == 0),
                )
            )
    return made


def spread(n: int) -> dict[int, int]:
    """n members over the 16 buildings, unevenly (weights 1–4), deterministic."""
    weights = [(i % 4) + 1 for i in range(16)]
    total = sum(weights)
    counts = {i: n * w // total for i, w in enumerate(weights)}
    short = n - sum(counts.values())
    for i in range(short):
        counts[i % 16] += 1
    return {i: c for i, c in counts.items() if c}
