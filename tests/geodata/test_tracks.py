"""GPX parsing and line measurements in metres, checked against independent formulas."""

import math

import pytest
from shapely.geometry import LineString, Point, box

from geodata.tracks import (
    TrackError,
    buffer_bbox_m,
    distances_from_line_m,
    length_m,
    line_outside,
    parse_gpx,
    track_stray,
    within_distance,
)

R_EARTH = 6371008.8  # mean radius (m)


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R_EARTH * math.asin(math.sqrt(h))


def metres_per_degree_lat(lat: float) -> float:
    """The WGS84 meridian arc per degree of latitude (the classic series)."""
    phi = math.radians(lat)
    return 111132.92 - 559.82 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)


def gpx(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"{body}</gpx>"
    )


TRACK = gpx(
    "<trk><name>walk</name><trkseg>"
    '<trkpt lat="23.0015" lon="113.1015"><time>2026-03-02T01:00:00Z</time></trkpt>'
    '<trkpt lat="23.0015" lon="113.1045"><time>2026-03-02T01:10:00Z</time></trkpt>'
    '<trkpt lat="23.0085" lon="113.1045"><time>2026-03-02T01:30:00Z</time></trkpt>'
    "</trkseg></trk>"
)


def test_parse_track_segments_times_and_length():
    track = parse_gpx(TRACK.encode())
    assert track.points == 3
    assert list(track.lines.geoms[0].coords)[0] == (113.1015, 23.0015)
    assert track.start.isoformat() == "2026-03-02T01:00:00+00:00"
    assert track.end.isoformat() == "2026-03-02T01:30:00+00:00"
    expected = haversine_m((113.1015, 23.0015), (113.1045, 23.0015)) + haversine_m(
        (113.1045, 23.0015), (113.1045, 23.0085)
    )
    assert length_m(track.lines) == pytest.approx(expected, rel=0.01)


def test_routes_count_as_lines_waypoints_do_not_and_single_points_are_dropped():
    doc = gpx(
        '<wpt lat="23.001" lon="113.101"/>'
        '<trk><trkseg><trkpt lat="23.001" lon="113.101"/></trkseg></trk>'
        '<rte><rtept lat="23.002" lon="113.102"/><rtept lat="23.003" lon="113.102"/></rte>'
    )
    track = parse_gpx(doc)
    assert len(track.lines.geoms) == 1
    assert track.dropped_segments == 1


@pytest.mark.parametrize(
    ("doc", "kind"),
    [
        ("this is not xml", "not_gpx"),
        ("<html><body>hello</body></html>", "not_gpx"),
        ('<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx>&a;</gpx>', "not_gpx"),
        ('<gpx><trk><trkseg><trkpt lat="abc" lon="113"/></trkseg></trk></gpx>', "not_gpx"),
        (gpx(""), "empty"),
        (gpx('<wpt lat="23.001" lon="113.101"/>'), "empty"),
        (
            gpx(
                '<trk><trkseg><trkpt lat="123" lon="23"/><trkpt lat="124" lon="23"/></trkseg></trk>'
            ),
            "out_of_range",
        ),
    ],
)
def test_bad_gpx_is_refused_with_its_kind(doc, kind):
    with pytest.raises(TrackError) as err:
        parse_gpx(doc)
    assert err.value.kind == kind


def test_file_objects_are_read(tmp_path):
    path = tmp_path / "walk.gpx"
    path.write_text(TRACK, encoding="utf-8")
    with path.open("rb") as fh:
        assert parse_gpx(fh).points == 3


def test_line_outside_a_polygon_in_metres():
    grid = box(113.101, 23.001, 113.105, 23.009)
    line = LineString([(113.103, 23.005), (113.103, 23.010)])  # 0.001° of latitude outside
    out = line_outside(line, grid)
    expected = 0.001 * metres_per_degree_lat(23.0095)  # ≈ 110.8 m
    assert out.length_m == pytest.approx(expected, rel=0.005)
    assert out.max_distance_m == pytest.approx(expected, rel=0.005)
    assert out.total_m == pytest.approx(0.005 * metres_per_degree_lat(23.0075), rel=0.005)
    assert line_outside(LineString([(113.102, 23.002), (113.104, 23.008)]), grid).length_m == 0


def test_line_past_a_concave_corner_is_measured_between_vertices():
    # An L-shaped polygon; the line's two vertices are inside, its middle cuts the notch.
    l_shape = box(0.0, 0.0, 0.002, 0.001).union(box(0.0, 0.0, 0.001, 0.002))
    line = LineString([(0.0005, 0.0019), (0.0019, 0.0005)])
    out = line_outside(line, l_shape)
    assert out.length_m > 50
    assert out.max_distance_m > 20


def test_track_stray_and_distances():
    route = LineString([(113.101, 23.005), (113.105, 23.005)])
    near = LineString([(113.101, 23.0051), (113.105, 23.0051)])
    d = distances_from_line_m(near, route)
    assert d == pytest.approx([0.0001 * metres_per_degree_lat(23.005)] * 2, rel=0.01)
    far = LineString([(113.101, 23.009), (113.105, 23.009)])  # ≈ 443 m north
    stray = track_stray(far, route, within_m=200)
    assert stray.median_m == pytest.approx(0.004 * metres_per_degree_lat(23.007), rel=0.01)
    assert stray.share_within == 0


def test_buffer_bbox_grows_by_metres():
    x0, y0, x1, y1 = buffer_bbox_m(Point(113.1, 23.0), 100)
    assert (y1 - 23.0) * metres_per_degree_lat(23.0) == pytest.approx(100, rel=0.01)
    assert haversine_m((113.1, 23.0), (x1, 23.0)) == pytest.approx(100, rel=0.01)
    assert x0 < 113.1 < x1
    assert y0 < 23.0 < y1


def test_within_distance_is_in_metres():
    buildings = [box(113.101, 23.001, 113.103, 23.003), box(113.106, 23.002, 113.108, 23.004)]
    line = LineString([(113.1015, 23.0033), (113.1045, 23.0033)])  # ≈ 33 m north of the first
    assert within_distance(buildings, [line], distance_m=50).tolist() == [True, False]
    assert within_distance(buildings, [line], distance_m=200).tolist() == [True, True]
    assert within_distance(buildings, [line], distance_m=30).tolist() == [False, False]
    assert within_distance(buildings, [], distance_m=50).tolist() == [False, False]
