"""The grid dashboard map: a pure function from plain data to a folium.Map.

Children are coloured by the chosen coverage figure (share of buildings with a leader,
members per 100 households, share of residents located), building leaders are markers, and
every child links to its own dashboard (drill-down). Routes and cases are further layers
when the data has them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape as e

import folium

from maps.builders import Tiles, bounds_of, offline_map

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


# Routes by days since their last patrol against their schedule; cases by their SLA state.
ROUTE_COLOURS = {"fresh": "#2e7d32", "due": "#f9a825", "overdue": "#c62828"}
SLA_COLOURS = {"ok": "#2e7d32", "due_soon": "#f9a825", "breached": "#c62828"}


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


def _popup(props: dict, metric: str, labels: DashboardLabels, url: str | None) -> str:
    value = props.get(metric)
    shown = "—" if value is None else value
    lines = [f"<b>{e(props['name'])}</b> ({e(props['code'])})", f"{e(labels.figure)}: {shown}"]
    if props.get("leader_name"):
        lines.append(f"{e(labels.leader)}: {e(props['leader_name'])}")
    if url:
        lines.append(f'<a class="drill" href="{e(url)}">{e(labels.open_dashboard)} →</a>')
    return "<br>".join(lines)


def dashboard_map(
    *,
    outline: dict,
    children: dict,
    leaders: list[dict],
    metric: str,
    labels: DashboardLabels,
    tiles: Tiles,
    static: Callable[[str], str],
    child_url: Callable[[str], str],
    routes: dict | None = None,
    cases: list[dict] | None = None,
) -> folium.Map:
    """The dashboard of one grid: its outline, its children by ``metric``, its leaders."""
    collection = {"type": "FeatureCollection", "features": [outline]}
    m = offline_map(bounds=bounds_of(collection), tiles=tiles, static=static)
    by_code = {lead["code"]: lead["name"] for lead in leaders}
    group = folium.FeatureGroup(name=labels.children, show=True)
    for feature in children["features"]:
        props = dict(feature["properties"])
        props["leader_name"] = by_code.get(props["code"], "")
        url = child_url(props["url_code"]) if props.get("url_code") else None
        fill = colour(metric, props.get(metric))
        layer = folium.GeoJson(
            {"type": "Feature", "geometry": feature["geometry"], "properties": props},
            style_function=lambda _f, fill=fill: {
                "color": "#37474f", "weight": 1.5, "fillColor": fill, "fillOpacity": 0.55,
                "className": "child-grid",
            },
            highlight_function=lambda _f: {"weight": 4, "color": "#0d47a1"},
            tooltip=folium.Tooltip(e(props["name"])),
            popup=folium.Popup(_popup(props, metric, labels, url), max_width=320),
        )
        layer.add_to(group)
    group.add_to(m)
    folium.GeoJson(
        outline,
        name=labels.name,
        style_function=lambda _f: {"color": "#b71c1c", "weight": 4, "fillOpacity": 0},
        interactive=False,
        control=False,
    ).add_to(m)
    marks = folium.FeatureGroup(name=labels.leaders_layer, show=True)
    for lead in leaders:
        text = (f"<b>{e(lead['name'])}</b> · {e(lead['building'])}<br>"
                f"{e(labels.pledge)}: {e(lead['pledge'])}<br>"
                f"{e(labels.specialty)}: {e(lead['specialty'])}<br>"
                f"{e(labels.phone)}: {e(lead['phone'])}")
        folium.CircleMarker(
            location=[lead["lat"], lead["lon"]], radius=9, weight=2, color="#ffffff",
            fill=True, fill_color="#b71c1c", fill_opacity=0.95,
            tooltip=e(lead["name"]), popup=folium.Popup(text, max_width=320),
            class_name="leader-marker",
        ).add_to(marks)
    marks.add_to(m)
    if routes and routes.get("features"):
        _add_routes(m, routes, labels)
    if cases:
        _add_cases(m, cases, labels, static)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _add_routes(m: folium.Map, routes: dict, labels: DashboardLabels) -> None:
    group = folium.FeatureGroup(name=labels.routes_layer, show=True)
    for feature in routes["features"]:
        p = feature["properties"]
        state = route_state(p.get("days_since"), p.get("interval_days") or 7)
        since = (labels.never if p.get("days_since") is None
                 else f"{labels.days_since}: {p['days_since']}")
        folium.GeoJson(
            {"type": "Feature", "geometry": feature["geometry"], "properties": {}},
            style_function=lambda _f, c=ROUTE_COLOURS[state]: {
                "color": c, "weight": 6, "opacity": 0.9, "dashArray": "10 6",
                "className": "patrol-route",
            },
            tooltip=folium.Tooltip(f"{e(p['name'])} · {e(since)}"),
        ).add_to(group)
    group.add_to(m)


def _add_cases(m: folium.Map, cases: list[dict], labels: DashboardLabels,
               static: Callable[[str], str]) -> None:
    from folium.plugins import MarkerCluster

    cluster = MarkerCluster(name=labels.cases_layer, show=True)
    cluster.default_js = [("markerclusterjs",
                           static("vendor/markercluster/leaflet.markercluster.js"))]
    cluster.default_css = [
        ("markerclustercss", static("vendor/markercluster/MarkerCluster.css")),
        ("markerclusterdefaultcss", static("vendor/markercluster/MarkerCluster.Default.css")),
    ]
    for c in cases:
        text = (f"<b>{e(c['number'])}</b> {e(c['title'])}<br>{e(c['status'])} · "
                f"{c['age_hours']} {e(labels.hours_old)}<br>"
                f'<a class="drill" href="{e(c["url"])}">{e(labels.open_case)} →</a>')
        folium.CircleMarker(
            location=[c["lat"], c["lon"]], radius=10, weight=2, color="#212121",
            fill=True, fill_color=SLA_COLOURS.get(c["sla"], "#9e9e9e"), fill_opacity=0.95,
            tooltip=e(c["title"]), popup=folium.Popup(text, max_width=320),
            class_name="case-marker",
        ).add_to(cluster)
    cluster.add_to(m)
