"""The fixed grid tree every folder's tests place people in, and the points that name where.

Two communities: C1 holds compounds K1 (buildings B1 | B2 sharing the edge x=113.103, and
open ground north of them) and K2 (building B3); C2 holds K3 with building B4."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point

from gridgov.grids.models import Grid
from tests.factories import BuildingFactory, CommunityFactory, CompoundFactory, box

IN_B1 = Point(113.102, 23.002, srid=4326)  # building B1 (compound K1, community C1)
IN_B2 = Point(113.104, 23.002, srid=4326)  # building B2 (K1, C1)
IN_B3 = Point(113.107, 23.003, srid=4326)  # building B3 (K2, C1)
IN_B4 = Point(113.113, 23.003, srid=4326)  # building B4 (K3, community C2)
OPEN_K1 = Point(113.102, 23.006, srid=4326)  # open ground in K1, in no building
OPEN_K3 = Point(113.115, 23.006, srid=4326)  # open ground in K3
OUTSIDE = Point(113.3, 23.2, srid=4326)  # in no community


@dataclass
class Tree:
    c1: Grid
    k1: Grid
    b1: Grid
    b2: Grid
    k2: Grid
    b3: Grid
    c2: Grid
    k3: Grid
    b4: Grid


def build_tree() -> Tree:
    def community(code, name, geom):
        return CommunityFactory(code=code, name=name, geom=geom)

    def compound(parent, code, name, geom):
        return CompoundFactory(parent=parent, code=code, name=name, geom=geom)

    def building(parent, code, geom):
        return BuildingFactory(parent=parent, code=code, name=f"{int(code[-3:])}栋", geom=geom)

    c1 = community("100001", "东湖社区", box(113.100, 23.000, 113.110, 23.010))
    k1 = compound(c1, "100001001", "东湖花园", box(113.101, 23.001, 113.105, 23.009))
    b1 = building(k1, "100001001001", box(113.101, 23.001, 113.103, 23.003))
    b2 = building(k1, "100001001002", box(113.103, 23.001, 113.105, 23.003))
    k2 = compound(c1, "100001002", "西苑", box(113.105, 23.001, 113.109, 23.009))
    b3 = building(k2, "100001002001", box(113.106, 23.002, 113.108, 23.004))
    c2 = community("100002", "南山社区", box(113.110, 23.000, 113.120, 23.010))
    k3 = compound(c2, "100002001", "南山小区", box(113.111, 23.001, 113.119, 23.009))
    b4 = building(k3, "100002001001", box(113.112, 23.002, 113.114, 23.004))
    return Tree(c1, k1, b1, b2, k2, b3, c2, k3, b4)
