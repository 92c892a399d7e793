"""Pure algorithms behind member groups and household teams (no database, no Django).

Member groups (党员小组): a compound's members are put in one line along a Hilbert curve
through their buildings' centres (members of one building stay next to each other), and the
line is cut into groups whose sizes lie within the bounds, cutting between buildings wherever
the bounds allow (dynamic programming: fewest buildings split, then sizes nearest 25).
Contiguous stretches of a space-filling curve are spatially compact.

Household teams (包干到层、包干到户): households sorted by building, unit, floor and room are
cut into contiguous ranges of near-equal size, each cut moved to the nearest floor boundary
when one is close, so a team owns whole floors wherever possible. A household's unit and floor
are read from its room by ``gridgov.grids.addresses.read_room``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gridgov.grids.addresses import Room

GROUP_MIN = 20
GROUP_MAX = 30
GROUP_TARGET = 25
# With 31–39 members no split into groups of 20–30 exists (one group is too big, two are too
# small): the compound gets two groups and the lower bound drops to 15 (half of 30).
RELAXED_MIN = 15
TEAM_SIZE = 3

SPLIT_COST = 10_000  # one building split across groups outweighs any size preference
HILBERT_ORDER = 16


def size_bounds(n: int) -> tuple[int, int] | None:
    """(smallest, largest) group for a compound of ``n`` members; None when it has fewer
    than 20 (then all of them form one group)."""
    if n < GROUP_MIN:
        return None
    if GROUP_MAX < n < 2 * GROUP_MIN:
        return RELAXED_MIN, GROUP_MAX
    return GROUP_MIN, GROUP_MAX


# --- Hilbert order ---------------------------------------------------------------------------


def hilbert_index(x: int, y: int, order: int = HILBERT_ORDER) -> int:
    """Position of the cell (x, y) on the Hilbert curve over a 2**order square."""
    n = 1 << order
    d = 0
    s = n >> 1
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:  # rotate the quadrant
            if rx == 1:
                x, y = s - 1 - (x & (s - 1)), s - 1 - (y & (s - 1))
            x, y = y, x
        s >>= 1
    return d


def hilbert_keys(points: Sequence[tuple[float, float]], order: int = HILBERT_ORDER) -> list[int]:
    """Hilbert positions of points (in metres) scaled into one square around all of them."""
    if not points:
        return []
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, y0 = min(xs), min(ys)
    side = max(max(xs) - x0, max(ys) - y0) or 1.0
    top = (1 << order) - 1
    return [
        hilbert_index(
            min(top, int((x - x0) / side * top)), min(top, int((y - y0) / side * top)), order
        )
        for x, y in points
    ]


# --- member groups ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A member to group: ``unit`` is their building (or a key of their own when they live in
    no building), ``x``/``y`` the unit's centre in metres; ``rank`` orders members inside a
    unit (e.g. by name)."""

    id: int
    unit: str
    x: float
    y: float
    rank: tuple = ()


def line_up(people: Sequence[Person]) -> list[Person]:
    """The members in Hilbert order of their unit's centre, a unit's members together."""
    centres: dict[str, tuple[float, float]] = {}
    for p in people:
        centres.setdefault(p.unit, (p.x, p.y))
    units = sorted(centres)
    keys = dict(zip(units, hilbert_keys([centres[u] for u in units]), strict=True))
    return sorted(people, key=lambda p: (keys[p.unit], p.unit, p.rank, p.id))


def cut_sizes(units: Sequence[str], bounds: tuple[int, int] | None) -> list[int]:
    """Sizes of consecutive groups over a line of members (``units[i]`` is member i's unit):
    all sizes within ``bounds``, fewest units split, then sizes nearest GROUP_TARGET."""
    n = len(units)
    if n == 0:
        return []
    if bounds is None:
        return [n]
    lo, hi = bounds
    inf = float("inf")
    best: list[float] = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    for i in range(lo, n + 1):
        for size in range(lo, hi + 1):
            j = i - size
            if j < 0 or best[j] == inf:
                continue
            cost = best[j] + (size - GROUP_TARGET) ** 2
            if 0 < j and units[j - 1] == units[j]:
                cost += SPLIT_COST
            if cost < best[i]:
                best[i], back[i] = cost, size
    if best[n] == inf:  # cannot happen with size_bounds(); kept as a guard
        raise ValueError(f"no split of {n} members into groups of {lo}-{hi}")
    sizes = []
    i = n
    while i > 0:
        sizes.append(back[i])
        i -= back[i]
    return sizes[::-1]


def split_groups(people: Sequence[Person]) -> list[list[int]]:
    """Member ids per group, groups in order along the curve (see the module docstring)."""
    line = line_up(people)
    sizes = cut_sizes([p.unit for p in line], size_bounds(len(line)))
    groups, start = [], 0
    for size in sizes:
        groups.append([p.id for p in line[start : start + size]])
        start += size
    return groups


@dataclass(frozen=True)
class Candidate:
    """What choosing a leader looks at: formal membership, holding a member-contact role
    (building leader, group leader or deputy) now, and hours of service."""

    id: int
    formal: bool
    contact_role: bool
    hours: float
    name: str


def propose_leaders(candidates: Sequence[Candidate]) -> tuple[int | None, int | None]:
    """(leader, deputy): formal members only; role holders first, then most hours of service,
    then by name and id (deterministic)."""
    ranked = sorted(
        (c for c in candidates if c.formal),
        key=lambda c: (not c.contact_role, -c.hours, c.name, c.id),
    )
    leader = ranked[0].id if ranked else None
    deputy = ranked[1].id if len(ranked) > 1 else None
    return leader, deputy


# --- household teams -------------------------------------------------------------------------


def room_sort_key(building_rank: int, room: Room, pk: int) -> tuple:
    """Order of households for cutting into ranges: building, unit, floor, room; unknown
    parts last."""
    big = 1 << 30
    return (
        building_rank,
        big if room.unit is None else room.unit,
        big if room.floor is None else room.floor,
        big if room.number is None else room.number,
        pk,
    )


def cut_ranges(blocks: Sequence[tuple], teams: int) -> list[int]:
    """Sizes of ``teams`` contiguous ranges over households in order, whose floor blocks
    (building, unit, floor) are ``blocks``: near-equal sizes, each cut moved to the nearest
    boundary between floors when that is within half a range."""
    n = len(blocks)
    if n == 0 or teams <= 0:
        return []
    teams = min(teams, n)
    boundaries = [i for i in range(1, n) if blocks[i] != blocks[i - 1]]
    slack = max(1, (n // teams) // 2)
    cuts: list[int] = []
    previous = 0
    for k in range(1, teams):
        ideal = round(k * n / teams)
        highest = n - (teams - k)  # leave at least one household to each later range
        lowest = previous + 1
        near = [b for b in boundaries if lowest <= b <= highest and abs(b - ideal) <= slack]
        cut = (
            min(near, key=lambda b: (abs(b - ideal), b))
            if near
            else min(max(ideal, lowest), highest)
        )
        cuts.append(cut)
        previous = cut
    edges = [0, *cuts, n]
    return [edges[i + 1] - edges[i] for i in range(teams)]
