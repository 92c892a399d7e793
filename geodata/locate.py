"""Bulk point -> polygon assignment, set-based (never one query per point).

shapely 2's STRtree answers all points in one vectorised call. A point on an edge shared by
two polygons is covered by both; it goes to the polygon that sorts first by its key (the grid
code), so the answer never depends on row order. Points covered by no polygon get the nearest
polygon and the distance in metres.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geodata.measure import project

BATCH = 200_000  # points per STRtree query: bounds the memory of the (point, polygon) pairs


class Index:
    """An STRtree over polygons with the rank of each polygon's key (for ties)."""

    def __init__(self, polygons: Sequence[BaseGeometry], keys: Sequence):
        self.polygons = np.asarray(list(polygons), dtype=object)
        self.tree = shapely.STRtree(self.polygons)
        self.rank = np.empty(len(keys), dtype="int64")
        self.rank[np.argsort(np.asarray(keys, dtype=object), kind="stable")] = np.arange(
            len(keys)
        )

    def __len__(self) -> int:
        return len(self.polygons)

    def covering(self, points: np.ndarray) -> np.ndarray:
        """Index of the polygon covering each point (ties: smallest key), -1 where none."""
        result = np.full(len(points), -1, dtype="int64")
        if not len(self) or not len(points):
            return result
        for start in range(0, len(points), BATCH):
            point_idx, poly_idx = self.tree.query(points[start : start + BATCH],
                                                  predicate="intersects")
            if not point_idx.size:
                continue
            order = np.lexsort((self.rank[poly_idx], point_idx))
            point_idx, poly_idx = point_idx[order], poly_idx[order]
            first = np.r_[True, point_idx[1:] != point_idx[:-1]]
            result[start + point_idx[first]] = poly_idx[first]
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
        points_m = np.asarray(projected[len(used):], dtype=object)
        dist = shapely.distance(points_m[point_idx], poly_m[poly_idx])
        order = np.lexsort((self.rank[poly_idx], dist, point_idx))
        point_idx, poly_idx, dist = point_idx[order], poly_idx[order], dist[order]
        first = np.r_[True, point_idx[1:] != point_idx[:-1]]
        index[point_idx[first]] = poly_idx[first]
        metres[point_idx[first]] = dist[first]
        return index, metres

