"""Planning's world: members of the tree placed for branch planning (``build_town``: who is
eligible for a branch, who leads a building), and an estate of 16 buildings in a 4 × 4 block
for member groups and household teams (``build_estate``, ``populate``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.gis.geos import Point

from gridgov.grids.models import Grid, GridRole, Level, RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import Member, OrgKind, PartyOrganisation
from tests.factories import BuildingFactory, CommunityFactory, CompoundFactory, MemberFactory, box
from tests.world.tree import IN_B1, IN_B3, IN_B4, OPEN_K1, Tree

K1_OPEN = OPEN_K1  # K1, outside every building


@dataclass
class Town:
    tree: object
    k1_formal: list  # three formal members of K1
    k1_probationary: object
    k1_applicant: object
    k2_formal: list  # two formal members of K2
    k2_probationary: list
    k3_formal: list  # four formal members of K3


def build_town(tree: Tree) -> Town:
    """K1: 3 formal (+1 probationary, +1 applicant), no branch → eligible with 3.
    K2: 2 formal + 2 probationary → not eligible. K3: 4 formal and a branch already.
    Roles: B1 has a building leader, B3 a group leader (a contact, no leader), B2 an ended
    building leader term (so no contact), B4 nothing."""
    k1 = [MemberFactory(name=f"东{i}", location=IN_B1 if i else K1_OPEN) for i in range(3)]
    k1_prob = MemberFactory(name="东预备", location=IN_B1, probationary=True)
    k1_app = MemberFactory(name="东积极", location=IN_B1, applicant=True)
    k2 = [MemberFactory(name=f"西{i}", location=IN_B3) for i in range(2)]
    k2_prob = [MemberFactory(name=f"西预{i}", location=IN_B3, probationary=True) for i in range(2)]
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


def build_estate() -> Estate:
    """Community 100003 with compound 100003001 (16 buildings) and compound 100003002."""

    def make(level, code, name, geom, parent=None):
        factory = {1: CommunityFactory, 2: CompoundFactory, 3: BuildingFactory}[level]
        return factory(code=code, name=name, geom=geom, parent=parent)

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
