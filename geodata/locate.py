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

from geodata.measure import centre_of, project

BATCH = 200_000  # points per STRtree query: bounds the memory of the (point, polygon) pairs


def covering(
    x: np.ndarray, y: np.ndarray, polygons: Sequence[BaseGeometry], keys: Sequence
) -> np.ndarray:
    """Index of the polygon covering each point (ties: smallest key), -1 where none does."""
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    result = np.full(len(x), -1, dtype="int64")
    if not len(polygons) or not len(x):
        return result
    tree = shapely.STRtree(list(polygons))
    rank = np.empty(len(keys), dtype="int64")
    rank[np.argsort(np.asarray(keys, dtype=object), kind="stable")] = np.arange(len(keys))
    for start in range(0, len(x), BATCH):
        points = shapely.points(x[start : start + BATCH], y[start : start + BATCH])
        point_idx, poly_idx = tree.query(points, predicate="intersects")
        if not point_idx.size:
            continue
        order = np.lexsort((rank[poly_idx], point_idx))
        point_idx, poly_idx = point_idx[order], poly_idx[order]
        first = np.r_[True, point_idx[1:] != point_idx[:-1]]
        result[start + point_idx[first]] = poly_idx[first]
    return result


def nearest(
    x: np.ndarray, y: np.ndarray, polygons: Sequence[BaseGeometry]
) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest polygon to each point and the distance to it in metres."""
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    if not len(polygons) or not len(x):
        return np.full(len(x), -1, dtype="int64"), np.full(len(x), np.nan)
    points = list(shapely.points(x, y))
    centre = centre_of(list(polygons) + points)
    projected = project(list(polygons) + points, centre)
    tree = shapely.STRtree(projected[: len(polygons)])
    (point_idx, poly_idx), dist = tree.query_nearest(
        projected[len(polygons) :], return_distance=True, all_matches=False
    )
    index = np.full(len(x), -1, dtype="int64")
    metres = np.full(len(x), np.nan)
    index[point_idx] = poly_idx
    metres[point_idx] = dist
    return index, metres
