"""Where a compound's buildings and members are, in local metres, for groups and teams alike:
one projection centre per compound, the centres of buildings and of loose points, each
member's unit, and the Hilbert order of the buildings that households and members are
lined up in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias, cast

import shapely
from django.contrib.gis.geos import Point

from geodata.measure import project
from gridgov.grids.models import Grid, Level
from gridgov.people.models import Member
from gridgov.planning.groups.splitting import hilbert_keys

XY: TypeAlias = tuple[float, float]  # a position in metres (or lon, lat for a frame)


def compound_of(target: Grid) -> Grid:
    """The compound itself, or the compound a building lies in."""
    if target.level == Level.COMPOUND:
        return target
    return cast(Grid, target.parent)  # a building's parent is its compound (grids' tree)


def frame(compound: Grid) -> XY:
    """The one projection centre (lon, lat) for everything measured in a compound, so that
    every position computed for it is in the same local metres."""
    c = compound.geom.centroid
    return (c.x, c.y)


def centres(
    grids: Sequence[Grid], points: Mapping[int, Point], frame: XY
) -> tuple[dict[int, XY], dict[int, XY]]:
    """Centres in local metres (projected around ``frame``): of grids (by id) and of loose
    points (by key)."""
    shapes = [shapely.from_wkb(bytes(g.geom.wkb)).centroid for g in grids]
    loose = list(points)
    shapes += [shapely.Point(points[k].x, points[k].y) for k in loose]
    projected = project(shapes, centre=frame) if shapes else []
    xy = [(float(shapely.get_x(p)), float(shapely.get_y(p))) for p in projected]
    by_grid = {g.pk: p for g, p in zip(grids, xy[: len(grids)], strict=True)}
    by_key = dict(zip(loose, xy[len(grids) :], strict=True))
    return by_grid, by_key


def unit_positions(members: Sequence[Member], frame: XY) -> dict[int, tuple[str, float, float]]:
    """Each member's unit (building code, or their own key when in no building) and the
    unit's centre in metres."""
    buildings = {m.building.pk: m.building for m in members if m.building is not None}
    loose = {m.pk: m.location for m in members if m.building is None and m.location is not None}
    by_grid, by_key = centres(list(buildings.values()), loose, frame)
    out: dict[int, tuple[str, float, float]] = {}
    for m in members:
        if m.building is not None:
            out[m.pk] = (m.building.code, *by_grid[m.building.pk])
        elif m.pk in by_key:
            out[m.pk] = (f"~{m.pk}", *by_key[m.pk])
        else:
            out[m.pk] = (f"~{m.pk}", 0.0, 0.0)
    return out


def building_ranks(compound: Grid) -> dict[int, int]:
    """Building id → its place along a Hilbert curve through the compound's buildings: the
    one order households and members of a compound are lined up in."""
    buildings = list(Grid.objects.filter(parent=compound, level=Level.BUILDING).order_by("code"))
    if not buildings:
        return {}
    by_grid, _ = centres(buildings, {}, frame(compound))
    keys = hilbert_keys([by_grid[g.pk] for g in buildings])
    ordered = sorted(
        zip(keys, [g.code for g in buildings], buildings, strict=True), key=lambda t: (t[0], t[1])
    )
    return {g.pk: i for i, (_k, _c, g) in enumerate(ordered)}


def rank_of(ranks: Mapping[int, int], building_id: int | None) -> int:
    """A building's place in ``ranks``; after all of them for no building or one not ranked."""
    last = len(ranks)
    return last if building_id is None else ranks.get(building_id, last)
