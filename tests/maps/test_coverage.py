"""Patrol coverage on the grid dashboard: the side panel's count of buildings near a route
patrolled recently, and the "Patrol coverage" layer drawing them covered or not.

Hand count for the fixture: route 东湖夜巡线 runs along lat 23.0035 from lon 113.1015 to
113.1045, then north along lon 113.1045. B1 (113.101–113.103) and B2 (113.103–113.105) end at
lat 23.003: 0.0005° = 55.3 m south of it. B3 (from lon 113.106) is 0.0015° of longitude ≈
154 m east of its northward leg. So within 60 m: B1 and B2 (2 of C1's 3 buildings); within
50 m: none.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from gridgov.patrols.services import patrol_record
from tests.maps.dashboards import (
    logged_in_page,
)
from tests.plugins.browser import SIZES


def walk(route, member, days_ago: int = 0):
    return patrol_record(
        route=route,
        members=[member],
        acting_user=None,
        walked_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def live_of(page: str) -> dict:
    return json.loads(
        re.search(
            r'<script id="gridgov-live" type="application/json">(.*?)'
            r"</script>",
            page,
            re.S,
        ).group(1)
    )


def panel_figure(page: str) -> str:
    return re.search(r'<dd id="patrol-coverage">(.*?)</dd>', page, re.S).group(1).strip()


@override_settings(GRIDGOV_PATROL_COVERAGE_M=60, GRIDGOV_PATROL_COVERAGE_DAYS=7)
def test_panel_counts_the_buildings_near_a_route_walked_this_week(client, staffed):
    walk(staffed.route_k1, staffed.leader, days_ago=2)
    client.force_login(staffed.staff_c1)
    page = client.get("/en/map/grid/100001/").content.decode()
    assert panel_figure(page) == "2 / 3 (67%)"
    assert "buildings within 60 m of a route patrolled in the last 7 days" in page
    assert sorted(live_of(page)["covered"]["codes"]) == ["100001001001", "100001001002"]
    # the layer, switchable, with its buildings and a legend entry
    assert '"kind":"coverage"' in page
    assert "Patrol coverage" in page
    assert page.count("legend-coverage") == 2


@override_settings(GRIDGOV_PATROL_COVERAGE_M=60, GRIDGOV_PATROL_COVERAGE_DAYS=7)
def test_a_walk_older_than_the_window_covers_nothing(client, staffed):
    walk(staffed.route_k1, staffed.leader, days_ago=10)
    client.force_login(staffed.staff_c1)
    page = client.get("/en/map/grid/100001/").content.decode()
    assert panel_figure(page) == "0 / 3 (0%)"
    assert live_of(page)["covered"]["codes"] == []


@override_settings(GRIDGOV_PATROL_COVERAGE_M=50)
def test_a_shorter_distance_leaves_the_buildings_uncovered(client, staffed):
    walk(staffed.route_k1, staffed.leader)
    client.force_login(staffed.staff_c1)
    page = client.get("/en/map/grid/100001/").content.decode()
    assert panel_figure(page) == "0 / 3 (0%)"
    assert "within 50 m" in page


@override_settings(GRIDGOV_PATROL_COVERAGE_M=60)
def test_a_new_patrol_shows_at_once_on_a_cached_dashboard(client, staffed):
    client.force_login(staffed.staff_c1)
    assert panel_figure(client.get("/map/grid/100001001/").content.decode()) == "0 / 2 (0%)"
    walk(staffed.route_k1, staffed.leader)
    assert panel_figure(client.get("/map/grid/100001001/").content.decode()) == "2 / 2 (100%)"


# --- in the browser ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@override_settings(GRIDGOV_PATROL_COVERAGE_M=60)
def test_coverage_layer_switches_on_with_covered_buildings(
    browser,
    live_server,
    leader_login,
):
    from gridgov.patrols.models import PatrolRoute
    from gridgov.people.models import Member

    walk(PatrolRoute.objects.get(name="东湖夜巡线"), Member.objects.get(name="林楼长"))
    page, errors, _ = logged_in_page(browser, live_server, SIZES["tablet landscape"])
    assert page.locator("#patrol-coverage").inner_text() == "2 / 2 (100%)"
    assert page.locator("path.coverage-building").count() == 0  # off until switched on
    layer = page.locator(
        ".leaflet-control-layers label", has_text=re.compile("巡逻覆盖|Patrol coverage")
    )
    layer.locator("input").check()
    page.wait_for_function("() => document.querySelectorAll('path.coverage-building').length === 2")
    assert page.locator("path.coverage-building.covered").count() == 2
    assert page.locator(".legend-coverage").first.is_visible()
    assert errors == []
    page.context.close()
