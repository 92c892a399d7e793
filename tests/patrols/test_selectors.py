"""Routes with days since their last patrol, overdue routes and building coverage."""

import datetime as dt

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.patrols.selectors import (
    covered_buildings,
    last_patrolled,
    overdue_routes,
    route_rows,
    routes_for,
    routes_geojson,
)
from gridgov.patrols.services import patrol_record, route_create
from tests.factories import MemberFactory

TODAY = dt.date(2026, 3, 10)


def line(text):
    return GEOSGeometry(f"LINESTRING({text})", srid=4326)


def walk(route, days_ago):
    return patrol_record(
        route=route,
        walked_on=TODAY - dt.timedelta(days=days_ago),
        members=[MemberFactory()],
        acting_user=None,
    )


@pytest.fixture
def routes(tree):
    # K1: an east-west line about 33 m north of buildings B1 and B2 (tops at 23.003), and
    # about 154 m west of B3 (K2, x from 113.106).
    k1 = route_create(
        acting_user=None,
        grid=tree.k1,
        name="K1 north",
        schedule="weekly",
        line=line("113.1015 23.0033, 113.1045 23.0033"),
    )
    # K2: a daily line through B3.
    k2 = route_create(
        acting_user=None,
        grid=tree.k2,
        name="K2 daily",
        schedule="daily",
        line=line("113.1065 23.0015, 113.1065 23.0085"),
    )
    # K3 (other community): monthly, through B4.
    k3 = route_create(
        acting_user=None,
        grid=tree.k3,
        name="K3 monthly",
        schedule="monthly",
        line=line("113.1125 23.0015, 113.1125 23.0085"),
    )
    return k1, k2, k3


def test_routes_for_a_grid_are_its_subtree(tree, routes):
    k1, k2, k3 = routes
    assert set(routes_for(tree.c1)) == {k1, k2}
    assert set(routes_for(tree.k3)) == {k3}
    assert set(routes_for(tree.b1)) == set()
    # A route of the compound crossing building B3's grid counts when asked for.
    assert set(routes_for(tree.b3, crossing=True)) == {k2}


@pytest.mark.parametrize(
    ("k1_ago", "k2_ago", "k3_ago", "overdue"),
    [
        (7, 1, 31, set()),  # each exactly at its interval: not yet due
        (8, 2, 32, {"K1 north", "K2 daily", "K3 monthly"}),
        (0, None, 3, {"K2 daily"}),  # never walked is overdue
    ],
)
def test_overdue_routes_by_schedule(tree, routes, k1_ago, k2_ago, k3_ago, overdue):
    for route, ago in zip(routes, (k1_ago, k2_ago, k3_ago), strict=True):
        if ago is not None:
            walk(route, ago + 5)  # an older walk never hides a newer one
            walk(route, ago)
    got = {r.name for r in overdue_routes(tree.c1, TODAY)} | {
        r.name for r in overdue_routes(tree.c2, TODAY)
    }
    assert got == overdue


def test_inactive_routes_are_never_overdue(tree, routes):
    from gridgov.patrols.services import route_update

    route_update(route=routes[1], acting_user=None, active=False)
    assert [r.name for r in overdue_routes(tree.c1, TODAY)] == ["K1 north"]


def test_route_rows_and_geojson_in_one_query(tree, routes):
    k1, k2, _k3 = routes
    walk(k1, 3)
    walk(k1, 10)
    assert last_patrolled(k1) == TODAY - dt.timedelta(days=3)
    assert last_patrolled(k2) is None
    with CaptureQueriesContext(connection) as ctx:
        rows = route_rows(tree.c1, today=TODAY)
    assert len(ctx.captured_queries) == 1
    by_name = {r["name"]: r for r in rows}
    assert by_name["K1 north"]["days_since"] == 3
    assert not by_name["K1 north"]["overdue"]
    assert by_name["K1 north"]["last_patrolled"] == "2026-03-07"
    assert by_name["K2 daily"]["days_since"] is None
    assert by_name["K2 daily"]["overdue"]
    fc = routes_geojson(tree.c1, today=TODAY)
    assert fc["type"] == "FeatureCollection"
    assert "crs" not in fc
    feature = next(f for f in fc["features"] if f["properties"]["name"] == "K1 north")
    assert feature["geometry"] == {
        "type": "LineString",
        "coordinates": [[113.1015, 23.0033], [113.1045, 23.0033]],
    }
    assert feature["properties"]["interval_days"] == 7


def test_coverage_within_and_beyond_the_distance(tree, routes):
    k1, _k2, _k3 = routes
    walk(k1, 2)
    result = covered_buildings(tree.c1, distance_m=50, days=7, today=TODAY)
    assert result["covered"] == [tree.b1.code, tree.b2.code]
    assert result["uncovered"] == [tree.b3.code]
    assert result["share"] == pytest.approx(2 / 3)
    assert result["routes"] == [k1.pk]
    assert result["buildings"] == 3
    # ≈ 33 m away: not within 30 m; B3 at ≈ 154 m comes within 200 m.
    assert covered_buildings(tree.c1, distance_m=30, days=7, today=TODAY)["covered"] == []
    wide = covered_buildings(tree.c1, distance_m=200, days=7, today=TODAY)
    assert wide["uncovered"] == []
    assert wide["share"] == 1


def test_routes_not_patrolled_in_the_last_days_do_not_count(tree, routes):
    k1, k2, _k3 = routes
    walk(k1, 8)  # outside the last 7 days
    # k2 (through B3) never walked
    result = covered_buildings(tree.c1, distance_m=50, days=7, today=TODAY)
    assert result["covered"] == []
    assert result["share"] == 0
    assert result["routes"] == []
    walk(k1, 7)  # on the edge of the window: counts
    walk(k2, 0)
    result = covered_buildings(tree.c1, distance_m=50, days=7, today=TODAY)
    assert result["covered"] == [tree.b1.code, tree.b2.code, tree.b3.code]
    # A patrol recorded for a later date than "today" does not count on that day.
    assert covered_buildings(tree.c1, days=7, today=TODAY - dt.timedelta(days=9))["covered"] == []


def test_coverage_of_a_building_counts_routes_of_other_grids(tree, routes):
    walk(routes[0], 1)  # K1's route, ≈ 33 m from B1
    result = covered_buildings(tree.b1, distance_m=50, days=7, today=TODAY)
    assert result["covered"] == [tree.b1.code]
    assert result["share"] == 1
    # A route patrolled in the other community does not reach C1's buildings.
    walk(routes[2], 1)
    assert covered_buildings(tree.c2, days=7, today=TODAY)["covered"] == [tree.b4.code]
    assert covered_buildings(tree.k2, days=7, today=TODAY)["covered"] == []


def test_coverage_with_no_buildings_has_no_share(tree, make_user):
    from gridgov.grids.models import Kind, Level
    from gridgov.grids.services import grid_create

    empty = grid_create(
        acting_user=None,
        level=Level.COMPOUND,
        code="100001003",
        name="空地",
        kind=Kind.RESIDENTIAL,
        geom=GEOSGeometry(
            "POLYGON((113.1 23.009,113.101 23.009,113.101 23.0099,113.1 23.0099,113.1 23.009))",
            srid=4326,
        ),
        parent=tree.c1,
    )
    assert covered_buildings(empty, today=TODAY)["share"] is None
