"""manage.py import_grids: every format, parents by containment or code, coordinates
converted at the edge, every bad feature listed with nothing written, re-import keeping the
previous boundary as a GridVersion and re-locating people, dry run."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import Point
from django.core.management.base import CommandError
from shapely.geometry import box, mapping

from geodata import crs
from gridgov.accounts.models import AuditEntry
from gridgov.grids.models import Grid, GridVersion, Level
from gridgov.grids.services import grid_update
from tests.factories import MemberFactory
from tests.factories import box as geos_box
from tests.geodata.files import feature, ogr2ogr, write_geojson
from tests.grids.importing import as_format, geojson, run, state

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


# --- happy paths --------------------------------------------------------------------------

COMMUNITIES = [
    ("200001", "东区", box(113.00, 23.00, 113.01, 23.01)),
    ("200002", "西区", box(113.01, 23.00, 113.02, 23.01)),
]
COMPOUNDS = [
    ("200001001", "甲苑", box(113.001, 23.001, 113.005, 23.005)),
    ("200002001", "乙苑", box(113.011, 23.001, 113.015, 23.005)),
]
BUILDINGS = [
    ("200001001001", "1栋", box(113.001, 23.001, 113.003, 23.003)),
    ("200001001002", "2栋", box(113.003, 23.001, 113.005, 23.003)),
]


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "zip"])
def test_three_levels_from_each_format(fmt, db, tmp_path):
    def make(name, items):
        return as_format(geojson(tmp_path, name, items), fmt, tmp_path)

    out = run(make("communities", COMMUNITIES), "--level", "community")
    assert "created 2, updated 0" in out
    assert "unchanged 0" in out
    run(make("compounds", COMPOUNDS), "--level", "compound")  # parents by containment
    run(make("buildings", BUILDINGS), "--level", "building", "--parent-code", "200001001")

    parent = dict(Grid.objects.values_list("code", "parent__code"))
    assert parent == {
        "200001": None,
        "200002": None,
        "200001001": "200001",
        "200002001": "200002",
        "200001001001": "200001001",
        "200001001002": "200001001",
    }
    g = Grid.objects.get(code="200001001002")
    assert g.name == "2栋"
    assert g.kind == "building"
    assert g.level == Level.BUILDING
    assert g.geom.geom_type == "MultiPolygon"
    assert g.geom.srid == 4326
    assert shapely.equals(shapely.from_wkb(bytes(g.geom.wkb)), BUILDINGS[1][2])
    assert AuditEntry.objects.filter(action="grid.create").count() == 6


@pytest.mark.parametrize(
    ("fieldname", "fmt"),
    [
        ("parent_code", "geojson"),
        ("parent_code", "zip"),  # cut to parent_cod
        ("community_code", "zip"),
    ],
)  # as exported
def test_parent_code_field_is_used(fieldname, fmt, tree, tmp_path):
    # The feature lies in C1's corner, but the file names C2 (and the code fits C2).
    path = write_geojson(
        tmp_path / "k.geojson",
        [
            feature(
                {"code": "100002002", "name": "新苑", fieldname: "100002"},
                mapping(box(113.1092, 23.0092, 113.1098, 23.0098)),
            )
        ],
    )
    with pytest.raises(CommandError, match="outside its parent 100002"):
        run(as_format(path, fmt, tmp_path), "--level", "compound")
    path = write_geojson(
        tmp_path / "k.geojson",
        [
            feature(
                {"code": "100002002", "name": "新苑", fieldname: "100002"},
                mapping(box(113.1105, 23.0092, 113.1115, 23.0098)),
            )
        ],
    )
    run(as_format(path, fmt, tmp_path / "ok"), "--level", "compound")
    assert Grid.objects.get(code="100002002").parent == tree.c2


def test_gcj02_source_lands_at_the_wgs84_place(db, tmp_path):
    wgs = box(113.10, 23.00, 113.11, 23.01)

    def to_gcj(coords):
        return np.column_stack(crs.from_wgs84(coords[:, 0], coords[:, 1], "gcj02"))

    path = geojson(tmp_path, "gcj", [("300001", "高德", shapely.transform(wgs, to_gcj))])
    run(path, "--level", "community", "--source-crs", "gcj02")
    stored = shapely.from_wkb(bytes(Grid.objects.get(code="300001").geom.wkb))
    got = shapely.get_coordinates(stored)
    assert np.abs(got - shapely.get_coordinates(wgs)).max() < 1e-7


def test_projected_utm_source_lands_in_wgs84(db, tmp_path):
    wgs = box(113.10, 23.00, 113.11, 23.01)
    src = geojson(tmp_path, "wgs", [("300002", "UTM", wgs)])
    utm = ogr2ogr(src, tmp_path / "utm.gpkg", "-t_srs", "EPSG:32649")
    out = run(utm, "--level", "community")
    assert "UTM zone 49N" in out
    stored = shapely.from_wkb(bytes(Grid.objects.get(code="300002").geom.wkb))
    got = shapely.get_coordinates(shapely.normalize(stored))
    assert np.abs(got - shapely.get_coordinates(shapely.normalize(wgs))).max() < 1e-6


def test_chinese_field_names_are_found(db, tmp_path):
    path = write_geojson(
        tmp_path / "zh.geojson",
        [
            feature(
                {"\u7f16\u7801": "400001", "\u540d\u79f0": "北区"},
                mapping(box(113.2, 23.0, 113.21, 23.01)),
            )
        ],
    )
    run(path, "--level", "community")
    assert Grid.objects.get(code="400001").name == "北区"


# --- bad features: all listed, nothing written ----------------------------------------

BOWTIE = shapely.from_wkt(
    "POLYGON((113.102 23.004, 113.103 23.005, 113.103 23.004, 113.102 23.005, 113.102 23.004))"
)


def test_three_bad_features_all_named_and_nothing_written(tree, tmp_path):
    path = geojson(
        tmp_path,
        "bad",
        [
            ("100001001003", "3栋", box(113.101, 23.004, 113.102, 23.005)),  # fine
            ("100001001004", "4栋", BOWTIE),  # self-intersection
            ("100001001005", "5栋", box(113.1005, 23.006, 113.1015, 23.007)),  # half out of K1
            ("100001001003", "6栋", box(113.103, 23.006, 113.104, 23.007)),  # duplicate code
            ("100001001007", "7栋", box(113.104, 23.004, 113.105, 23.005)),  # fine
        ],
    )
    before = state()
    with pytest.raises(CommandError) as err:
        run(path, "--level", "building", "--parent-code", "100001001")
    text = str(err.value)
    assert "3 of 5 features" in text
    lines = text.splitlines()[1:]
    assert len(lines) == 3
    assert "feature 2 (code 100001001004)" in lines[0]
    assert "Self-intersection" in lines[0]
    assert "feature 3 (code 100001001005)" in lines[1]
    assert "outside its parent 100001001" in lines[1]
    assert "feature 4 (code 100001001003), code: duplicate code: feature 1" in lines[2]
    assert state() == before


def test_overlap_with_existing_and_in_file_siblings_and_parent_not_found(tree, tmp_path):
    path = geojson(
        tmp_path,
        "overlaps",
        [
            ("100001001008", "8栋", box(113.102, 23.002, 113.1025, 23.004)),  # overlaps B1
            ("100001001009", "9栋", box(113.101, 23.006, 113.103, 23.007)),
            ("100001001010", "10栋", box(113.102, 23.0065, 113.104, 23.0075)),  # overlaps 9栋
        ],
    )
    before = state()
    with pytest.raises(CommandError) as err:
        run(path, "--level", "building", "--parent-code", "100001001")
    text = str(err.value)
    assert "overlaps its sibling 100001001001 (existing)" in text
    assert "feature 2 (code 100001001009)" in text
    assert "100001001010 (in this file)" in text
    assert state() == before

    lost = geojson(tmp_path, "lost", [("100009001", "远方", box(114.0, 24.0, 114.01, 24.01))])
    with pytest.raises(CommandError, match="no community grid contains it"):
        run(lost, "--level", "compound")
    assert state() == before


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("points", "Point geometries"),
        ("empty", "holds no features"),
        ("not_geo", "not a geographic file"),
        ("metres", "outside longitude"),
        ("open_ring", "ring is not closed"),
        ("no_name", "missing name"),
        ("prefix", "must begin with the parent's code"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(case, message, tree, tmp_path):
    ring = [[113.1101, 23.0091], [113.1109, 23.0091], [113.1109, 23.0099]]
    geometry = mapping(box(113.1101, 23.0091, 113.1109, 23.0099))
    feats = {
        "points": [
            feature({"code": "1", "name": "x"}, {"type": "Point", "coordinates": [113.1, 23.0]})
        ],
        "empty": [],
        "metres": [
            feature(
                {"code": "100002009", "name": "x"},
                mapping(box(715244.9, 2545061.5, 716270.2, 2546170.0)),
            )
        ],
        "open_ring": [
            feature({"code": "100002009", "name": "x"}, {"type": "Polygon", "coordinates": [ring]})
        ],
        "no_name": [feature({"code": "100002009", "name": ""}, geometry)],
        "prefix": [feature({"code": "999999009", "name": "x"}, geometry)],
    }
    if case == "not_geo":
        path = tmp_path / "notes.geojson"
        path.write_text("this is not GeoJSON")
    else:
        path = write_geojson(tmp_path / f"{case}.geojson", feats[case])
    before = state()
    with pytest.raises(CommandError, match=message):
        run(path, "--level", "compound")
    assert state() == before


def test_long_error_lists_are_capped(tree, tmp_path):
    items = [
        (f"100002001{i:03d}", "", box(113.111 + i * 1e-4, 23.005, 113.1111 + i * 1e-4, 23.0051))
        for i in range(60)
    ]
    with pytest.raises(CommandError) as err:
        run(geojson(tmp_path, "many", items), "--level", "building")
    text = str(err.value)
    assert "and 10 more" in text
    assert len(text.splitlines()) == 52


# --- arguments ----------------------------------------------------------------------------


def test_unknown_level_missing_file_unknown_field(db, tmp_path):
    path = geojson(tmp_path, "c", COMMUNITIES[:1])
    with pytest.raises(CommandError, match="--level.*street"):
        run(path, "--level", "street")
    with pytest.raises(CommandError, match="File not found: .*nowhere.geojson"):
        run(tmp_path / "nowhere.geojson", "--level", "community")
    with pytest.raises(CommandError, match="No field bianma .*Its fields: code, name"):
        run(path, "--level", "community", "--code-field", "bianma")
    nameless = write_geojson(
        tmp_path / "n.geojson", [feature({"id_x": "1", "title": "a"}, mapping(COMMUNITIES[0][2]))]
    )
    with pytest.raises(CommandError, match="No code-field found.*fields: id_x, title"):
        run(nameless, "--level", "community")
    assert not Grid.objects.exists()


# --- re-import, history, people, dry run --------------------------------------------------


def test_reimport_moves_a_boundary_keeps_version_and_relocates(tree, tmp_path):
    person = MemberFactory(location=Point(113.1035, 23.002, srid=4326))  # inside B2
    assert person.building == tree.b2
    old_b1, old_b2 = tree.b1.geom.wkt, tree.b2.geom.wkt
    # The shared edge moves east from x=113.103 to 113.104: B1 grows, B2 shrinks; B1's new
    # polygon overlaps B2's old one, which the file replaces.
    path = geojson(
        tmp_path,
        "moved",
        [
            ("100001001001", "1栋", box(113.101, 23.001, 113.104, 23.003)),
            ("100001001002", "2栋(新)", box(113.104, 23.001, 113.105, 23.003)),
        ],
    )
    out = run(path, "--level", "building", "--parent-code", "100001001")
    assert "created 0, updated 2 (2 previous boundaries kept), unchanged 0" in out

    b2 = Grid.objects.get(code="100001001002")
    assert b2.pk == tree.b2.pk
    assert b2.name == "2栋(新)"
    assert shapely.equals(
        shapely.from_wkb(bytes(b2.geom.wkb)), box(113.104, 23.001, 113.105, 23.003)
    )
    versions = {v.grid_id: v for v in GridVersion.objects.all()}
    assert set(versions) == {tree.b1.pk, tree.b2.pk}
    assert versions[tree.b2.pk].geom.wkt == old_b2
    assert versions[tree.b2.pk].name == "2栋"
    assert versions[tree.b1.pk].geom.wkt == old_b1
    assert versions[tree.b2.pk].valid_from == tree.b2.created_at
    assert versions[tree.b2.pk].valid_to >= versions[tree.b2.pk].valid_from
    entry = AuditEntry.objects.filter(action="grid.update", object_id=str(b2.pk)).get()
    assert entry.before["name"] == "2栋"
    assert entry.after["name"] == "2栋(新)"

    person.refresh_from_db()
    assert person.building_id == tree.b1.pk

    # The same file again: nothing changes, no new version.
    again = run(path, "--level", "building", "--parent-code", "100001001")
    assert "created 0, updated 0 (0 previous boundaries kept), unchanged 2" in again
    assert GridVersion.objects.count() == 2


def test_dry_run_writes_nothing(tree, tmp_path):
    path = geojson(
        tmp_path,
        "dry",
        [
            ("100001001001", "1栋", box(113.101, 23.001, 113.104, 23.003)),  # moved
            ("100001001003", "3栋", box(113.101, 23.004, 113.102, 23.005)),  # new
            ("100001001002", "2栋", box(113.104, 23.001, 113.105, 23.003)),  # moved
        ],
    )
    before = state()
    out = run(path, "--level", "building", "--parent-code", "100001001", "--dry-run")
    assert "Dry run, nothing written: would create 1, update 2" in out
    assert state() == before


def test_grid_update_keeps_the_previous_boundary(tree):
    old = tree.b3.geom.wkt
    grid_update(grid=tree.b3, acting_user=None, name="1栋")  # no new boundary: no version
    assert not GridVersion.objects.exists()
    grid_update(grid=tree.b3, acting_user=None, geom=geos_box(113.106, 23.002, 113.108, 23.005))
    version = GridVersion.objects.get()
    assert version.grid_id == tree.b3.pk
    assert version.geom.wkt == old
    grid_update(grid=tree.b3, acting_user=None, geom=geos_box(113.106, 23.002, 113.108, 23.006))
    newest = GridVersion.objects.filter(grid=tree.b3).order_by("-valid_to").first()
    assert newest.valid_from == version.valid_to
