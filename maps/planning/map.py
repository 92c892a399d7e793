"""The branch-planning map: a pure function from plain data to a folium.Map.

Compounds where a branch can be founded are green, compounds whose branch has buildings
without a leader orange; each carries its number (formal members, unled buildings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import folium

from maps.builders import LED_COLOUR, UNLED_COLOUR, Tiles, bounds_of, escaped, offline_map
from maps.display import to_display


@dataclass(frozen=True)
class PlanningLabels:
    eligible: str
    unled: str
    name: str
    code: str
    formal_members: str
    unled_buildings: str


def planning_map(
    *,
    eligible: dict,
    unled: dict,
    labels: PlanningLabels,
    tiles: Tiles,
    static: Callable[[str], str],
    centre: tuple[float, float] = (23.0, 113.1),
) -> folium.Map:
    both = {"type": "FeatureCollection", "features": eligible["features"] + unled["features"]}
    m = offline_map(bounds=bounds_of(both), tiles=tiles, static=static, centre=centre)
    eligible, unled = to_display(eligible, tiles.crs), to_display(unled, tiles.crs)
    for collection, name, colour, number in (
        (eligible, labels.eligible, LED_COLOUR, labels.formal_members),
        (unled, labels.unled, UNLED_COLOUR, labels.unled_buildings),
    ):
        if not collection["features"]:
            continue
        folium.GeoJson(
            escaped(collection),
            name=name,
            style_function=lambda _f, c=colour: {
                "color": c,
                "weight": 2,
                "fillColor": c,
                "fillOpacity": 0.5,
                "className": "planning-grid",
            },
            tooltip=folium.GeoJsonTooltip(
                ["name", "code", "number"], aliases=[labels.name, labels.code, number]
            ),
        ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


# Distinct colours for member groups and household teams (cycled beyond twelve).
GROUP_COLOURS = (
    "#1565c0",
    "#c62828",
    "#2e7d32",
    "#6a1b9a",
    "#ef6c00",
    "#00838f",
    "#ad1457",
    "#558b2f",
    "#4527a0",
    "#f9a825",
    "#37474f",
    "#8d6e63",
)


def group_colour(number: int) -> str:
    return GROUP_COLOURS[(number - 1) % len(GROUP_COLOURS)] if number else "#9e9e9e"


@dataclass(frozen=True)
class GroupMapLabels:
    outline: str
    buildings: str
    name: str
    code: str
    detail: str


def groups_map(
    *,
    outline: dict,
    buildings: dict,
    labels: GroupMapLabels,
    tiles: Tiles,
    static: Callable[[str], str],
    centre: tuple[float, float] = (23.0, 113.1),
) -> folium.Map:
    """A compound's buildings coloured by the group (or team) most of their people are in.
    ``buildings`` features carry ``name``, ``code``, ``group`` (0: none) and ``detail`` (who
    is in which group); ``outline`` is the compound's boundary."""
    focus = buildings if buildings["features"] else outline
    m = offline_map(bounds=bounds_of(focus), tiles=tiles, static=static, centre=centre)
    m.options["maxZoom"] = 20
    outline, buildings = to_display(outline, tiles.crs), to_display(buildings, tiles.crs)
    if outline["features"]:
        folium.GeoJson(
            outline,
            name=labels.outline,
            interactive=False,
            style_function=lambda _f: {"color": "#455a64", "weight": 2, "fillOpacity": 0.0},
        ).add_to(m)
    if buildings["features"]:
        folium.GeoJson(
            escaped(buildings),
            name=labels.buildings,
            style_function=lambda f: {
                "color": "#263238",
                "weight": 1,
                "fillColor": group_colour(f["properties"].get("group", 0)),
                "fillOpacity": 0.6,
                "className": "planning-group",
            },
            tooltip=folium.GeoJsonTooltip(
                ["name", "code", "detail"], aliases=[labels.name, labels.code, labels.detail]
            ),
        ).add_to(m)
    return m
