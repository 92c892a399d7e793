"""An index of polygons for points: the polygon covering each point, or the nearest one,
set-based (never one query per point).

Points are tested from their coordinates (``covering_xy``): candidate polygons come from a
uniform grid of cells over the polygons' bounding boxes (numpy only, no point geometry is
made), then one vectorised ``shapely.intersects_xy`` over the (point, candidate) pairs
against prepared polygons. A point on an edge shared by two polygons is covered by both; it
goes to the polygon that sorts first by its key (the grid code), so the answer never depends
on row order. Points covered by no polygon get the nearest polygon (shapely 2's STRtree) and
the distance in metres.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geodata.measure import project

BATCH = 200_000  # points per candidate pass: bounds the memory of the (point, polygon) pairs
CELL_ENTRIES = 4  # target (cell, polygon) entries per polygon when sizing the cells
DENSE_CELLS = 4_000_000  # up to this many cells, a direct lookup table (32 MB) of cell starts


class _Cells:
    """A uniform grid of square cells over polygons' bounding boxes: for any point, the
    polygons whose box touches the point's cell, from sorted arrays (no geometry made)."""

    def __init__(self, bounds: np.ndarray):
        self.x0, self.y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
        x1, y1 = float(bounds[:, 2].max()), float(bounds[:, 3].max())
        extent = max(x1 - self.x0, y1 - self.y0, 1e-9)
        size = float(
            np.median(np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]))
        )
        size = min(max(size, extent / 65_536), extent)
        while True:  # grow the cells until the entries stay within a few per polygon
            lo, hi = (
                self._cell(bounds[:, 0], bounds[:, 1], size),
                self._cell(bounds[:, 2], bounds[:, 3], size),
            )
            per = (hi[0] - lo[0] + 1) * (hi[1] - lo[1] + 1)
            if per.sum() <= CELL_ENTRIES * len(bounds) + 16 or size >= extent:
                break
            size *= 1.5
        self.size = size
        self.ny = int(self._cell(np.array([x1]), np.array([y1]), size)[1][0]) + 1
        poly = np.repeat(np.arange(len(bounds)), per)
        offset = np.arange(len(poly)) - np.repeat(np.cumsum(per) - per, per)
        width = np.repeat(hi[1] - lo[1] + 1, per)
        cx = np.repeat(lo[0], per) + offset // width
        cy = np.repeat(lo[1], per) + offset % width
        keys = cx * self.ny + cy
        order = np.argsort(keys, kind="stable")
        self.keys, self.poly = keys[order], poly[order]
        self.nx = int(cx.max()) + 1 if len(cx) else 0
        # Where each cell's entries start in ``poly``: a dense table when it is small.
        cells = self.nx * self.ny
        self.starts = (
            np.concatenate([[0], np.cumsum(np.bincount(self.keys, minlength=cells))])
            if cells <= DENSE_CELLS
            else None
        )

    def _cell(self, x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.floor((x - self.x0) / size).astype("int64"),
            np.floor((y - self.y0) / size).astype("int64"),
        )

    def pairs(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, polygon) index pairs whose cell the point lies in, grouped by point."""
        cx, cy = self._cell(x, y, self.size)
        inside = (
            (cx >= 0)
            & (cy >= 0)
            & (cx < self.nx)
            & (cy < self.ny)
            & np.isfinite(x)
            & np.isfinite(y)
        )
        key = np.where(inside, cx * self.ny + cy, 0)
        if self.starts is not None:
            start = self.starts[key]
            count = self.starts[key + 1] - start
        else:
            start = np.searchsorted(self.keys, key, side="left")
            count = np.searchsorted(self.keys, key, side="right") - start
        count[~inside] = 0
        point = np.repeat(np.arange(len(x)), count)
        offset = np.arange(len(point)) - np.repeat(np.cumsum(count) - count, count)
        return point, self.poly[np.repeat(start, count) + offset]


class PolygonIndex:
    """Polygons with the rank of each polygon's key (for ties), for covering and nearest."""

    def __init__(self, polygons: Sequence[BaseGeometry], keys: Sequence):
        self.polygons = np.asarray(list(polygons), dtype=object)
        self.rank = np.empty(len(keys), dtype="int64")
        self.rank[np.argsort(np.asarray(keys, dtype=object), kind="stable")] = np.arange(len(keys))

    def __len__(self) -> int:
        return len(self.polygons)

    @cached_property
    def tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.polygons)

    @cached_property
    def _cells(self) -> _Cells:
        shapely.prepare(self.polygons)
        self._bounds = shapely.bounds(self.polygons)
        self._by_rank = np.argsort(self.rank)
        return _Cells(self._bounds)

    def covering(self, points: np.ndarray) -> np.ndarray:
        """Index of the polygon covering each point (ties: smallest key), -1 where none."""
        points = np.asarray(points, dtype=object)
        return self.covering_xy(shapely.get_x(points), shapely.get_y(points))

    def covering_xy(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Like ``covering``, from coordinate arrays (no point geometry is made)."""
        x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
        result = np.full(len(x), -1, dtype="int64")
        if not len(self) or not len(x):
            return result
        cells, b = self._cells, self._bounds
        for start in range(0, len(x), BATCH):
            xs, ys = x[start : start + BATCH], y[start : start + BATCH]
            point, poly = cells.pairs(xs, ys)
            px, py = xs[point], ys[point]
            near = (px >= b[poly, 0]) & (px <= b[poly, 2]) & (py >= b[poly, 1]) & (py <= b[poly, 3])
            point, poly, px, py = point[near], poly[near], px[near], py[near]
            hit = shapely.intersects_xy(self.polygons[poly], px, py)
            point, poly = point[hit], poly[hit]
            if not point.size:
                continue
            best = np.full(len(xs), len(self), dtype="int64")
            np.minimum.at(best, point, self.rank[poly])
            found = best < len(self)
            result[start : start + len(xs)][found] = self._by_rank[best[found]]
        return result

    def nearest(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest polygon to each point and the distance to it in metres.

        The nearest polygon in degrees (distance d) bounds the search: a polygon nearer in
        metres lies within d / cos(latitude) degrees. Only those candidates are projected
        into metres (a local equal-area projection) and measured."""
        n = len(points)
        index = np.full(n, -1, dtype="int64")
        metres = np.full(n, np.nan)
        if not len(self) or not n:
            return index, metres
        _, degrees = self.tree.query_nearest(points, return_distance=True, all_matches=False)
        lat = np.abs(shapely.get_y(points))
        reach = degrees / np.cos(np.radians(np.minimum(lat, 89.0))) * 1.000001 + 1e-12
        point_idx, poly_idx = self.tree.query(points, predicate="dwithin", distance=reach)
        xs, ys = shapely.get_x(points), shapely.get_y(points)
        centre = (float(np.mean(xs)), float(np.mean(ys)))
        used = np.unique(poly_idx)
        projected = project(list(self.polygons[used]) + list(points), centre)
        poly_m = np.empty(len(self), dtype=object)
        poly_m[used] = projected[: len(used)]
        points_m = np.asarray(projected[len(used) :], dtype=object)
        dist = shapely.distance(points_m[point_idx], poly_m[poly_idx])
        order = np.lexsort((self.rank[poly_idx], dist, point_idx))
        point_idx, poly_idx, dist = point_idx[order], poly_idx[order], dist[order]
        first = np.r_[True, point_idx[1:] != point_idx[:-1]]
        index[point_idx[first]] = poly_idx[first]
        metres[point_idx[first]] = dist[first]
        return index, metres
