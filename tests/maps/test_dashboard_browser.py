"""The grid dashboard as a grid leader sees it on a tablet, in Debian's headless Chromium:
child polygons, a tap on a building opens its leader, the layer switch, drill-down to a
building, no console errors, nothing fetched from outside; screenshots saved."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from gridgov.grids.services import gridrole_assign
from tests.factories import MemberFactory
from tests.maps.test_browser import SIZES, browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def leader_login(tree, make_user):
    lead = MemberFactory(
        name="林楼长",
        pledge="有事找我",
        specialty="水电维修",
        phone="13911112222",
        location=Point(113.102, 23.002, srid=4326),
    )
    gridrole_assign(grid=tree.b1, member=lead, role="building_leader", acting_user=None)
    make_user("gridleader", "grid_leader", grid=tree.k1)
    # a route in K1 never patrolled, and an open request in B2
    from django.contrib.gis.geos import LineString

    from gridgov.cases.models import CaseCategory
    from gridgov.cases.services import case_create
    from gridgov.patrols.services import route_create

    route_create(
        acting_user=None,
        grid=tree.k1,
        name="东湖夜巡线",
        line=LineString((113.1015, 23.0035), (113.1045, 23.0035), (113.1045, 23.0085), srid=4326),
    )
    category, _ = CaseCategory.objects.get_or_create(
        code="facility",
        defaults={
            "name": "设施维修",
            "kind": "problem",
            "first_response_sla_minutes": 60,
            "resolution_sla_hours": 72,
        },
    )
    case_create(
        acting_user=None,
        category=category,
        channel="phone",
        title="路灯不亮",
        requester_name="张阿姨",
        location=Point(113.1047, 23.0013, srid=4326),
    )
    return tree


# Generous limits: the machine may be busy with other test runs (a wait ends as soon as its
# condition holds, so a quick run stays quick).
TIMEOUT_MS = 60_000
NAVIGATION_MS = 90_000


def logged_in_page(browser, live_server, size, prepare=None):  # noqa: F811
    """A tablet page signed in as the grid leader, on K1's dashboard with its map drawn.
    ``prepare(context)`` runs before the page opens (e.g. to route requests)."""
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_MS)
    if prepare is not None:
        prepare(context)
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server.url + "/map/grid/100001001/")  # sends a visitor to log in
    page.fill("#id_username", "gridleader")
    page.fill("#id_password", "x-Pass-2026!")
    page.click(".login button[type=submit]")
    page.wait_for_url(live_server.url + "/map/grid/100001001/")
    map_ready(page, children=2)
    return page, errors, requests


def map_ready(page, *, children: int) -> None:
    """Wait until the dashboard's map has its view (no zoom or pan under way) and has drawn
    its ``children`` child polygons."""
    page.wait_for_function(
        """(n) => {
            const el = document.querySelector('.folium-map');
            const map = el && window[el.id];
            return !!map && map._loaded && !map._animatingZoom
                && !(map._panAnim && map._panAnim._inProgress)
                && document.querySelectorAll('path.child-grid').length === n;
        }""",
        arg=children,
    )


def tap(page, x: float, y: float, selector: str) -> None:
    """Click at (x, y) once what lies there is ``selector`` (not a control, a popup or a
    polygon still moving into place)."""
    page.wait_for_function(
        "([x, y, sel]) => { const el = document.elementFromPoint(x, y);"
        " return !!el && el.matches(sel); }",
        arg=[x, y, selector],
    )
    page.mouse.click(x, y)


@pytest.mark.parametrize(
    "size", [SIZES["tablet portrait"], SIZES["tablet landscape"]], ids=["portrait", "landscape"]
)
def test_grid_leader_dashboard_on_a_tablet(browser, live_server, leader_login, size):  # noqa: F811
    page, errors, requests = logged_in_page(browser, live_server, size)
    # K1's two buildings are the children, with one leader marker, one route, one request
    assert page.locator("path.child-grid").count() == 2
    assert page.locator("path.leader-marker").count() == 1
    assert page.get_by_text("林楼长").first.is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"dashboard-{size[0]}x{size[1]}.png"))
    assert errors == []
    assert [u for u in requests if not u.startswith((live_server.url, "data:"))] == []
    page.context.close()


def test_tap_building_then_drill_down(browser, live_server, leader_login):  # noqa: F811
    page, errors, _ = logged_in_page(browser, live_server, SIZES["tablet landscape"])
    # B2 (no leader, no marker on it): tap it, follow the popup's link to its dashboard
    b2 = page.locator("path.child-grid").nth(1).bounding_box()
    tap(page, b2["x"] + b2["width"] / 2, b2["y"] + b2["height"] / 2, "path.child-grid")
    popup = page.locator(".leaflet-popup-content")
    popup.locator("a.drill").wait_for()
    assert "2栋" in popup.inner_text() and "100001001002" in popup.inner_text()
    href = popup.locator("a.drill").get_attribute("href")
    assert href == "/map/grid/100001001002/?metric=leaders", href
    popup.locator("a.drill").click()
    page.wait_for_url(live_server.url + href)
    crumbs = page.locator(".crumbs")
    crumbs.wait_for()
    assert crumbs.inner_text().count("›") == 2  # community › compound › 2栋
    unled = page.get_by_text("没有楼长的楼栋")
    unled.wait_for()
    assert unled.is_visible()
    # B1's own dashboard: the building fills the map; a tap away from the marker shows
    # the building and its leader
    page.goto(live_server.url + "/map/grid/100001001001/")
    map_ready(page, children=1)
    b1 = page.locator("path.child-grid").first.bounding_box()
    tap(page, b1["x"] + b1["width"] * 0.1, b1["y"] + b1["height"] * 0.9, "path.child-grid")
    popup.wait_for()
    page.wait_for_function(
        "() => (document.querySelector('.leaflet-popup-content') || {}).innerText"
        "?.includes('林楼长')"
    )
    assert "1栋" in popup.inner_text() and "林楼长" in popup.inner_text()
    assert errors == []
    page.context.close()


def test_layer_switch_hides_leaders_and_cases(browser, live_server, leader_login):  # noqa: F811
    page, _, _ = logged_in_page(browser, live_server, SIZES["tablet portrait"])
    assert page.locator("path.patrol-route").count() == 1
    assert page.locator("path.case-marker").count() == 1
    assert page.get_by_text("路灯不亮").first.is_visible()  # oldest open request listed
    assert page.get_by_text("东湖夜巡线").first.is_visible()  # overdue route listed
    page.locator(".leaflet-control-layers label", has_text="楼长").locator("input").uncheck()
    assert page.locator("path.leader-marker").count() == 0
    page.locator(".leaflet-control-layers label", has_text="诉求").locator("input").uncheck()
    assert page.locator("path.case-marker").count() == 0
    assert page.locator("path.child-grid").count() == 2
    page.context.close()
