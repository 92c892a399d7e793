"""What the street demo's community life is built on: per community, its located members,
a few regular volunteers, its compounds and the buildings where activities meet."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.gis.geos import Point

from gridgov.grids.models import Grid, Level
from gridgov.people.models import Member, MemberKind


@dataclass(frozen=True)
class Place:
    grid: Grid
    point: Point


@dataclass
class Community:
    grid: Grid
    members: list[Member]
    core: list[Member]  # regular volunteers: most activities, posts, resources
    compounds: list[Grid]
    buildings_in: dict[int, list[Place]] = field(default_factory=dict)


def communities(rng: random.Random, *, core_size: int = 8) -> list[Community]:
    grids = list(
        Grid.objects.filter(level__in=(Level.COMMUNITY, Level.COMPOUND, Level.BUILDING))
        .select_related("parent")
        .order_by("code")
    )
    members: dict[int, list[Member]] = {}
    for m in (
        Member.objects.filter(building__isnull=False).select_related("community").order_by("id")
    ):
        members.setdefault(m.community_id, []).append(m)
    out: dict[int, Community] = {}
    for g in grids:
        if g.level == Level.COMMUNITY and len(members.get(g.pk, [])) > 3 * core_size:
            people = members[g.pk]
            volunteers = [m for m in people if m.kind != MemberKind.APPLICANT and m.is_formal]
            out[g.pk] = Community(
                grid=g, members=people, compounds=[], core=rng.sample(volunteers, core_size)
            )
    for g in grids:
        if g.level != Level.BUILDING or g.parent.parent_id not in out:
            continue
        c, compound = out[g.parent.parent_id], g.parent
        place = Place(grid=g, point=g.geom.point_on_surface)
        if compound.pk not in c.buildings_in:
            c.compounds.append(compound)
        c.buildings_in.setdefault(compound.pk, []).append(place)
        c.buildings_in.setdefault(c.grid.pk, []).append(place)
    return list(out.values())
