"""CRS conversions at the edges: GCJ-02 / BD-09 offsets of the right size, inverses that
return the original point within 1e-7°, CGCS2000 unchanged, nothing shifted outside China."""

import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from geodata import crs
from geodata.measure import distance_m

# Tian'anmen: a point whose Gaode (GCJ-02) coordinates are widely published.
WGS_TIANANMEN = (116.391349, 39.907375)
GCJ_TIANANMEN = (116.397590, 39.908775)  # about 550 m east-north-east


def test_gcj02_offset_matches_published_point():
    lon, lat = crs.from_wgs84([WGS_TIANANMEN[0]], [WGS_TIANANMEN[1]], "gcj02")
    assert lon[0] == pytest.approx(GCJ_TIANANMEN[0], abs=2e-5)
    assert lat[0] == pytest.approx(GCJ_TIANANMEN[1], abs=2e-5)


def test_offset_is_hundreds_of_metres_in_foshan():
    lon, lat = crs.from_wgs84([113.10], [23.00], "gcj02")
    metres = distance_m(Point(113.10, 23.00), Point(lon[0], lat[0]))
    assert 300 < metres < 700


@pytest.mark.parametrize("name", ["gcj02", "bd09"])
def test_inverse_converges_below_1e_7_degrees(name):
    rng = np.random.default_rng(1)
    lon = rng.uniform(73.5, 135.0, 2000)
    lat = rng.uniform(18.0, 53.5, 2000)
    there = crs.from_wgs84(lon, lat, name)
    back_lon, back_lat = crs.to_wgs84(*there, name)
    assert np.max(np.abs(back_lon - lon)) < 1e-7
    assert np.max(np.abs(back_lat - lat)) < 1e-7


def test_cgcs2000_is_taken_as_wgs84():
    lon, lat = crs.to_wgs84([113.1], [23.0], "cgcs2000")
    assert (lon[0], lat[0]) == (113.1, 23.0)
    assert crs.EPSG["cgcs2000"] == 4490


def test_no_shift_outside_china():
    lon, lat = crs.from_wgs84([2.35], [48.85], "gcj02")  # Paris
    assert (lon[0], lat[0]) == (2.35, 48.85)


def test_bd09_is_further_offset_than_gcj02():
    g = crs.from_wgs84([113.1], [23.0], "gcj02")
    b = crs.from_wgs84([113.1], [23.0], "bd09")
    assert b[0][0] - g[0][0] == pytest.approx(0.0065, abs=0.0015)
    assert b[1][0] - g[1][0] == pytest.approx(0.006, abs=0.0015)


def test_geometry_transform_moves_every_vertex_and_keeps_shape():
    square = Polygon([(113.1, 23.0), (113.11, 23.0), (113.11, 23.01), (113.1, 23.01)])
    moved = crs.transform(square, source="wgs84", target="gcj02")
    assert moved.is_valid
    assert len(moved.exterior.coords) == 5
    back = crs.transform(moved, source="gcj02", target="wgs84")
    assert np.allclose(np.array(back.exterior.coords), np.array(square.exterior.coords), atol=1e-7)


def test_unknown_crs_is_refused_by_name():
    with pytest.raises(crs.UnknownCRS, match="'epsg:3857'"):
        crs.to_wgs84([1.0], [1.0], "epsg:3857")


def test_a_gcj02_box_taken_back_holds_every_point_of_it():
    """box_to_wgs84 (a GCJ-02 map tile's area, read in WGS84): every point of the box,
    edges included, converted back lies inside; no more than the offset's bend and the ~10 m
    margin beyond."""
    box = (113.09, 22.99, 113.11, 23.01)
    w, s, e, n = crs.box_to_wgs84(box, "gcj02")
    xs, ys = np.meshgrid(np.linspace(box[0], box[2], 41), np.linspace(box[1], box[3], 41))
    lon, lat = crs.to_wgs84(xs.ravel(), ys.ravel(), "gcj02")
    assert (lon >= w).all()
    assert (lon <= e).all()
    assert (lat >= s).all()
    assert (lat <= n).all()
    back_w, back_s = crs.to_wgs84([box[0]], [box[1]], "gcj02")
    assert back_w[0] - w == pytest.approx(1e-4, abs=1e-5)
    assert back_s[0] - s == pytest.approx(1e-4, abs=1e-5)
