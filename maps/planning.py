"""The branch-planning map: a pure function from plain data to a folium.Map.

Compounds where a branch can be founded are green, compounds whose branch has buildings
without a leader orange; each carries its number (formal members, unled buildings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import folium

from maps.builders import LED_COLOUR, UNLED_COLOUR, Tiles, bounds_of, escaped, offline_map


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
                "color": c, "weight": 2, "fillColor": c, "fillOpacity": 0.5,
                "className": "planning-grid",
            },
            tooltip=folium.GeoJsonTooltip(["name", "code", "number"],
                                          aliases=[labels.name, labels.code, number]),
        ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
