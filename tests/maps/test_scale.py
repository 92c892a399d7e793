"""Geometry sent for the scale a map shows: fitted zoom, simplification that keeps polygons
valid and drops vertices nobody can see, decimals the zoom needs."""

from __future__ import annotations

import json
import math
import random

import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry

from gridgov.grids.models import Grid
from gridgov.grids.selectors import Scale, fit_zoom, scale_for, simplified
from maps.dashboard_data import dashboard


def geos(shape) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(shape)), srid=4326)


def surveyed(x0, y0, x1, y1, *, step=1e-5, noise=3e-7, seed=1) -> shapely.MultiPolygon:
    """A box traced with a vertex every ~1 m and ~3 cm of jitter (digitising noise)."""
    rng = random.Random(seed)
    dense = shapely.segmentize(shapely.box(x0, y0, x1, y1), step)
    ring = [
        (x + rng.uniform(-noise, noise), y + rng.uniform(-noise, noise))
        for x, y in list(dense.exterior.coords)[:-1]
    ]
    return shapely.MultiPolygon([shapely.Polygon(ring)])


def pixels_across(extent, zoom: int) -> tuple[float, float]:
    """Width and height in screen pixels of an extent at a zoom (Web Mercator, 256 px tiles)."""
    x0, y0, x1, y1 = extent

    def y(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    world = 256 * 2**zoom
    return (x1 - x0) / 360 * world, (y(y1) - y(y0)) / (2 * math.pi) * world


@pytest.mark.parametrize(
    "extent",
    [
        (113.01, 22.93, 113.023, 22.941),  # a community
        (113.1015, 23.001, 113.1025, 23.002),  # a building
        (112.98, 22.93, 113.22, 23.07),
    ],
)  # a district
def test_fit_zoom_is_the_largest_zoom_showing_the_extent(extent):
    z = fit_zoom(extent)
    w, h = pixels_across(extent, z)
    assert w <= 1024
    assert h <= 768
    w, h = pixels_across(extent, z + 1)
    assert w > 1024 or h > 768


def test_scale_tolerance_is_half_a_pixel_and_digits_resolve_a_quarter():
    s = Scale(zoom=17, lat=23.0)
    pixel = 360 / (256 * 2**17) * math.cos(math.radians(23.0))  # ~1.1 m north-south
    assert s.tolerance == pytest.approx(pixel / 2)
    assert 10**-s.digits <= pixel / 4 < 10 ** -(s.digits - 1)
    assert Scale(zoom=20, lat=23.0).digits == 7  # never more than 7 (1 cm)


def test_simplified_keeps_validity_and_drops_invisible_vertices():
    shape = surveyed(113.0, 23.0, 113.004, 23.003)
    scale = scale_for(shape.bounds)  # a compound on a tablet: zoom 17 + 2, 0.13 m
    out = shapely.geometry.shape(simplified(geos(shape), scale))
    assert out.is_valid
    before, after = shapely.get_num_coordinates(shape), shapely.get_num_coordinates(out)
    assert before > 1300
    assert after < before / 10
    # nothing moved by more than the tolerance plus the rounding
    assert shapely.hausdorff_distance(out, shape) <= scale.tolerance + 10**-scale.digits
    text = json.dumps(simplified(geos(shape), scale))
    decimals = max(
        len(n.split(".")[1])
        for n in text.replace("]", ",").replace("[", "").split(",")[2:]
        if "." in n
    )
    assert decimals <= scale.digits


def test_simplified_keeps_a_courtyard_and_the_stored_type():
    # A building 100 m across with a 10 m courtyard, its walls traced with 0.2 m of noise
    outer = surveyed(113.0, 23.0, 113.001, 23.001, noise=2e-6, seed=2).geoms[0].exterior
    hole = shapely.box(113.00045, 23.00045, 113.00055, 23.00055).exterior
    shape = shapely.MultiPolygon([shapely.Polygon(outer, [hole])])
    assert shape.is_valid
    for zoom in (14, 16, 18):
        out = simplified(geos(shape), Scale(zoom=zoom, lat=23.0))
        assert out["type"] == "MultiPolygon"
        polygon = shapely.geometry.shape(out)
        assert polygon.is_valid
        assert len(polygon.geoms[0].interiors) == 1, zoom
        assert shapely.get_num_coordinates(polygon) < shapely.get_num_coordinates(shape) / 4


def test_dashboard_children_are_simplified_for_the_grid(tree, admin_user):
    detailed = surveyed(113.101, 23.001, 113.105, 23.009)  # K1 traced to ~1 m
    Grid.objects.filter(pk=tree.k1.pk).update(geom=geos(detailed))
    tree.c1.refresh_from_db()
    data = dashboard(tree.c1, user=admin_user)
    k1 = next(f for f in data.children["features"] if f["properties"]["code"] == "100001001")
    out = shapely.geometry.shape(k1["geometry"])
    assert out.is_valid
    scale = scale_for(tree.c1.geom.extent)  # C1 is 1 km across: zoom 16 + 2, 0.27 m
    assert scale.zoom == 18
    assert shapely.get_num_coordinates(out) < shapely.get_num_coordinates(detailed) / 4
    assert shapely.hausdorff_distance(out, detailed) <= scale.tolerance + 10**-scale.digits
