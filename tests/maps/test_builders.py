"""maps.builders are pure: plain GeoJSON in, an offline folium map out (no database)."""

import json

from maps.builders import Labels, Tiles, bounds_of, embed, street_map
from tests.maps.helpers import CDN

LABELS = Labels("社区", "小区", "楼栋", "名称", "编码", "类型", "楼长")


def square(x, y, d, **props):
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
    }


def layers():
    fc = lambda *f: {"type": "FeatureCollection", "features": list(f)}  # noqa: E731
    common = {"code": "1", "name": "A", "kind": "k", "level": "l"}
    return {
        "communities": fc(square(10.0, 20.0, 1.0, **common)),
        "compounds": fc(square(10.1, 20.1, 0.5, **common)),
        "buildings": fc(
            square(10.2, 20.2, 0.1, **common, leader="王芳", has_leader=True),
            square(10.4, 20.2, 0.1, **common, leader="none", has_leader=False),
        ),
    }


def test_street_map_is_offline_and_fits_the_communities():
    m = street_map(layers=layers(), labels=LABELS, tiles=Tiles(), static=lambda p: f"/s/{p}")
    parts = embed(m)
    assert "/s/vendor/leaflet/leaflet.js" in parts["head"]
    assert not CDN.search(parts["head"] + parts["script"])
    assert "tileLayer" not in parts["script"]  # no tiles configured: no tile requests
    assert "[[20.0, 10.0], [21.0, 11.0]]" in parts["script"]  # fit to the community
    assert json.dumps("王芳")[1:-1] in parts["script"]  # the leader's name, JSON-escaped
    assert "#2e7d32" in parts["script"]
    assert "#ef6c00" in parts["script"]


def test_custom_tiles_are_used():
    m = street_map(
        layers=layers(),
        labels=LABELS,
        tiles=Tiles("http://gis.local/{z}/{x}/{y}.png", "市测绘院"),
        static=lambda p: p,
    )
    script = embed(m)["script"]
    assert "http://gis.local/{z}/{x}/{y}.png" in script
    assert json.dumps("市测绘院")[1:-1] in script


def test_bounds_of_empty_collection():
    assert bounds_of({"type": "FeatureCollection", "features": []}) == []
