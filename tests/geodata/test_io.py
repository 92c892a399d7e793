"""Reading grid polygons through GDAL: GeoJSON, zipped Shapefile and GeoPackage files made
for real (json, ogr2ogr), coordinates converted to WGS84 at the edge, nothing repaired."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, box, mapping

from geodata import crs
from geodata.io import ReadError, layer_info, outside_lonlat, read_features, to_multipolygon
from tests.geodata.files import feature, ogr2ogr, write_geojson, zipped_shapefile

# Messages are asserted in English here; the zh-hans ones are the same catalogue.
pytestmark = pytest.mark.usefixtures("english")


SQUARE = box(113.100, 23.000, 113.110, 23.010)


@pytest.fixture
def square_geojson(tmp_path: Path) -> Path:
    return write_geojson(
        tmp_path / "square.geojson", [feature({"code": "100001", "name": "东湖"}, mapping(SQUARE))]
    )


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "zip"])
def test_each_format_reads_the_same_polygon_and_attributes(fmt, square_geojson, tmp_path):
    path = {
        "geojson": lambda: square_geojson,
        "gpkg": lambda: ogr2ogr(square_geojson, tmp_path / "square.gpkg"),
        "zip": lambda: zipped_shapefile(square_geojson, tmp_path),
    }[fmt]()
    info, features = read_features(path)
    features = list(features)
    assert info.fields[:2] == ("code", "name")
    assert info.count == 1
    assert not info.transformed
    assert features[0].index == 1
    assert features[0].properties == {"code": "100001", "name": "东湖"}
    assert shapely.equals(features[0].geom, SQUARE)


def test_projected_layer_is_transformed_to_wgs84_by_gdal(square_geojson, tmp_path):
    utm = ogr2ogr(square_geojson, tmp_path / "utm.gpkg", "-t_srs", "EPSG:32649")
    info, features = read_features(utm)
    geom = next(features).geom
    assert info.epsg == 32649
    assert info.transformed
    got = shapely.get_coordinates(shapely.normalize(geom))
    want = shapely.get_coordinates(shapely.normalize(SQUARE))
    assert np.abs(got - want).max() < 1e-6


def test_cgcs2000_layer_is_taken_as_it_is(square_geojson, tmp_path):
    cgcs = ogr2ogr(square_geojson, tmp_path / "cgcs.gpkg", "-a_srs", "EPSG:4490")
    info, features = read_features(cgcs)
    assert info.epsg == 4490
    assert not info.transformed
    assert shapely.equals(next(features).geom, SQUARE)


def test_source_crs_gcj02_converts_every_vertex(tmp_path):
    def to_gcj(coords):
        lon, lat = crs.from_wgs84(coords[:, 0], coords[:, 1], "gcj02")
        return np.column_stack([lon, lat])

    path = write_geojson(
        tmp_path / "gcj.geojson",
        [feature({"code": "1"}, mapping(shapely.transform(SQUARE, to_gcj)))],
    )
    _, features = read_features(path, source_crs="gcj02")
    got = shapely.get_coordinates(next(features).geom)
    assert np.abs(got - shapely.get_coordinates(SQUARE)).max() < 1e-7


def test_source_crs_refused_for_a_projected_layer(square_geojson, tmp_path):
    utm = ogr2ogr(square_geojson, tmp_path / "utm.gpkg", "-t_srs", "EPSG:32649")
    with pytest.raises(ReadError, match="projected"):
        read_features(utm, source_crs="gcj02")


def test_unclosed_ring_is_reported_not_repaired(tmp_path):
    ring = [[113.1, 23.0], [113.11, 23.0], [113.11, 23.01], [113.1, 23.01]]
    path = write_geojson(
        tmp_path / "open.geojson",
        [feature({"code": "1"}, {"type": "Polygon", "coordinates": [ring]})],
    )
    raw = next(read_features(path)[1])
    assert raw.geom is None
    assert "not closed" in raw.error


def test_feature_without_geometry_is_reported(tmp_path):
    path = write_geojson(tmp_path / "none.geojson", [feature({"code": "1"}, None)])
    raw = next(read_features(path)[1])
    assert raw.geom is None
    assert raw.error


def test_points_layer_is_refused(tmp_path):
    path = write_geojson(
        tmp_path / "points.geojson",
        [feature({"code": "1"}, {"type": "Point", "coordinates": [113.1, 23]})],
    )
    with pytest.raises(ReadError, match="Point"):
        read_features(path)


def test_not_a_geo_file_missing_file_and_bad_zip(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ReadError, match="not a geographic file"):
        read_features(text)
    with pytest.raises(ReadError, match="not found"):
        read_features(tmp_path / "missing.geojson")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK not really")
    with pytest.raises(ReadError, match="zip"):
        read_features(bad)


def test_geopackage_with_several_layers_takes_first_or_named(square_geojson, tmp_path):
    gpkg = ogr2ogr(square_geojson, tmp_path / "two.gpkg", "-nln", "first")
    subprocess.run(
        ["ogr2ogr", "-update", "-nln", "second", str(gpkg), str(square_geojson)],
        check=True,
        capture_output=True,
    )
    assert layer_info(gpkg).name == "first"
    assert layer_info(gpkg, layer="second").layer_names == ("first", "second")
    with pytest.raises(ReadError, match="first, second"):
        layer_info(gpkg, layer="third")


def test_polygon_becomes_multipolygon_and_range_check():
    assert isinstance(to_multipolygon(SQUARE), MultiPolygon)
    assert to_multipolygon(shapely.Point(1, 2)) is None
    assert outside_lonlat(SQUARE) is None
    assert outside_lonlat(box(715244.9, 2545061.5, 716270.2, 2546170.0)) is not None
