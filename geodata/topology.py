"""Checks of grid polygons: one against its parent and siblings (validity, nesting, overlap),
or a whole tree at once (check_tree: also gaps and slivers), vectorised with shapely 2.

Areas are reported in square metres (geodata.measure), never in degrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geodata.measure import area_m2, centre_of, project

# Areas below this many m² are floating-point noise of shared edges, not real overlaps.
DEFAULT_TOLERANCE_M2 = 1.0


@dataclass(frozen=True)
class Problem:
    """One topology problem of a geometry: what is wrong and how much (m²).

    The report (check_tree) also fills ``code`` (the grid at fault; for a gap, the parent),
    ``geom`` (the problem's own geometry in WGS84: the overlap, the gap, the part outside, the
    sliver, or the invalid polygon) and, for slivers, ``thinness``."""

    kind: str  # "invalid" | "outside_parent" | "overlap" | "gap" | "sliver"
    detail: str
    area_m2: float = 0.0
    other: str = ""  # the code of the parent or sibling involved
    code: str = ""
    geom: BaseGeometry | None = field(default=None, compare=False)
    thinness: float | None = None


def invalid_reason(geom: BaseGeometry) -> str | None:
    """GEOS's explanation of why the geometry is invalid, or None when it is valid."""
    if geom.is_empty:
        return "empty geometry"
    if geom.is_valid:
        return None
    return shapely.is_valid_reason(geom)


def check_nesting(
    geom: BaseGeometry,
    *,
    parent: tuple[str, BaseGeometry] | None,
    siblings: Iterable[tuple[str, BaseGeometry]],
    tolerance_m2: float = DEFAULT_TOLERANCE_M2,
) -> list[Problem]:
    """Problems of ``geom`` as a child of ``parent`` among ``siblings`` (code, geometry)."""
    reason = invalid_reason(geom)
    if reason:
        return [Problem("invalid", reason)]
    problems: list[Problem] = []
    if parent is not None:
        parent_code, parent_geom = parent
        outside = area_m2(geom.difference(parent_geom))
        if outside > tolerance_m2:
            problems.append(
                Problem("outside_parent", f"{outside:.1f} m² outside", outside, parent_code)
            )
    candidates = [(c, g) for c, g in siblings if g.intersects(geom)]
    for code, other in candidates:
        overlap = area_m2(geom.intersection(other))
        if overlap > tolerance_m2:
            problems.append(Problem("overlap", f"{overlap:.1f} m² overlap", overlap, code))
    return problems


# --- the whole-tree report (manage.py check_grids) ----------------------------------------

# Gaps smaller than this (m²) are digitising noise along shared edges, not uncovered land.
GAP_TOLERANCE_M2 = 1.0
# A sliver: a polygon (or one part of a multipolygon) smaller than SLIVER_AREA_M2, or so thin
# that its Polsby-Popper compactness 4πA/P² is below SLIVER_THINNESS (a square is 0.785, a
# 1:10 rectangle 0.26, a 1:60 rectangle 0.05, a circle 1).
SLIVER_AREA_M2 = 1.0
SLIVER_THINNESS = 0.05
KINDS = ("invalid", "outside_parent", "overlap", "gap", "sliver")

GridRow = tuple[str, str | None, int, BaseGeometry | None]  # code, parent code, level, geometry


def _areas(geoms: list[BaseGeometry], centre: tuple[float, float]) -> np.ndarray:
    """Areas in m² of many WGS84 geometries, in one projection (equal-area, so exact)."""
    if not geoms:
        return np.zeros(0)
    return shapely.area(np.array(project(geoms, centre), dtype=object))


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygons of an overlay result (touching edges give lines and points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def check_tree(
    grids: Sequence[GridRow],
    *,
    tolerance_m2: float = DEFAULT_TOLERANCE_M2,
    gap_tolerance_m2: float = GAP_TOLERANCE_M2,
    sliver_area_m2: float = SLIVER_AREA_M2,
    sliver_thinness: float = SLIVER_THINNESS,
) -> list[Problem]:
    """Every topology problem of a set of nested grids, areas in m².

    - invalid: empty or invalid geometry (GEOS's reason); left out of the other checks;
    - outside_parent: the part of a child outside its parent, when above ``tolerance_m2``;
    - overlap: the intersection of two grids of the same level (siblings or not), above
      ``tolerance_m2``; candidates come from an STRtree, each pair is reported once;
    - gap: each part of a parent not covered by the union of its children, above
      ``gap_tolerance_m2`` (parents without children are not checked);
    - sliver: each polygon part with area below ``sliver_area_m2`` or 4πA/P² below
      ``sliver_thinness``.
    """
    if not grids:
        return []
    codes = [g[0] for g in grids]
    parents = [g[1] for g in grids]
    levels = np.array([g[2] for g in grids], dtype="int64")
    geoms = np.array([g[3] for g in grids], dtype=object)

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    ok = ~missing & shapely.is_valid(geoms)
    problems = [
        Problem(
            "invalid",
            "empty geometry" if missing[i] else shapely.is_valid_reason(geoms[i]),
            code=codes[i],
            geom=None if missing[i] else geoms[i],
        )
        for i in np.nonzero(~ok)[0].tolist()
    ]
    good = np.nonzero(ok)[0]
    if not good.size:
        return problems
    centre = centre_of(list(geoms[good]))
    index: dict[str | None, int] = {codes[i]: i for i in good.tolist()}
    pairs = [(i, index[parents[i]]) for i in good.tolist() if parents[i] in index]

    problems += _outside_parents(pairs, geoms, codes, centre, tolerance_m2)
    problems += _overlaps(good, levels, geoms, codes, centre, tolerance_m2)
    problems += _gaps(pairs, geoms, codes, centre, gap_tolerance_m2)
    problems += _slivers(good, geoms, codes, centre, sliver_area_m2, sliver_thinness)

    order = {kind: n for n, kind in enumerate(KINDS)}
    problems.sort(key=lambda p: (order.get(p.kind, len(KINDS)), p.code, p.other, -p.area_m2))
    return problems


def _outside_parents(
    pairs: list[tuple[int, int]],
    geoms: np.ndarray,
    codes: list[str],
    centre: tuple[float, float],
    tolerance_m2: float,
) -> list[Problem]:
    """Children (index, parent index) outside their parent: only those the parent does not
    cover need an overlay."""
    if not pairs:
        return []
    child, parent = (np.array(x, dtype="int64") for x in zip(*pairs, strict=True))
    out = ~shapely.covers(geoms[parent], geoms[child])
    child, parent = child[out], parent[out]
    diffs = list(shapely.difference(geoms[child], geoms[parent]))
    return [
        Problem(
            "outside_parent",
            f"{a:.1f} m² outside",
            float(a),
            other=codes[p],
            code=codes[c],
            geom=_polygonal(d),
        )
        for c, p, d, a in zip(
            child.tolist(), parent.tolist(), diffs, _areas(diffs, centre), strict=True
        )
        if a > tolerance_m2
    ]


def _overlaps(
    good: np.ndarray,
    levels: np.ndarray,
    geoms: np.ndarray,
    codes: list[str],
    centre: tuple[float, float],
    tolerance_m2: float,
) -> list[Problem]:
    """Overlapping grids of one level: STRtree candidates, then interiors that meet."""
    problems: list[Problem] = []
    for level in np.unique(levels[good]).tolist():
        members = good[levels[good] == level]
        tree = shapely.STRtree(geoms[members])
        a, b = tree.query(geoms[members], predicate="intersects")
        keep = a < b
        a, b = members[a[keep]], members[b[keep]]
        inner = shapely.relate_pattern(geoms[a], geoms[b], "T********")
        a, b = a[inner], b[inner]
        overlaps = [_polygonal(g) for g in shapely.intersection(geoms[a], geoms[b])]
        for i, j, g, area in zip(
            a.tolist(), b.tolist(), overlaps, _areas(overlaps, centre), strict=True
        ):
            if area > tolerance_m2:
                first, second = sorted((codes[i], codes[j]))
                problems.append(
                    Problem(
                        "overlap",
                        f"{area:.1f} m² overlap",
                        float(area),
                        other=second,
                        code=first,
                        geom=g,
                    )
                )
    return problems


def _gaps(
    pairs: list[tuple[int, int]],
    geoms: np.ndarray,
    codes: list[str],
    centre: tuple[float, float],
    gap_tolerance_m2: float,
) -> list[Problem]:
    """Gaps: a parent minus the union of its children, part by part."""
    children: dict[int, list[int]] = {}
    for c, p in pairs:
        children.setdefault(p, []).append(c)
    gap_parts: list[BaseGeometry] = []
    gap_owner: list[int] = []
    for p, kids in children.items():
        gap = shapely.difference(geoms[p], shapely.union_all(geoms[kids]))
        for part in shapely.get_parts(_polygonal(gap)).tolist():
            gap_parts.append(part)
            gap_owner.append(p)
    return [
        Problem(
            "gap",
            f"{area:.1f} m² not covered by its children",
            float(area),
            code=codes[p],
            geom=g,
        )
        for p, g, area in zip(gap_owner, gap_parts, _areas(gap_parts, centre), strict=True)
        if area > gap_tolerance_m2
    ]


def _slivers(
    good: np.ndarray,
    geoms: np.ndarray,
    codes: list[str],
    centre: tuple[float, float],
    sliver_area_m2: float,
    sliver_thinness: float,
) -> list[Problem]:
    """Slivers, part by part, measured in metres."""
    parts, owner = shapely.get_parts(geoms[good], return_index=True)
    projected = np.array(project(list(parts), centre), dtype=object)
    areas, lengths = shapely.area(projected), shapely.length(projected)
    with np.errstate(divide="ignore", invalid="ignore"):
        thinness = np.where(lengths > 0, 4 * np.pi * areas / lengths**2, 0.0)
    return [
        Problem(
            "sliver",
            f"thinness {thinness[k]:.3f}",
            float(areas[k]),
            code=codes[int(good[owner[k]])],
            geom=parts[k],
            thinness=float(thinness[k]),
        )
        for k in np.nonzero((areas < sliver_area_m2) | (thinness < sliver_thinness))[0].tolist()
    ]
