"""Deterministic synthetic grid geometry for demos and benchmarks.

A jittered lattice is cut into communities; each community's quadrilateral is subdivided
(bilinearly) into compounds, shrunk to leave roads between them, with a few cells left empty
as parks; each compound is subdivided into building cells that tile it exactly (neighbours
share edges, as real building grids do). The same seed always gives the same geometry.

Only geometry and codes live here: names, kinds and people belong to the demo app.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from shapely.geometry import Polygon
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]

# One community cell of the lattice, in degrees (about 1.0 km x 1.0 km at latitude 23°).
COMMUNITY_DX = 0.0098
COMMUNITY_DY = 0.0090


@dataclass
class SynthArea:
    """One synthetic grid polygon: level 1 community, 2 compound, 3 building."""

    code: str
    level: int
    parent_code: str | None
    geom: Polygon
    quads: list[Quad] = field(default_factory=list)  # the cells it is made of (level 3)
    index: int = 0  # position among its siblings, 0-based


@dataclass(frozen=True)
class Layout:
    """How big a synthetic area is."""

    street_cols: int  # streets across
    street_rows: int
    communities_per_street: tuple[int, int]  # (cols, rows) of communities in each street
    compound_lattice: int = 3  # compounds per community: up to lattice² cells
    building_cells: tuple[int, int, int, int] = (3, 4, 4, 5)  # rows lo..hi, cols lo..hi


STREET = Layout(street_cols=1, street_rows=1, communities_per_street=(3, 2))
DISTRICT = Layout(
    street_cols=4,
    street_rows=3,
    communities_per_street=(6, 5),
    building_cells=(4, 5, 4, 5),
)


def bilinear(quad: Quad, u: float, v: float) -> tuple[float, float]:
    """The point at (u, v) in [0,1]² of a quad given as (sw, se, ne, nw)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
    x = (1 - u) * (1 - v) * x0 + u * (1 - v) * x1 + u * v * x2 + (1 - u) * v * x3
    y = (1 - u) * (1 - v) * y0 + u * (1 - v) * y1 + u * v * y2 + (1 - u) * v * y3
    return (x, y)


def subdivide(quad: Quad, cols: int, rows: int) -> list[list[Quad]]:
    """Cut a quad into rows x cols quads that share their edges exactly (row 0 is north)."""
    pts = [[bilinear(quad, i / cols, j / rows) for i in range(cols + 1)] for j in range(rows + 1)]
    cells = []
    for j in reversed(range(rows)):
        cells.append(
            [(pts[j][i], pts[j][i + 1], pts[j + 1][i + 1], pts[j + 1][i]) for i in range(cols)]
        )
    return cells


def shrink(quad: Quad, margin: float) -> Quad:
    """The same quad with each side pulled in by ``margin`` (a share of its size)."""
    return (
        bilinear(quad, margin, margin),
        bilinear(quad, 1 - margin, margin),
        bilinear(quad, 1 - margin, 1 - margin),
        bilinear(quad, margin, 1 - margin),
    )


def polygon(quad: Quad) -> Polygon:
    """A counter-clockwise polygon of a quad (sw, se, ne, nw is already counter-clockwise)."""
    return Polygon(quad)


def random_point(quad: Quad, rng: random.Random, inset: float = 0.08) -> tuple[float, float]:
    """A point strictly inside a convex quad."""
    return bilinear(quad, rng.uniform(inset, 1 - inset), rng.uniform(inset, 1 - inset))


def road_point(quad: Quad, rng: random.Random, margin: float) -> tuple[float, float]:
    """A point inside a community quad but on the road strip along its southern edge."""
    return bilinear(quad, rng.uniform(0.2, 0.8), margin * rng.uniform(0.1, 0.4))


def generate(
    *,
    seed: int,
    layout: Layout = STREET,
    origin: tuple[float, float] = (113.10, 23.00),
    county_code: str = "440604",
    compound_margin: float = 0.07,
) -> list[SynthArea]:
    """All areas of a synthetic district, parents before children, codes nested by prefix.

    Codes follow the national statistical division codes: 6 digits of county + 3 of street
    + 3 of community, then 3 digits of compound and 3 of building.
    """
    rng = random.Random(seed)
    scols, srows = layout.communities_per_street
    ncols, nrows = layout.street_cols * scols, layout.street_rows * srows
    west = origin[0] - ncols * COMMUNITY_DX / 2
    south = origin[1] - nrows * COMMUNITY_DY / 2

    def jitter(i: int, j: int) -> tuple[float, float]:
        border = i in (0, ncols) or j in (0, nrows)
        k = 0.0 if border else 0.18
        return (
            west + (i + rng.uniform(-k, k)) * COMMUNITY_DX,
            south + (j + rng.uniform(-k, k)) * COMMUNITY_DY,
        )

    lattice = [[jitter(i, j) for i in range(ncols + 1)] for j in range(nrows + 1)]
    areas: list[SynthArea] = []
    for street_no in range(layout.street_rows * layout.street_cols):
        sr, sc = divmod(street_no, layout.street_cols)
        street_code = f"{county_code}{street_no + 1:03d}"
        community_no = 0
        for r in reversed(range(srows)):  # north to south, west to east
            for c in range(scols):
                i, j = sc * scols + c, sr * srows + r
                quad: Quad = (
                    lattice[j][i],
                    lattice[j][i + 1],
                    lattice[j + 1][i + 1],
                    lattice[j + 1][i],
                )
                community_no += 1
                code = f"{street_code}{community_no:03d}"
                areas.append(SynthArea(code, 1, None, polygon(quad), [quad], community_no - 1))
                areas.extend(_compounds(code, quad, layout, rng, compound_margin))
    return areas


def _compounds(
    community_code: str, quad: Quad, layout: Layout, rng: random.Random, margin: float
) -> list[SynthArea]:
    n = layout.compound_lattice
    cells = [cell for row in subdivide(quad, n, n) for cell in row]
    keep = sorted(rng.sample(range(len(cells)), k=len(cells) - rng.randint(1, 3)))
    out: list[SynthArea] = []
    for number, cell_no in enumerate(keep, start=1):
        cquad = shrink(cells[cell_no], margin)
        code = f"{community_code}{number:03d}"
        out.append(SynthArea(code, 2, community_code, polygon(cquad), [cquad], number - 1))
        rlo, rhi, clo, chi = layout.building_cells
        rows, cols = rng.randint(rlo, rhi), rng.randint(clo, chi)
        grid = subdivide(cquad, cols, rows)
        # Some compounds group pairs of buildings into one member contact area.
        pair = rng.random() < 0.15
        building_no = 0
        for row in grid:
            step = 2 if pair else 1
            for k in range(0, len(row), step):
                group = row[k : k + step]
                building_no += 1
                merged = unary_union([polygon(q) for q in group])
                assert isinstance(merged, Polygon)  # a building's two quads share an edge
                geom = orient(merged, 1.0)
                out.append(
                    SynthArea(
                        f"{code}{building_no:03d}", 3, code, geom, list(group), building_no - 1
                    )
                )
    return out
