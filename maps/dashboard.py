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
    folium.LayerControl(collapsed=False).add_to(m)
    return m
