"""The grid dashboard map: a pure function from plain data to a folium.Map (the data:
maps/dashboard_data.py).

Children are coloured by the chosen coverage figure (share of buildings with a leader,
members per 100 households, share of residents located), building leaders are markers, and
every child links to its own dashboard (drill-down). Routes and cases are further layers
when the data has them. Every overlay is one data layer drawn by static/js/gridgov-layers.js
(maps/layers.py), not a script block per marker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import folium

from maps.builders import LED_COLOUR, UNLED_COLOUR, Tiles, bounds_of, offline_map
from maps.display import to_display
from maps.layers import DataLayer, Live, TileSource

# Four classes, red (thin coverage) to green; grey when there is nothing to measure.
CLASS_COLOURS = ("#c62828", "#ef6c00", "#f9a825", "#2e7d32")
NO_DATA = "#9e9e9e"
# Where each figure's classes break (the lower bound of classes 2, 3 and 4).
BREAKS = {"leaders": (25, 50, 75), "members": (2, 5, 10), "located": (80, 90, 97)}


@dataclass(frozen=True)
class DashboardLabels:
    children: str
    leaders_layer: str
    name: str
    figure: str
    open_dashboard: str
    leader: str
    pledge: str
    specialty: str
    phone: str
    no_leader: str
    routes_layer: str = "routes"
    cases_layer: str = "cases"
    days_since: str = "days since last patrol"
    never: str = "never patrolled"
    open_case: str = "open"
    hours_old: str = "hours old"
    coverage_layer: str = "patrol coverage"
    covered: str = "covered by patrols"
    not_covered: str = "not covered by patrols"


# Routes by days since their last patrol against their schedule; cases by their SLA state.
ROUTE_COLOURS = {"fresh": "#2e7d32", "due": "#f9a825", "overdue": "#c62828"}
SLA_COLOURS = {"ok": "#2e7d32", "due_soon": "#f9a825", "breached": "#c62828"}
# Patrol coverage: hues apart from the coverage classes' red-to-green.
COVERAGE_COLOURS = {"covered": "#1e88e5", "uncovered": "#8e24aa"}


def route_state(days_since: int | None, interval_days: int) -> str:
    """fresh: walked within its interval; due: within twice; overdue: later or never."""
    if days_since is None or days_since > 2 * interval_days:
        return "overdue"
    return "fresh" if days_since <= interval_days else "due"


def colour(metric: str, value: float | None) -> str:
    """The class colour of a figure."""
    if value is None:
        return NO_DATA
    lower = BREAKS[metric]
    return CLASS_COLOURS[sum(value >= b for b in lower)]


def legend(metric: str) -> list[tuple[str, str]]:
    """(colour, range text) for each class of a figure, lowest first."""
    lo = BREAKS[metric]
    unit = "%" if metric != "members" else ""
    return [
        (CLASS_COLOURS[0], f"< {lo[0]}{unit}"),
        (CLASS_COLOURS[1], f"{lo[0]}–{lo[1]}{unit}"),
        (CLASS_COLOURS[2], f"{lo[1]}–{lo[2]}{unit}"),
        (CLASS_COLOURS[3], f"≥ {lo[2]}{unit}"),
    ]


def child_features(
    children: dict, leaders: list[dict] | dict, metric: str, child_url: Callable[[str], str]
) -> dict:
    """Children with what their layer draws: fill colour by ``metric``, the figure, the
    building leader's name (a building's own), the drill-down link."""
    by_code = {lead["code"]: lead["name"] for lead in leaders} if isinstance(leaders, list) else {}
    features = []
    for feature in children["features"]:
        props = feature["properties"]
        value = props.get(metric)
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "code": props["code"],
                    "name": props["name"],
                    "value": value,
                    "fill": colour(metric, value),
                    "leader_name": by_code.get(props["code"], ""),
                    "url": child_url(props["url_code"]) if props.get("url_code") else "",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def points(rows: list[dict], keys: tuple[str, ...]) -> dict:
    """Rows with lat/lon as a FeatureCollection of points carrying ``keys``."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {k: r[k] for k in keys},
            }
            for r in rows
        ],
    }


LEADER_KEYS = ("name", "building", "pledge", "specialty", "phone", "code")
CASE_KEYS = ("number", "title", "status", "age_hours", "sla", "url")


def route_features(routes: dict) -> dict:
    """Routes with their colour state (fresh / due / overdue) for the routes layer."""
    features = []
    for f in routes["features"]:
        p = f["properties"]
        state = route_state(p.get("days_since"), p.get("interval_days") or 7)
        features.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {
                    "name": p["name"],
                    "days_since": p.get("days_since"),
                    "state": state,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def dashboard_map(
    *,
    outline: dict,
    children: dict,
    leaders: list[dict] | TileSource,
    metric: str,
    labels: DashboardLabels,
    tiles: Tiles,
    static: Callable[[str], str],
    child_url: Callable[[str], str],
    routes: dict | Live | TileSource | None = None,
    cases: list[dict] | Live | TileSource | None = None,
    grid_url: str = "",
    case_url: str = "",
    coverage: dict | None = None,
) -> folium.Map:
    """The dashboard of one grid: its outline, its children by ``metric``, its leaders, its
    patrol routes and open requests. Each overlay is one data layer (maps/layers.py): inline
    data, the page's per-request ``Live`` data, or tiles. ``grid_url`` and ``case_url`` are
    link templates (``{code}``, ``{number}``) for features that come as tiles. ``coverage``:
    the buildings (code, name) of the patrol-coverage layer, hidden until switched on, each
    drawn covered or not by the page's live ``covered`` codes."""
    collection = {"type": "FeatureCollection", "features": [outline]}
    m = offline_map(bounds=bounds_of(collection), tiles=tiles, static=static)
    crs = tiles.crs  # every inline overlay drawn in the background's datum
    outline = to_display(collection, crs)["features"][0]
    words = {
        "figure": labels.figure,
        "leader": labels.leader,
        "open_dashboard": labels.open_dashboard,
        "pledge": labels.pledge,
        "specialty": labels.specialty,
        "phone": labels.phone,
        "no_leader": labels.no_leader,
        "hours_old": labels.hours_old,
        "open_case": labels.open_case,
        "days_since": labels.days_since,
        "never": labels.never,
        "covered": labels.covered,
        "not_covered": labels.not_covered,
    }
    DataLayer(
        kind="children",
        name=labels.children,
        static=static,
        labels=words,
        source=to_display(child_features(children, leaders, metric, child_url), crs),
    ).add_to(m)
    folium.GeoJson(
        outline,
        name=labels.name,
        style_function=lambda _f: {"color": "#b71c1c", "weight": 4, "fillOpacity": 0},
        interactive=False,
        control=False,
    ).add_to(m)
    if isinstance(leaders, TileSource):
        DataLayer(
            kind="buildings",
            name=labels.leaders_layer,
            static=static,
            labels=words,
            source=leaders,
            colours={"led": LED_COLOUR, "unled": UNLED_COLOUR},
            grid_url=grid_url,
        ).add_to(m)
    else:
        DataLayer(
            kind="leaders",
            name=labels.leaders_layer,
            static=static,
            labels=words,
            source=to_display(points(leaders, LEADER_KEYS), crs),
        ).add_to(m)
    if routes is not None and (not isinstance(routes, dict) or routes.get("features")):
        source = to_display(route_features(routes), crs) if isinstance(routes, dict) else routes
        DataLayer(
            kind="routes",
            name=labels.routes_layer,
            static=static,
            labels=words,
            source=source,
            colours=ROUTE_COLOURS,
        ).add_to(m)
    if cases:
        source = to_display(points(cases, CASE_KEYS), crs) if isinstance(cases, list) else cases
        DataLayer(
            kind="cases",
            name=labels.cases_layer,
            static=static,
            labels=words,
            source=source,
            colours=SLA_COLOURS,
            cluster=True,
            case_url=case_url,
        ).add_to(m)
    if coverage and coverage.get("features"):
        DataLayer(
            kind="coverage",
            name=labels.coverage_layer,
            static=static,
            labels=words,
            source=to_display(coverage, crs),
            colours=COVERAGE_COLOURS,
            show=False,
            covered="covered",
        ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
