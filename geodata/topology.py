"""Checks of one grid polygon against its parent and siblings (validity, nesting, overlap).

Areas are reported in square metres (geodata.measure), never in degrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from geodata.measure import area_m2

# Areas below this many m² are floating-point noise of shared edges, not real overlaps.
DEFAULT_TOLERANCE_M2 = 1.0


@dataclass(frozen=True)
class Problem:
    """One topology problem of a geometry: what is wrong and how much (m²)."""

    kind: str  # "invalid" | "empty" | "outside_parent" | "overlap"
    detail: str
    area_m2: float = 0.0
    other: str = ""  # the code of the parent or sibling involved


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
