"""manage.py export_geojson: layers, codes on every feature, RFC 7946 as GDAL reads it, GCJ-02,
subtree restriction, public fields only, and clear refusals."""

import io
import json
import re
import zipfile

import pytest
import shapely
import shapely.geometry
import shapely.wkt
from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from geodata import crs as crsmod
from gridgov.grids.models import RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import ReportStatus
from tests.factories import HouseholdFactory, MemberFactory, ResidentFactory

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English

CODES = ("community_code", "compound_code", "building_code")


def export(tmp_path, layer, *args, name=None):
    path = tmp_path / (name or f"{layer}.geojson")
    call_command("export_geojson", layer, *args, "-o", str(path), stderr=io.StringIO())
    return path


def features(path):
    """Properties of every feature as GDAL reads them, with the raw document."""
    layer = DataSource(str(path))[0]
    rows = [{name: f.get(name) for name in layer.fields} for f in layer]
    return rows, json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def people(tree):
    hidden = MemberFactory(
        name="李秘密",
        phone="13912345678",
        phone_public=False,
        address="东湖花园1栋301室",
        specialty="电工",
        pledge="有事找我",
        location=Point(113.1012, 23.0027, srid=4326),
    )  # B1, off-centre
    shown = MemberFactory(
        name="王公开",
        phone="13800001111",
        phone_public=True,
        address="南山小区1栋2室",
        location=Point(113.113, 23.003, srid=4326),
        report_status=ReportStatus.CONFIRMED,
    )
    # 李秘密 is public by their role, 王公开 confirmed and a public contact
    gridrole_assign(grid=tree.b1, member=hidden, role=RoleKind.BUILDING_LEADER, acting_user=None)
    h1 = HouseholdFactory(address="东湖花园1栋101室")  # in B1
    ResidentFactory(household=h1, name="张居民")
    ResidentFactory(household=h1, name="赵居民")
    h2 = HouseholdFactory(address="东湖花园1栋102室")
    ResidentFactory(household=h2, name="钱居民")
    HouseholdFactory(address="南山小区1栋1室", location=Point(113.113, 23.003, srid=4326))
    return hidden, shown


@pytest.mark.parametrize(
    ("layer", "count", "levels"),
    [
        ("communities", 2, {1}),
        ("compounds", 3, {2}),
        ("buildings", 4, {3}),
        ("grids", 9, {1, 2, 3}),
    ],
)
def test_grid_layers_carry_the_three_codes(tree, tmp_path, layer, count, levels):
    rows, doc = features(export(tmp_path, layer))
    assert len(rows) == count == len(doc["features"])
    assert {r["level"] for r in rows} == levels
    for f in doc["features"]:
        p = f["properties"]
        assert set(CODES) <= set(p)
        level = p["level"]
        expected = {
            1: (p["code"], None, None),
            2: (p["code"][:6], p["code"], None),
            3: (p["code"][:6], p["code"][:9], p["code"]),
        }[level]
        assert tuple(p[c] for c in CODES) == expected


def test_rfc7946_ccw_seven_decimals_no_crs(tree, tmp_path):
    path = export(tmp_path, "grids")
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert "crs" not in doc
    assert "gridgov:crs" not in doc
    assert not re.search(r"\d\.\d{8,}", text)
    for f in doc["features"]:
        for poly in f["geometry"]["coordinates"]:
            assert shapely.is_ccw(shapely.LinearRing(poly[0]))
    assert DataSource(str(path))[0].srs.srid == 4326


def test_the_database_writes_each_whole_feature(tree, tmp_path):
    """WGS84 and CGCS2000: the SQL makes each feature's text around the grid's stored
    GeoJSON; GCJ-02 is converted in Python, from WKB."""
    for crs in ("wgs84", "cgcs2000"):
        with CaptureQueriesContext(connection) as ctx:
            export(tmp_path, "buildings", "--crs", crs)
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        assert '"type":"Feature","properties":' in sql
        assert "g.geojson" in sql
        assert "AsGeoJSON" not in sql
    with CaptureQueriesContext(connection) as ctx:
        export(tmp_path, "buildings", "--crs", "gcj02")
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert '"type":"Feature"' not in sql
    assert "AsBinary(" in sql


AWKWARD = 'A"B\\C\n\t 💡 \u2028 %_ <script>'


def _coords_close(a, b):
    if isinstance(a, list):
        assert isinstance(b, list)
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _coords_close(x, y)
    else:
        assert a == pytest.approx(b, abs=1.01e-7)


@pytest.mark.parametrize("layer", ["grids", "buildings", "members", "households"])
def test_database_features_are_the_python_features(tree, people, tmp_path, layer):
    """The features the database writes are those Python builds from the same rows: the same
    properties (quotes, backslashes, control characters, emoji, masked phones, counts) and
    the same geometry (clockwise input with a hole comes out counter-clockwise, its hole
    clockwise), to the 7th decimal."""
    from geodata import export as gexport
    from gridgov.grids import exporting
    from gridgov.grids.models import Kind, Level
    from gridgov.grids.services import grid_create

    hole = GEOSGeometry(
        "MULTIPOLYGON(((113.1055 23.005, 113.1055 23.008, 113.1085 23.008, "
        "113.1085 23.005, 113.1055 23.005), (113.106 23.006, 113.107 23.006, "
        "113.107 23.007, 113.106 23.007, 113.106 23.006)))",
        srid=4326,
    )
    grid_create(
        acting_user=None,
        level=Level.BUILDING,
        code="100001002002",
        name=AWKWARD,
        kind=Kind.BUILDING,
        geom=hole,
        parent=tree.k2,
    )
    MemberFactory(
        name=AWKWARD,
        pledge="",
        specialty='50%_off \\ "x"',
        phone="12345",
        location=Point(113.1058, 23.0075, srid=4326),
        phone_public=True,
        report_status=ReportStatus.CONFIRMED,
    )
    _, doc = features(export(tmp_path, layer))
    python = [
        json.loads(text)
        for batch in gexport.feature_batches(exporting.layer_items(layer))
        for text in batch
    ]
    assert len(doc["features"]) == len(python) > 0
    for ours, theirs in zip(doc["features"], python, strict=True):
        assert ours["properties"] == theirs["properties"]
        assert ours["geometry"]["type"] == theirs["geometry"]["type"]
        _coords_close(ours["geometry"]["coordinates"], theirs["geometry"]["coordinates"])
    if layer != "households":
        assert AWKWARD in {f["properties"]["name"] for f in doc["features"]}
    for feature in doc["features"]:
        if (
            feature["properties"].get("building_code") == "100001002002"
            and feature["geometry"]["type"] == "MultiPolygon"
        ):
            outer, inner = feature["geometry"]["coordinates"][0]
            assert shapely.is_ccw(shapely.LinearRing(outer))
            assert not shapely.is_ccw(shapely.LinearRing(inner))
    if layer == "members":
        phones = {f["properties"]["phone"] for f in doc["features"]}
        assert "*****" in phones  # 5 digits: all masked


def test_gcj02_shifted_by_the_expected_offset(tree, tmp_path):
    _, wgs = features(export(tmp_path, "buildings"))
    _, gcj = features(export(tmp_path, "buildings", "--crs", "gcj02", name="gcj.geojson"))
    assert gcj["gridgov:crs"]["name"] == "gcj02"
    for a, b in zip(wgs["features"], gcj["features"], strict=True):
        assert a["properties"] == b["properties"]
        pa = shapely.get_coordinates(shapely.from_geojson(json.dumps(a["geometry"])))
        pb = shapely.get_coordinates(shapely.from_geojson(json.dumps(b["geometry"])))
        lon, lat = crsmod.from_wgs84(pa[:, 0], pa[:, 1], "gcj02")
        assert abs(pb[:, 0] - lon).max() < 2e-7
        assert abs(pb[:, 1] - lat).max() < 2e-7
        # Foshan: GCJ-02 lies ~0.0054° east and ~0.0027° south of WGS84 (about 600 m).
        assert 0.004 < (pb[:, 0] - pa[:, 0]).mean() < 0.007
        assert -0.004 < (pb[:, 1] - pa[:, 1]).mean() < -0.001


def test_cgcs2000_is_labelled_epsg_4490(tree, tmp_path):
    _, wgs = features(export(tmp_path, "communities"))
    _, cgcs = features(export(tmp_path, "communities", "--crs", "cgcs2000", name="c.geojson"))
    assert cgcs["gridgov:crs"]["epsg"] == 4490
    assert cgcs["features"] == wgs["features"]


def test_grid_option_restricts_to_the_subtree(tree, tmp_path, people):
    rows, _ = features(export(tmp_path, "grids", "--grid", "100001001"))
    assert sorted(r["code"] for r in rows) == ["100001001", "100001001001", "100001001002"]
    rows, _ = features(export(tmp_path, "buildings", "--grid", "100002", name="b.geojson"))
    assert [r["code"] for r in rows] == ["100002001001"]
    rows, _ = features(export(tmp_path, "members", "--grid", "100002", name="m.geojson"))
    assert [r["name"] for r in rows] == ["王公开"]
    rows, _ = features(export(tmp_path, "households", "--grid", "100001001001", name="h.geojson"))
    assert [(r["building_code"], r["households"], r["residents"]) for r in rows] == [
        ("100001001001", 2, 3)
    ]
    rows, _ = features(export(tmp_path, "households", "--grid", "100001", name="h1.geojson"))
    assert [(r["building_code"], r["households"], r["residents"]) for r in rows] == [
        ("100001001001", 2, 3),
        ("100001001002", 0, 0),
        ("100001002001", 0, 0),
    ]


def test_members_export_public_fields_only(tree, tmp_path, people):
    hidden, shown = people
    path = export(tmp_path, "members")
    rows, doc = features(path)
    text = path.read_text(encoding="utf-8")
    assert len(rows) == 2
    assert "address" not in rows[0]
    assert "东湖花园1栋301室" not in text
    assert "南山小区1栋2室" not in text
    assert "13912345678" not in text  # did not opt in: masked
    by_name = {r["name"]: r for r in rows}
    assert by_name["李秘密"]["phone"] == "139****5678"
    assert by_name["王公开"]["phone"] == "138****1111"  # opted in, but an export: masked
    assert by_name["李秘密"]["specialty"] == "电工"
    assert by_name["李秘密"]["pledge"] == "有事找我"
    assert set(doc["features"][0]["properties"]) == {
        *CODES,
        "name",
        "kind",
        "specialty",
        "pledge",
        "phone",
    }
    assert (
        by_name["李秘密"]["community_code"],
        by_name["李秘密"]["compound_code"],
        by_name["李秘密"]["building_code"],
    ) == ("100001", "100001001", "100001001001")
    assert all(f["geometry"]["type"] == "Point" for f in doc["features"])
    # the point is on the member's building, not their home position
    for f in doc["features"]:
        member = hidden if f["properties"]["name"] == hidden.name else shown
        point = GEOSGeometry(json.dumps(f["geometry"]), srid=4326)
        assert member.building.geom.intersects(point)
        assert point.distance(member.building.geom.point_on_surface) < 1e-6


def test_households_export_counts_per_building_without_names(tree, tmp_path, people):
    path = export(tmp_path, "households")
    rows, doc = features(path)
    text = path.read_text(encoding="utf-8")
    assert len(rows) == 4  # one feature per building polygon
    counts = {r["building_code"]: (r["households"], r["residents"]) for r in rows}
    assert counts == {
        "100001001001": (2, 3),
        "100001001002": (0, 0),
        "100001002001": (0, 0),
        "100002001001": (1, 0),
    }
    for word in ("张居民", "赵居民", "钱居民", "李秘密", "东湖花园1栋101室", "室"):
        assert word not in text
    assert set(doc["features"][0]["properties"]) == {*CODES, "households", "residents"}
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in doc["features"])


def test_stdout_when_no_output_file(tree):
    out = io.StringIO()
    call_command("export_geojson", "compounds", stdout=out, stderr=io.StringIO())
    doc = json.loads(out.getvalue())
    assert len(doc["features"]) == 3


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["parks"], "'parks'"),
        (["grids", "--crs", "bd09"], "'bd09'"),
        (["grids", "--grid", "999999"], "'999999'"),
        (["grids", "--format", "kml"], "'kml'"),
    ],
)
def test_bad_requests_name_the_value(tree, args, named):
    with pytest.raises(CommandError) as err:
        call_command("export_geojson", *args, stdout=io.StringIO(), stderr=io.StringIO())
    message = str(err.value)
    assert named in message
    if "--grid" not in args:
        assert "expected one of" in message


def test_binary_formats_need_an_output_file(tree):
    with pytest.raises(CommandError, match="-o FILE"):
        call_command("export_geojson", "grids", "--format", "gpkg", stdout=io.StringIO())


def test_geopackage_and_shapefile_read_back(tree, tmp_path, people):
    gpkg = export(tmp_path, "buildings", "--format", "gpkg", name="b.gpkg")
    layer = DataSource(str(gpkg))[0]
    assert layer.name == "buildings"
    assert len(layer) == 4
    assert all(f.get("building_code") for f in layer)

    shp = export(tmp_path, "households", "--format", "shp", "--crs", "cgcs2000", name="h.zip")
    assert "households.shp" in zipfile.ZipFile(shp).namelist()
    layer = DataSource(f"/vsizip/{shp}/households.shp")[0]
    assert len(layer) == 4
    assert layer.srs.srid == 4490
    assert {"community_", "compound_c", "building_c", "households", "residents"} <= set(
        layer.fields
    )


def test_stored_geojson_follows_every_boundary_change(tree, tmp_path):
    """Grid.geojson is kept by the database: a new boundary (drawn clockwise) is exported at
    once, counter-clockwise, and so is its point inside for the members layer."""
    from gridgov.grids.models import Grid
    from gridgov.grids.services import grid_update

    clockwise = GEOSGeometry(
        "MULTIPOLYGON(((113.112 23.002, 113.112 23.0035, 113.1135 23.0035, "
        "113.1135 23.002, 113.112 23.002)))",
        srid=4326,
    )
    grid_update(grid=tree.b4, acting_user=None, geom=clockwise)
    stored = json.loads(Grid.objects.get(pk=tree.b4.pk).geojson)
    assert shapely.is_ccw(shapely.LinearRing(stored["coordinates"][0][0]))
    assert shapely.geometry.shape(stored).equals(shapely.wkt.loads(clockwise.wkt))
    _, doc = features(export(tmp_path, "buildings", "--grid", tree.b4.code))
    assert doc["features"][0]["geometry"] == stored
    label = json.loads(Grid.objects.get(pk=tree.b4.pk).label_geojson)
    assert shapely.geometry.shape(label).within(shapely.geometry.shape(stored))
