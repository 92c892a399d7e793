"""Bounding-box questions and spatial indexes behave the same on SpatiaLite and PostGIS.

SpatiaLite's MbrOverlaps (Django's ``bboverlaps``) is false when one box holds the other, so
a small grid inside a big one's box, or a window inside a community's box, went unseen
there. ``bbintersects`` answers like PostGIS's ``&&``."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from gridgov.grids.models import Grid, Kind, Level
from gridgov.grids.placement import load_layer
from gridgov.grids.services import grid_create
from gridgov.grids.spatial import repair_spatial_indexes, spatial_index_columns
from tests.factories import box


def test_a_building_inside_another_buildings_box_is_refused_as_overlap(tree):
    # Entirely inside B1 (113.101-113.103 x 23.001-23.003): its box is inside B1's box.
    before = Grid.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        grid_create(
            acting_user=None,
            level=Level.BUILDING,
            code="100001001099",
            name="9栋",
            kind=Kind.BUILDING,
            parent=tree.k1,
            geom=MultiPolygon(box(113.1015, 23.0015, 113.1025, 23.0025)),
        )
    assert "overlaps its sibling 100001001001" in str(exc.value)
    assert Grid.objects.count() == before


def test_a_window_inside_a_community_finds_the_community(tree):
    layer = load_layer(Level.COMMUNITY, bbox=(113.104, 23.004, 113.105, 23.005))
    assert layer.codes == ["100001"]


def test_in_bbox_finds_a_grid_holding_the_window_and_one_inside_it(tree):
    window = Polygon.from_bbox((113.1005, 23.0005, 113.1035, 23.0035))
    window.srid = 4326
    codes = set(Grid.objects.in_bbox(window).values_list("code", flat=True))
    # C1 and K1 hold the window; B1 lies inside it; B2 touches it; C2 is far east.
    assert {"100001", "100001001", "100001001001", "100001001002"} <= codes
    assert "100002" not in codes


def _index_state(table: str, column: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT spatial_index_enabled FROM geometry_columns "
            "WHERE f_table_name = %s AND f_geometry_column = %s",
            (table.lower(), column.lower()),
        )
        enabled = cursor.fetchone()[0]
        cursor.execute(f'SELECT count(*) FROM "idx_{table}_{column}"') if enabled else None
        rows = cursor.fetchone()[0] if enabled else -1
    return enabled, rows


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SpatiaLite's R*Tree")
def test_after_migrate_every_spatial_index_is_enabled(db):
    # The test database was built by the migrations, which rebuild several tables.
    columns = spatial_index_columns()
    assert ("grids_grid", "geom") in columns
    assert ("cases_case", "location") in columns
    assert [c for c in columns if _index_state(*c)[0] != 1] == []


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SpatiaLite's R*Tree")
def test_a_disabled_index_is_rebuilt_with_the_rows_already_there(tree):
    with connection.cursor() as cursor:
        cursor.execute("SELECT DisableSpatialIndex('grids_grid', 'geom')")
    assert _index_state("grids_grid", "geom")[0] == 0
    assert repair_spatial_indexes() == ["grids_grid.geom"]
    assert _index_state("grids_grid", "geom") == (1, Grid.objects.count())
    with connection.cursor() as cursor:  # and SpatiaLite's index search finds B1
        cursor.execute(
            "SELECT g.code FROM grids_grid g WHERE g.ROWID IN (SELECT ROWID FROM "
            "SpatialIndex WHERE f_table_name = 'grids_grid' AND search_frame = "
            "BuildMbr(113.1015, 23.0015, 113.1016, 23.0016, 4326)) ORDER BY g.code"
        )
        assert [r[0] for r in cursor.fetchall()] == ["100001", "100001001", "100001001001"]
    assert repair_spatial_indexes() == []
