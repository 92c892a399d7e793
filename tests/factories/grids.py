"""The three-level grid: communities, their compounds, their buildings, created through
``grid_create`` (so each is checked against the code rule of gridgov/grids/codes.py and
nested in its parent without overlapping a sibling, as an import would be).

Codes follow the rule: a community is six digits; a child is its parent's code plus a
three-digit segment (001, 002 … in creation order, so siblings have equal width and no code
begins with a sibling's). Geometry: a community is a 0.01° square on its own slot of a
lattice far from the hand-drawn test grids (tests/world.py); a child takes the first free
cell of a 4 × 4 division of its parent's bounding box that lies inside the parent and clear of
its siblings. Pass ``code`` and ``geom`` to draw a grid by hand."""

from __future__ import annotations

import factory

from gridgov.grids.models import Grid, Kind, Level
from gridgov.grids.services import grid_create
from tests.factories.base import ServiceFactory, box

LATTICE = (114.0, 24.0)  # south-west corner of the community lattice (none of the fixed grids)
PITCH = 0.012  # degrees between community slots (each 0.01 wide: a gap between neighbours)
COLUMNS = 50


def community_slot(n: int):
    col, row = n % COLUMNS, (n // COLUMNS) % COLUMNS
    x, y = LATTICE[0] + col * PITCH, LATTICE[1] + row * PITCH
    return box(x, y, x + 0.01, y + 0.01)


def child_code(parent: Grid) -> str:
    """The parent's code plus the next free three-digit segment."""
    taken = [
        int(c[len(parent.code) :])
        for c in Grid.objects.filter(parent=parent).values_list("code", flat=True)
        if c[len(parent.code) :].isdigit()
    ]
    return f"{parent.code}{max(taken, default=0) + 1:03d}"


def free_cell(parent: Grid, cells: int = 4):
    """The first cell of a ``cells`` × ``cells`` division of the parent's bounding box (row
    by row from the south-west, a tenth of a cell kept clear on each side) inside the parent
    and touching none of its children."""
    x0, y0, x1, y1 = parent.geom.extent
    w, h = (x1 - x0) / cells, (y1 - y0) / cells
    siblings = list(Grid.objects.filter(parent=parent).values_list("geom", flat=True))
    for row in range(cells):
        for col in range(cells):
            cx, cy = x0 + col * w, y0 + row * h
            cell = box(cx + w / 10, cy + h / 10, cx + w * 9 / 10, cy + h * 9 / 10)
            if parent.geom.contains(cell) and not any(s.intersects(cell) for s in siblings):
                return cell
    raise ValueError(f"no free cell left in grid {parent.code}: draw the child's geom by hand")


class GridFactory(ServiceFactory):
    class Meta:
        model = Grid

    _service = staticmethod(grid_create)


class CommunityFactory(GridFactory):
    level = Level.COMMUNITY
    kind = Kind.COMMUNITY
    code = factory.Sequence(lambda n: f"9{n:05d}")
    name = factory.Sequence(lambda n: f"第{n}社区")
    geom = factory.Sequence(community_slot)
    parent = None


class CompoundFactory(GridFactory):
    level = Level.COMPOUND
    kind = Kind.RESIDENTIAL
    parent = factory.SubFactory(CommunityFactory)
    code = factory.LazyAttribute(lambda o: child_code(o.parent))
    name = factory.LazyAttribute(lambda o: f"{o.parent.name}{o.code[-3:]}小区")
    geom = factory.LazyAttribute(lambda o: free_cell(o.parent))


class BuildingFactory(GridFactory):
    level = Level.BUILDING
    kind = Kind.BUILDING
    parent = factory.SubFactory(CompoundFactory)
    code = factory.LazyAttribute(lambda o: child_code(o.parent))
    name = factory.LazyAttribute(lambda o: f"{int(o.code[-3:])}栋")
    geom = factory.LazyAttribute(lambda o: free_cell(o.parent))
