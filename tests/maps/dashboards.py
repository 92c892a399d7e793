"""Helpers of the dashboard browser tests: a tablet page signed in as K1's grid leader
(``leader_login`` in tests/maps/conftest.py), waiting for the map to settle, tapping what
lies at a point."""

from __future__ import annotations

# Generous limits: the machine may be busy with other test runs (a wait ends as soon as its
# condition holds, so a quick run stays quick).
TIMEOUT_MS = 60_000
NAVIGATION_MS = 90_000


def logged_in_page(browser, live_server, size, prepare=None):
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
