"""geodata.topology.check_tree: invalid, outside, overlap, gap and sliver problems, with areas
in m² checked against an independent calculation, and district scale in seconds."""

import math
import time

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from geodata import synth
from geodata.topology import check_tree

A, E2 = 6378137.0, 0.00669437999014  # WGS84


def box_m2(x0, y0, x1, y1):
    """Area of a small lon/lat box on the WGS84 ellipsoid from the radii of curvature at its
    centre (independent of the projection geodata uses)."""
    phi = math.radians((y0 + y1) / 2)
    w = 1 - E2 * math.sin(phi) ** 2
    n = A / math.sqrt(w)  # prime vertical radius
    m = A * (1 - E2) / w**1.5  # meridional radius
    return math.radians(x1 - x0) * n * math.cos(phi) * math.radians(y1 - y0) * m


def test_independent_area_of_a_thousandth_of_a_degree():
    # 0.001° x 0.001° at 23°N ≈ 102.5 m x 110.7 m.
    assert box_m2(113.0, 23.0, 113.001, 23.001) == pytest.approx(102.5 * 110.7, rel=2e-3)


def kinds(problems, kind):
    return [p for p in problems if p.kind == kind]


def row(code, parent, level, geom):
    return (code, parent, level, MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom)


CLEAN = [
    row("1", None, 1, box(113.100, 23.000, 113.110, 23.010)),
    row("1001", "1", 2, box(113.100, 23.000, 113.105, 23.010)),
    row("1002", "1", 2, box(113.105, 23.000, 113.110, 23.010)),
    row("1001001", "1001", 3, box(113.100, 23.000, 113.105, 23.005)),
    row("1001002", "1001", 3, box(113.100, 23.005, 113.105, 23.010)),
]


def test_an_exact_tiling_has_no_problem():
    # Children tile their parents exactly and siblings only touch.
    assert check_tree(CLEAN) == []


def test_child_outside_its_parent_with_area_and_geometry():
    rows = [*CLEAN, row("1002001", "1002", 3, box(113.109, 23.009, 113.111, 23.010))]
    outside = kinds(check_tree(rows), "outside_parent")
    assert len(outside) == 1
    p = outside[0]
    assert (p.code, p.other) == ("1002001", "1002")
    assert p.area_m2 == pytest.approx(box_m2(113.110, 23.009, 113.111, 23.010), rel=2e-3)
    assert p.geom.equals(box(113.110, 23.009, 113.111, 23.010))


def test_overlapping_siblings_once_per_pair():
    rows = [*CLEAN, row("1001003", "1001", 3, box(113.104, 23.004, 113.105, 23.006))]
    overlaps = kinds(check_tree(rows), "overlap")
    assert sorted((p.code, p.other) for p in overlaps) == [
        ("1001001", "1001003"),
        ("1001002", "1001003"),
    ]
    for p in overlaps:
        assert p.area_m2 == pytest.approx(box_m2(113.104, 23.0, 113.105, 23.001), rel=2e-3)


def test_gap_in_a_parent_with_area_and_geometry():
    rows = [r for r in CLEAN if r[0] != "1001002"]
    rows.append(row("1001002", "1001", 3, box(113.100, 23.005, 113.104, 23.010)))
    gaps = kinds(check_tree(rows), "gap")
    assert len(gaps) == 1
    assert gaps[0].code == "1001"
    assert gaps[0].area_m2 == pytest.approx(box_m2(113.104, 23.005, 113.105, 23.010), rel=2e-3)
    assert gaps[0].geom.equals(box(113.104, 23.005, 113.105, 23.010))


def test_gaps_below_tolerance_are_ignored():
    rows = [r for r in CLEAN if r[0] != "1001002"]
    # Leaves a strip 1e-8° wide (about 1e-3 m x 550 m = 0.5 m²).
    rows.append(row("1001002", "1001", 3, box(113.100, 23.005, 113.10499999, 23.010)))
    assert kinds(check_tree(rows), "gap") == []
    assert kinds(check_tree(rows, gap_tolerance_m2=0.1), "gap")


def test_slivers_thin_or_tiny():
    thin = box(113.100, 23.0000, 113.105, 23.00001)  # ~513 m x 1.1 m: 4πA/P² ≈ 0.027
    tiny = box(113.1060, 23.0060, 113.106005, 23.006005)  # ~0.5 m x 0.55 m
    rows = [
        row("9", None, 1, thin),
        row("8", None, 1, tiny),
        row("7", None, 1, box(113.2, 23, 113.21, 23.01)),
    ]
    slivers = {p.code: p for p in kinds(check_tree(rows), "sliver")}
    assert set(slivers) == {"9", "8"}
    assert slivers["9"].thinness == pytest.approx(
        4 * math.pi * slivers["9"].area_m2 / (2 * (513.6 + 1.106)) ** 2, rel=0.02
    )
    assert slivers["9"].thinness < 0.05
    assert slivers["8"].area_m2 == pytest.approx(
        box_m2(113.106, 23.006, 113.106005, 23.006005), rel=1e-2
    )


def test_invalid_geometry_reported_with_reason_and_left_out():
    bowtie = Polygon(
        [
            (113.101, 23.001),
            (113.102, 23.002),
            (113.102, 23.001),
            (113.101, 23.002),
            (113.101, 23.001),
        ]
    )
    rows = [*CLEAN, row("1002001", "1002", 3, bowtie), ("1002002", "1002", 3, Polygon())]
    problems = check_tree(rows)
    invalid = {p.code: p.detail for p in kinds(problems, "invalid")}
    assert invalid["1002001"].startswith("Self-intersection")
    assert invalid["1002002"] == "empty geometry"
    assert not kinds(problems, "outside_parent")


def test_district_scale_in_seconds():
    areas = synth.generate(seed=1, layout=synth.DISTRICT)
    rows = [(a.code, a.parent_code, a.level, a.geom) for a in areas]
    assert sum(r[2] == 3 for r in rows) > 40_000
    start = time.perf_counter()
    problems = check_tree(rows)
    assert time.perf_counter() - start < 30
    # Synthetic compounds leave roads and parks uncovered in every community, nothing else.
    assert {p.kind for p in problems} == {"gap"}
    assert len({p.code for p in problems}) == sum(r[2] == 1 for r in rows)
    assert all(shapely.is_valid(p.geom) for p in problems)
