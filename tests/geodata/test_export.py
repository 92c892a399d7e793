"""Streaming GeoJSON writer (geodata.export): RFC 7946 as GDAL reads it, counter-clockwise
exteriors, 7 decimals, no ``crs`` member, labelled GCJ-02/CGCS2000, one feature at a time."""

import io
import json
import re
import zipfile

import pytest
import shapely
from django.contrib.gis.gdal import DataSource
from shapely.geometry import Point, Polygon

from geodata import crs as crsmod
from geodata import export

# Clockwise exterior (wrongly wound) with a counter-clockwise hole, 9 decimals.
CW_WITH_HOLE = Polygon(
    [(113.1, 23.0), (113.1, 23.0100000004), (113.1100000001, 23.01), (113.11, 23.0)],
    [[(113.102, 23.002), (113.104, 23.002), (113.104, 23.004), (113.102, 23.004)]],
)
SQUARE_CCW_TEXT = (
    '{"type":"Polygon","coordinates":[[[113.12,23.0],[113.13,23.0],[113.13,23.01],'
    "[113.12,23.01],[113.12,23.0]]]}"
)


def items():
    return [
        (
            {"code": "A", "community_code": "A", "compound_code": None, "building_code": None},
            CW_WITH_HOLE,
        ),
        (
            {"code": "B", "community_code": "B", "compound_code": None, "building_code": None},
            shapely.to_wkb(shapely.MultiPolygon([CW_WITH_HOLE])),
        ),
        (
            {"code": "C", "community_code": "C", "compound_code": None, "building_code": None},
            SQUARE_CCW_TEXT,
        ),
        (
            {
                "code": "D",
                "name": "东湖",
                "community_code": "D",
                "compound_code": None,
                "building_code": None,
            },
            Point(113.123456789, 23.0),
        ),
        ({"code": "E", "community_code": "E", "compound_code": None, "building_code": None}, None),
    ]


def write(tmp_path, crs="wgs84", data=None):
    path = tmp_path / f"out-{crs}.geojson"
    with open(path, "w", encoding="utf-8") as f:
        n = export.write_geojson(data if data is not None else items(), f, crs=crs)
    return path, n


def rings(geometry: dict) -> list[tuple[list, bool]]:
    """(ring, is_exterior) of a Polygon or MultiPolygon GeoJSON geometry."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [(ring, i == 0) for poly in polys for i, ring in enumerate(poly)]


def test_gdal_reads_every_feature_with_its_properties(tmp_path):
    path, n = write(tmp_path)
    assert n == 5
    layer = DataSource(str(path))[0]
    assert len(layer) == 5
    assert {"code", "community_code", "compound_code", "building_code"} <= set(layer.fields)
    assert [f.get("code") for f in layer] == ["A", "B", "C", "D", "E"]
    assert layer[3].get("name") == "东湖"
    assert layer.srs.srid == 4326


def test_rfc7946_winding_precision_and_no_crs_member(tmp_path):
    path, _ = write(tmp_path)
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert "crs" not in doc
    assert "gridgov:crs" not in doc
    assert not re.search(r"\d\.\d{8,}", text), "more than 7 decimals"
    for feature in doc["features"]:
        geometry = feature["geometry"]
        if geometry is None or geometry["type"] == "Point":
            continue
        for ring, exterior in rings(geometry):
            ccw = shapely.is_ccw(shapely.LinearRing(ring))
            assert ccw == exterior, (feature["properties"]["code"], exterior)
    assert doc["features"][3]["geometry"]["coordinates"] == [113.1234568, 23.0]
    assert doc["features"][4]["geometry"] is None
    # The database's GeoJSON text is passed through untouched in WGS84.
    assert json.dumps(doc["features"][2]["geometry"], separators=(",", ":")) == SQUARE_CCW_TEXT


def test_gcj02_is_shifted_by_the_gcj02_offset_and_labelled(tmp_path):
    wgs, _ = write(tmp_path, "wgs84")
    gcj, _ = write(tmp_path, "gcj02")
    a = json.loads(wgs.read_text())
    b = json.loads(gcj.read_text())
    assert b["gridgov:crs"]["name"] == "gcj02"
    assert "GCJ-02" in b["gridgov:crs"]["note"]
    assert "crs" not in b
    for fa, fb in zip(a["features"][:4], b["features"][:4], strict=True):
        pa = shapely.get_coordinates(shapely.from_geojson(json.dumps(fa["geometry"])))
        pb = shapely.get_coordinates(shapely.from_geojson(json.dumps(fb["geometry"])))
        lon, lat = crsmod.from_wgs84(pa[:, 0], pa[:, 1], "gcj02")
        # A few hundred metres in Foshan, vertex by vertex as the GCJ-02 formula says.
        assert (abs(pb[:, 0] - pa[:, 0]) > 0.003).all()
        assert abs(pb[:, 0] - lon).max() < 2e-7
        assert abs(pb[:, 1] - lat).max() < 2e-7
    text = gcj.read_text()
    assert not re.search(r"\d\.\d{8,}", text)
    for feature in b["features"][:3]:
        for ring, exterior in rings(feature["geometry"]):
            assert shapely.is_ccw(shapely.LinearRing(ring)) == exterior


def test_cgcs2000_keeps_coordinates_and_says_epsg_4490(tmp_path):
    wgs, _ = write(tmp_path, "wgs84")
    cgcs, _ = write(tmp_path, "cgcs2000")
    a, b = json.loads(wgs.read_text()), json.loads(cgcs.read_text())
    assert b["gridgov:crs"]["name"] == "cgcs2000"
    assert b["gridgov:crs"]["epsg"] == 4490
    assert a["features"] == b["features"]


def test_unknown_crs_is_refused():
    with pytest.raises(export.ExportError, match="bd09"):
        export.write_geojson([], io.StringIO(), crs="bd09")


def test_features_are_written_before_the_input_is_exhausted():
    """Streaming: the first features reach the stream while the source is still running."""
    consumed = []
    stream = io.StringIO()
    written_when = []

    def source():
        for i in range(5 * export.BATCH):
            consumed.append(i)
            if i == 3 * export.BATCH:
                written_when.append(stream.tell())
            yield {"code": str(i)}, Point(113.1 + i * 1e-6, 23.0)

    n = export.write_geojson(source(), stream)
    assert n == 5 * export.BATCH
    assert written_when[0] > 0  # earlier batches were already written
    assert len(json.loads(stream.getvalue())["features"]) == n


def test_empty_collection(tmp_path):
    path, n = write(tmp_path, data=[])
    assert n == 0
    assert json.loads(path.read_text()) == {"type": "FeatureCollection", "features": []}


@pytest.mark.skipif(not export.ogr2ogr_available(), reason="ogr2ogr not installed")
def test_geopackage_and_zipped_shapefile_read_back(tmp_path):
    data = items()[:4]
    source, _ = write(tmp_path, data=data)
    gpkg = export.convert(source, tmp_path / "out.gpkg", fmt="gpkg", layer="grids")
    layer = DataSource(str(gpkg))[0]
    assert layer.name == "grids"
    assert len(layer) == 4
    assert "community_code" in layer.fields

    # A shapefile holds one geometry type: polygons only.
    source, _ = write(tmp_path, crs="gcj02", data=items()[:3])
    shp = export.convert(source, tmp_path / "out.zip", fmt="shp", layer="grids", crs="gcj02")
    names = zipfile.ZipFile(shp).namelist()
    assert {"grids.shp", "grids.shx", "grids.dbf", "grids.prj", "grids.crs.txt"} <= set(names)
    layer = DataSource(f"/vsizip/{shp}/grids.shp")[0]
    assert len(layer) == 3
    # Shapefile field names are cut to 10 characters by GDAL.
    assert {"community_", "compound_c", "building_c"} <= set(layer.fields)
