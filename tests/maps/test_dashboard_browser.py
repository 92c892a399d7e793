"""The grid dashboard as a grid leader sees it on a tablet, in Debian's headless Chromium:
child polygons, a tap on a building opens its leader, the layer switch, drill-down to a
building, no console errors, nothing fetched from outside; screenshots saved."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.maps.dashboards import logged_in_page, map_ready, tap
from tests.plugins.browser import SIZES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.mark.parametrize(
    "size", [SIZES["tablet portrait"], SIZES["tablet landscape"]], ids=["portrait", "landscape"]
)
def test_grid_leader_dashboard_on_a_tablet(browser, live_server, leader_login, size):
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


def test_tap_building_then_drill_down(browser, live_server, leader_login):
    page, errors, _ = logged_in_page(browser, live_server, SIZES["tablet landscape"])
    # B2 (no leader, no marker on it): tap it, follow the popup's link to its dashboard
    b2 = page.locator("path.child-grid").nth(1).bounding_box()
    tap(page, b2["x"] + b2["width"] / 2, b2["y"] + b2["height"] / 2, "path.child-grid")
    popup = page.locator(".leaflet-popup-content")
    popup.locator("a.drill").wait_for()
    assert "2栋" in popup.inner_text()
    assert "100001001002" in popup.inner_text()
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
    assert "1栋" in popup.inner_text()
    assert "林楼长" in popup.inner_text()
    assert errors == []
    page.context.close()


def test_layer_switch_hides_leaders_and_cases(browser, live_server, leader_login):
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
