"""manage.py check_grids on deliberately broken grids (written past the services, which refuse
them) and on the demo district: kinds, codes and areas in m² against independent values."""

import io
import json
import math
import re

import pytest
from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.management import CommandError, call_command

from gridgov.grids.models import Grid, Kind, Level
from tests.factories import HouseholdFactory, box

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English

A, E2 = 6378137.0, 0.00669437999014  # WGS84


def box_m2(x0, y0, x1, y1):
    """Area of a small lon/lat box from the ellipsoid's radii of curvature (independent of
    the projection the code uses)."""
    phi = math.radians((y0 + y1) / 2)
    w = 1 - E2 * math.sin(phi) ** 2
    return (
        math.radians(x1 - x0)
        * A
        / math.sqrt(w)
        * math.cos(phi)
        * math.radians(y1 - y0)
        * A
        * (1 - E2)
        / w**1.5
    )


THOUSANDTH = box_m2(113.105, 23.008, 113.106, 23.009)  # 0.001° x 0.001° ≈ 102.5 m x 110.7 m


@pytest.fixture
def broken(tree):
    """Rows the services would refuse, written directly (the database trigger still checks
    parent level and code prefix)."""
    bowtie = Polygon(
        (
            (113.1165, 23.0065),
            (113.1175, 23.0075),
            (113.1175, 23.0065),
            (113.1165, 23.0075),
            (113.1165, 23.0065),
        ),
        srid=4326,
    )
    rows = [
        # In K1, sticking out east into K2's ground by 0.001° x 0.001°.
        ("100001001003", tree.k1, box(113.104, 23.008, 113.106, 23.009)),
        # In K1, overlapping B1 (113.101..113.103 x 23.001..23.003) by 0.001° x 0.001°.
        ("100001001004", tree.k1, box(113.102, 23.002, 113.103, 23.004)),
        # In K3: a sliver about 102 m x 1.1 m.
        ("100002001002", tree.k3, box(113.115, 23.005, 113.116, 23.00501)),
        # In K3: a self-intersecting bow tie.
        ("100002001003", tree.k3, bowtie),
    ]
    Grid.objects.bulk_create(
        Grid(
            level=Level.BUILDING,
            parent=parent,
            code=code,
            name=code[-3:],
            kind=Kind.BUILDING,
            geom=MultiPolygon(geom, srid=4326),
        )
        for code, parent, geom in rows
    )
    HouseholdFactory(location=Point(113.1015, 23.0015, srid=4326))  # B1 is lived in
    return tree


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("check_grids", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def area_in(line: str) -> float:
    return float(re.search(r"([\d.]+) m²", line).group(1))


def test_text_report_kinds_areas_and_summary(broken):
    out, _ = run()
    lines = out.splitlines()
    outside = [x for x in lines if "lie outside its parent" in x]
    assert len(outside) == 1
    assert "100001001003" in outside[0]
    assert "100001001" in outside[0]
    assert area_in(outside[0]) == pytest.approx(THOUSANDTH, rel=3e-3)

    overlap = [x for x in lines if "overlap by" in x]
    assert overlap == [x for x in overlap if "100001001001 and 100001001004" in x]
    assert len(overlap) == 1
    assert area_in(overlap[0]) == pytest.approx(box_m2(113.102, 23.002, 113.103, 23.003), rel=3e-3)

    invalid = [x for x in lines if "invalid geometry" in x]
    assert len(invalid) == 1
    assert "100002001003" in invalid[0]
    assert "Self-intersection" in invalid[0]

    sliver = [x for x in lines if "sliver of" in x]
    assert len(sliver) == 1
    assert "100002001002" in sliver[0]

    # C1 (0.010°²) minus K1 ∪ K2 (113.101..113.109 x 23.001..23.009): a ring of 0.000036°².
    gap_c1 = [x for x in lines if x.startswith("Grid 100001:") and "not covered" in x]
    assert len(gap_c1) == 1
    ring = box_m2(113.100, 23.000, 113.110, 23.010) - box_m2(113.101, 23.001, 113.109, 23.009)
    assert area_in(gap_c1[0]) == pytest.approx(ring, rel=3e-3)

    nobody = [x for x in lines if "no household and no member" in x and x.startswith("Build")]
    assert "Building 100001001001: no household and no member located in it." not in nobody
    assert any("100001001002" in x for x in nobody)

    assert lines[0].startswith("== Invalid geometries (1) ==")
    assert re.fullmatch(
        r"13 grids checked, \d+ problems: 1 invalid, 1 outside their parent, 1 overlaps, "
        r"\d+ gaps, 1 slivers, \d+ buildings with nobody\.",
        lines[-1],
    )


def test_geojson_report_read_by_gdal(broken):
    out, err = run("--format", "geojson")
    assert "grids checked" in err  # the counts go to stderr, stdout stays GeoJSON
    doc = json.loads(out)
    assert "crs" not in doc
    layer = DataSource(out)[0]
    assert {"kind", "code", "other_code", "area_m2", "detail"} <= set(layer.fields)
    by_kind = {}
    for f in layer:
        by_kind.setdefault(f.get("kind"), []).append(f)
    (overlap,) = by_kind["overlap"]
    assert (overlap.get("code"), overlap.get("other_code")) == ("100001001001", "100001001004")
    assert overlap.geom.extent == pytest.approx((113.102, 23.002, 113.103, 23.003), abs=1e-7)
    (outside,) = by_kind["outside_parent"]
    assert outside.geom.extent == pytest.approx((113.105, 23.008, 113.106, 23.009), abs=1e-7)
    assert outside.get("area_m2") == pytest.approx(THOUSANDTH, rel=3e-3)
    assert by_kind["invalid"][0].get("detail").startswith("Self-intersection")


def test_code_prefix_restricts_the_report(broken):
    out, _ = run("--code", "100002")
    assert "100001" not in out.replace("100002", "")
    assert "100002001003" in out
    assert "100002001002" in out
    assert out.splitlines()[-1].startswith("5 grids checked")
    # A subtree's top grid is still checked against its parent (loaded as context).
    out, _ = run("--code", "100001001003")
    assert "lie outside its parent 100001001" in out


def test_bad_format_and_unknown_prefix(broken):
    with pytest.raises(CommandError, match="'kml'.*text, geojson"):
        run("--format", "kml")
    with pytest.raises(CommandError, match="'999'"):
        run("--code", "999")


@pytest.mark.django_db
def test_demo_reports_gaps_but_no_overlap_or_outside():
    call_command("load_demo", "--seed", "1", stdout=io.StringIO())
    out, _ = run()
    summary = out.splitlines()[-1]
    n = {
        k: int(v) for v, k in re.findall(r"(\d+) (invalid|outside|overlaps|gaps|slivers)", summary)
    }
    assert n["gaps"] >= Grid.objects.filter(level=Level.COMMUNITY).count()
    assert n["invalid"] == n["outside"] == n["overlaps"] == n["slivers"] == 0
