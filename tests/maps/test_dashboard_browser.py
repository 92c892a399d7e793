"""The grid dashboard as a grid leader sees it on a tablet, in Debian's headless Chromium:
child polygons, a tap on a building opens its leader, the layer switch, drill-down to a
building, no console errors, nothing fetched from outside; screenshots saved."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from gridgov.grids.services import gridrole_assign  # noqa: E402
from tests.factories import MemberFactory  # noqa: E402
from tests.maps.test_browser import SIZES, browser  # noqa: E402,F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def leader_login(tree, make_user):
    lead = MemberFactory(name="林楼长", pledge="有事找我", specialty="水电维修",
                         phone="13911112222", location=Point(113.102, 23.002, srid=4326))
    gridrole_assign(grid=tree.b1, member=lead, role="building_leader", acting_user=None)
    make_user("gridleader", "grid_leader", grid=tree.k1)
    return tree


def logged_in_page(browser, live_server, size):  # noqa: F811
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  has_touch=True, locale="zh-CN")
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
    page.wait_for_selector("path.leaflet-interactive")
    return page, errors, requests


@pytest.mark.parametrize("size", [SIZES["tablet portrait"], SIZES["tablet landscape"]],
                         ids=["portrait", "landscape"])
def test_grid_leader_dashboard_on_a_tablet(browser, live_server, leader_login, size):  # noqa: F811
    page, errors, requests = logged_in_page(browser, live_server, size)
    # K1's two buildings are the children; one leader marker
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == 3
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
    page.mouse.click(b2["x"] + b2["width"] / 2, b2["y"] + b2["height"] / 2)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "2栋" in popup.inner_text() and "100001001002" in popup.inner_text()
    href = popup.locator("a.drill").get_attribute("href")
    with page.expect_navigation():
        popup.locator("a.drill").click()
    assert href == "/map/grid/100001001002/?metric=leaders", href
    assert page.url.endswith(href), page.url
    assert page.locator(".crumbs").inner_text().count("›") == 2  # community › compound › 2栋
    assert page.get_by_text("没有楼长的楼栋").is_visible()
    # B1's own dashboard: the building fills the map; a tap away from the marker shows
    # the building and its leader
    page.goto(live_server.url + "/map/grid/100001001001/")
    page.wait_for_selector("path.child-grid")
    b1 = page.locator("path.child-grid").first.bounding_box()
    page.mouse.click(b1["x"] + b1["width"] * 0.1, b1["y"] + b1["height"] * 0.9)
    popup.wait_for()
    assert "1栋" in popup.inner_text() and "林楼长" in popup.inner_text()
    assert errors == []
    page.context.close()


def test_layer_switch_hides_leaders(browser, live_server, leader_login):  # noqa: F811
    page, _, _ = logged_in_page(browser, live_server, SIZES["tablet portrait"])
    before = page.locator(".leaflet-overlay-pane path.leaflet-interactive").count()
    page.locator(".leaflet-control-layers label", has_text="楼长").locator("input").uncheck()
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == before - 1
    page.context.close()
