"""Which grids a point lies in, computed in memory: the community, compound and building
covering it and, outside every building, the nearest building and its distance in metres.

One rule for every caller: a service placing one person, case or activity (``locate_one``,
reading only the grids near the point), and arrays of points at once (``place``: the bulk
re-location in grids/relocation.py, the demo builder, the benchmarks). The polygons are
searched through geodata.polygon_index (ties on a shared edge: the smallest code).
The same rule in PostGIS SQL: grids/relocation_sql.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import Point, Polygon
from django.db import models
from django.utils import timezone

from geodata.polygon_index import PolygonIndex
from gridgov.grids.models import PLACEMENT_FIELDS, Grid, Level


@dataclass
class GridLayer:
    """All grids of one level as parallel arrays, for vectorised location."""

    ids: np.ndarray
    codes: list[str]
    parent_ids: np.ndarray
    geoms: list

    @cached_property
    def index(self) -> PolygonIndex:
        return PolygonIndex(self.geoms, self.codes)


def load_layer(
    level: int,
    bbox: tuple[float, float, float, float] | None = None,
    *,
    covering_point: Point | None = None,
) -> GridLayer:
    """All grids of a level, or those overlapping a bbox, or those covering one point."""
    qs = Grid.objects.filter(level=level).order_by("code")
    if bbox is not None:
        window = Polygon.from_bbox(bbox)
        window.srid = 4326
        qs = qs.filter(geom__bbintersects=window)
    if covering_point is not None:
        qs = qs.filter(geom__intersects=covering_point)
    # WKB straight from the database: no GEOS object per grid on the way to shapely.
    rows = list(qs.annotate(wkb=AsWKB("geom")).values_list("id", "code", "parent_id", "wkb"))
    return GridLayer(
        ids=np.array([r[0] for r in rows], dtype="int64"),
        codes=[r[1] for r in rows],
        parent_ids=np.array([r[2] or 0 for r in rows], dtype="int64"),
        geoms=list(shapely.from_wkb([bytes(r[3]) for r in rows])) if rows else [],
    )


@dataclass
class Placement:
    """Where each point lies: grid ids (0 = none), nearest building and metres, finest code."""

    community: np.ndarray
    compound: np.ndarray
    building: np.ndarray
    nearest: np.ndarray
    nearest_m: np.ndarray
    grid_code: list[str]


def place(x: np.ndarray, y: np.ndarray, layers: dict[int, GridLayer]) -> Placement:
    """Locate points in all three levels. Buildings first: a building found fixes its
    compound and community (its ancestors); only the points outside every building are
    tested against compounds and communities, and get the nearest building in metres.
    Points are tested from their coordinates; point geometries are made only for the few
    points outside every building (for the nearest search)."""
    x = np.atleast_1d(np.asarray(x, dtype="float64"))
    y = np.atleast_1d(np.asarray(y, dtype="float64"))
    n = len(x)

    def ids_of(layer: GridLayer, idx: np.ndarray) -> np.ndarray:
        if not len(layer.ids):
            return np.zeros(len(idx), dtype="int64")
        return np.where(idx >= 0, layer.ids[np.maximum(idx, 0)], 0)

    blayer = layers[Level.BUILDING]
    building = ids_of(blayer, blayer.index.covering_xy(x, y))
    ids = np.concatenate([layer.ids for layer in layers.values()])
    parents = np.concatenate([layer.parent_ids for layer in layers.values()])
    codes = np.concatenate([np.asarray(layer.codes, dtype=object) for layer in layers.values()])
    order = np.argsort(ids)
    ids, parents, codes = ids[order], parents[order], codes[order]

    def position(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each grid id sits in ``ids``, and whether it is there (0 = none)."""
        pos = np.minimum(np.searchsorted(ids, grid), max(len(ids) - 1, 0))
        found = (grid > 0) & (ids[pos] == grid) if len(ids) else np.zeros(len(grid), bool)
        return pos, found

    def parent(child: np.ndarray) -> np.ndarray:
        pos, found = position(child)
        return np.where(found, parents[pos], 0) if len(ids) else child

    compound = parent(building)
    community = parent(compound)
    near = np.zeros(n, dtype="int64")
    near_m = np.full(n, np.nan)
    lost = np.nonzero(building == 0)[0]
    if lost.size:
        lx, ly = x[lost], y[lost]
        for level, target in ((Level.COMPOUND, compound), (Level.COMMUNITY, community)):
            layer = layers[level]
            target[lost] = ids_of(layer, layer.index.covering_xy(lx, ly))
        if blayer.geoms:
            idx, metres = blayer.index.nearest(shapely.points(lx, ly))
            near[lost] = ids_of(blayer, idx)
            near_m[lost] = metres

    finest = np.where(
        building > 0,
        building,
        np.where(compound > 0, compound, np.where(community > 0, community, near)),
    )
    pos, found = position(finest)
    grid_code = np.where(found, codes[pos] if len(ids) else "", "").tolist()
    return Placement(community, compound, building, near, near_m, grid_code)


def apply_placement(obj: models.Model, p: Placement) -> None:
    """Copy a one-point placement onto an object (the service then saves it)."""
    row = placement_rows(p, [obj.pk])[0]
    for name, value in zip(PLACEMENT_FIELDS, row, strict=False):  # the id is not copied
        setattr(obj, name, value)
    obj.located_at = timezone.now()


def locate_one(point: Point | None) -> Placement:
    """Locate one point, reading only the grids near it."""
    if point is None:
        empty = np.zeros(0, dtype="int64")
        return Placement(empty, empty, empty, empty, np.zeros(0), [])
    x, y = np.array([point.x]), np.array([point.y])
    layers = {level: load_layer(level, covering_point=point) for level in Level}
    if layers[Level.BUILDING].geoms:  # the query kept only buildings covering the point
        return place(x, y, layers)
    # No building covers it: widen the window until the nearest building found is provably
    # the nearest overall (any building outside a window of half-width d degrees lies more
    # than d * metres-per-degree away).
    metres_per_degree = 110_574 * min(1.0, math.cos(math.radians(point.y)))
    for d in (0.002, 0.01, 0.05, 0.25, 1.0, 5.0, 360.0):
        box = (point.x - d, point.y - d, point.x + d, point.y + d)
        layers[Level.BUILDING] = load_layer(Level.BUILDING, box)
        if not layers[Level.BUILDING].geoms:
            continue
        p = place(x, y, layers)
        if p.nearest_m[0] <= d * metres_per_degree or d >= 360.0:
            return p
    return place(x, y, layers)


def placement_rows(p: Placement, ids: list[int]) -> list[tuple]:
    """What the placement decided for every point, in PLACEMENT_FIELDS order, plus the id."""

    def refs(a: np.ndarray) -> list[int | None]:
        return [v or None for v in a.tolist()]

    metres = [None if m != m else round(m, 2) for m in p.nearest_m.tolist()]
    return list(
        zip(
            refs(p.community),
            refs(p.compound),
            refs(p.building),
            refs(p.nearest),
            metres,
            p.grid_code,
            ids,
            strict=True,
        )
    )
