"""Folium map builders: pure functions from plain data (GeoJSON dicts) to a folium.Map.

Every map is offline: Leaflet comes from our static files (static/vendor/leaflet/), never a
CDN, and the background tiles are whatever the deployment configured (none by default).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import folium

from geodata.tilesources import TileConfig, tile_config
from maps.basemap import BaseLayer, base_spec
from maps.display import (
    bounds_to_display,
    configured,
    coordinates,
    point_to_display,
    to_display,
)
from maps.layers import DataLayer, TileSource

# Colours people can tell apart on a tablet in daylight.
COMMUNITY_COLOUR = "#b71c1c"
COMPOUND_COLOUR = "#1565c0"
LED_COLOUR = "#2e7d32"
UNLED_COLOUR = "#ef6c00"


@dataclass(frozen=True)
class Tiles:
    """The background: ``none``, ``osm``, ``tianditu``, ``gaode`` or an XYZ URL template (an
    intranet tile server); or the resolved ``config`` (maps.display.configured()), which
    then wins. Its ``crs`` is the datum every overlay is drawn in (gcj02 for Gaode)."""

    source: str = "none"
    attribution: str = ""
    config: TileConfig | None = None

    @property
    def resolved(self) -> TileConfig:
        if self.config is not None:
            return self.config
        return tile_config(self.source, attribution=self.attribution)

    @property
    def crs(self) -> str:
        return self.resolved.crs

    @classmethod
    def configured(cls) -> Tiles:
        """The settings' background (GRIDGOV_TILES and friends)."""
        config = configured()
        return cls(source=config.source, config=config)


@dataclass(frozen=True)
class Labels:
    """Translated words the map shows (builders stay free of request state)."""

    communities: str
    compounds: str
    buildings: str
    name: str
    code: str
    kind: str
    leader: str


def offline_map(
    *,
    bounds: list[list[float]],
    tiles: Tiles,
    static: Callable[[str], str],
    centre: tuple[float, float] = (23.0, 113.1),
    base: bool = True,
):
    """A folium.Map whose assets all come from our own static files; it fits ``bounds``, or
    shows ``centre`` (lat, lon) when there is nothing to fit — both WGS84, drawn in the
    background's datum (``tiles.crs``). It stands on the base map drawn from the grid
    (maps/basemap.py: communities, compounds and buildings with their names) unless
    ``base`` is False."""
    config = tiles.resolved
    centre = point_to_display(centre[1], centre[0], config.crs)[::-1]
    m = folium.Map(location=list(centre), tiles=None, control_scale=True, zoom_start=14)
    m.options["maxZoom"] = 20  # with no tile layer the map has none, and clustering needs it
    m.default_js = [
        ("leaflet", static("vendor/leaflet/leaflet.js")),
        # folium's popups build their HTML with jQuery; Django's admin ships it locally.
        ("jquery", static("admin/js/vendor/jquery/jquery.min.js")),
        # GridGov.crs: a tap on a GCJ-02 map shifted back to WGS84
        ("gridgov_crs", static("js/gridgov-crs.js")),
    ]
    m.default_css = [
        ("leaflet_css", static("vendor/leaflet/leaflet.css")),
        ("gridgov_map_css", static("css/map.css")),
    ]
    for i, layer in enumerate(config.layers):
        folium.TileLayer(
            layer.url,
            attr=layer.attribution or " ",
            name="background" if i == 0 else f"background{i}",
            control=False,
            subdomains=list(layer.subdomains) or "abc",
            max_native_zoom=layer.max_zoom,
            max_zoom=20,
        ).add_to(m)
    if base:
        BaseLayer(base_spec(config), static).add_to(m)
    # the page's script knows the datum (gridgov-crs.js shifts taps back to WGS84)
    m.options["gridgovCrs"] = config.crs
    if bounds:
        m.fit_bounds(bounds_to_display(bounds, config.crs))
    return m


def escaped(collection: dict) -> dict:
    """A copy of a FeatureCollection with every text property HTML-escaped: Leaflet shows
    tooltips as HTML, and names come from users and imported files."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                **f,
                "properties": {
                    k: html.escape(v) if isinstance(v, str) else v
                    for k, v in f["properties"].items()
                },
            }
            for f in collection["features"]
        ],
    }


def bounds_of(collection: dict) -> list[list[float]]:
    """[[south, west], [north, east]] of a FeatureCollection (empty list when empty)."""
    xs, ys = coordinates(collection)
    return [[min(ys), min(xs)], [max(ys), max(xs)]] if xs else []


def street_map(
    *,
    layers: dict[str, dict | TileSource],
    labels: Labels,
    tiles: Tiles,
    static: Callable[[str], str],
    centre: tuple[float, float] = (23.0, 113.1),
    bounds: list[list[float]] | None = None,
    words: dict[str, str] | None = None,
    grid_url: str = "",
) -> folium.Map:
    """The whole street: communities, compounds and buildings, each a switchable layer;
    buildings green where they have a building leader, orange where they have none.

    A level may come as a ``TileSource`` instead of a FeatureCollection (a district's 50k
    buildings): it is then drawn from vector tiles (maps/layers.py), with ``words`` for its
    popups and ``grid_url`` ({code}) for the link to a grid's dashboard. ``bounds`` fits the
    map when the communities are tiled."""
    inline = {k: v for k, v in layers.items() if isinstance(v, dict)}
    communities = inline.get("communities")
    if bounds is None:
        bounds = bounds_of(communities) if communities else []
    m = offline_map(bounds=bounds, tiles=tiles, static=static, centre=centre)
    if communities is not None and not communities["features"]:
        return m
    crs = tiles.crs
    layers = {k: to_display(v, crs) if isinstance(v, dict) else v for k, v in layers.items()}
    words = words or {}
    for key, name, line, weight in (
        ("buildings", labels.buildings, "", 0),
        ("compounds", labels.compounds, COMPOUND_COLOUR, 2),
        ("communities", labels.communities, COMMUNITY_COLOUR, 4),
    ):
        source = layers[key]
        if isinstance(source, TileSource):
            if key == "buildings":
                DataLayer(
                    kind="buildings",
                    name=name,
                    static=static,
                    source=source,
                    labels=words,
                    colours={"led": LED_COLOUR, "unled": UNLED_COLOUR},
                    grid_url=grid_url,
                ).add_to(m)
            else:
                DataLayer(
                    kind="grids",
                    name=name,
                    static=static,
                    source=source,
                    labels=words,
                    colours={"line": line, "weight": weight},
                    grid_url=grid_url,
                ).add_to(m)
        elif key == "buildings":
            folium.GeoJson(
                escaped(source),
                name=labels.buildings,
                style_function=lambda f: {
                    "color": "#455a64",
                    "weight": 0.6,
                    "fillColor": LED_COLOUR if f["properties"].get("has_leader") else UNLED_COLOUR,
                    "fillOpacity": 0.45,
                },
                tooltip=folium.GeoJsonTooltip(
                    ["name", "code", "kind", "leader"],
                    aliases=[labels.name, labels.code, labels.kind, labels.leader],
                ),
            ).add_to(m)
        elif key == "compounds":
            folium.GeoJson(
                escaped(source),
                name=labels.compounds,
                # outline only: a tap inside reaches the buildings beneath (tiles too)
                style_function=lambda f: {"color": COMPOUND_COLOUR, "weight": 2, "fill": False},
                tooltip=folium.GeoJsonTooltip(
                    ["name", "code", "kind"], aliases=[labels.name, labels.code, labels.kind]
                ),
            ).add_to(m)
        else:
            folium.GeoJson(
                source,
                name=labels.communities,
                style_function=lambda f: {
                    "color": COMMUNITY_COLOUR,
                    "weight": 4,
                    "fillOpacity": 0.0,
                },
                interactive=False,
            ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def embed(m: folium.Map) -> dict[str, str]:
    """The map as three HTML fragments for our own page: head, body and script."""
    figure = m.get_root()
    figure.render()
    return {
        "head": figure.header.render(),
        "body": figure.html.render(),
        "script": figure.script.render(),
    }
