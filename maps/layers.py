"""Map overlays drawn from data by static/js/gridgov-layers.js: one script per layer, however
many features it has (folium's own elements write a script block per marker: 1.6 MB and a
second of rendering for a community's 600 leaders and 300 requests).

A layer's features come from one of three sources:
- inline: a (small) GeoJSON FeatureCollection written into the map's script;
- ``Live(key)``: a FeatureCollection the page supplies per request in
  ``<script id="gridgov-live" type="application/json">`` (see ``live_json``), so that the
  map itself can be cached while time-dependent colours (request deadlines, days since a
  patrol) are always current;
- ``TileSource``: vector tiles (.pbf, Leaflet.VectorGrid) or GeoJSON tiles (.geojson, the
  SpatiaLite fallback), for layers with more features than the page should carry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template


@dataclass(frozen=True)
class Live:
    """Features the page supplies per request under this key."""

    key: str


@dataclass(frozen=True)
class TileSource:
    """A tiled layer: ``url`` is an XYZ template ending in .pbf or .geojson."""

    layer: str
    url: str
    format: str  # "pbf" or "geojson"
    min_zoom: int


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no "</script>", no HTML entities needed), UTF-8
    kept as it is (half the size of \\u escapes for Chinese text)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def live_json(data: dict[str, dict]) -> str:
    """The page's per-request features, for ``<script id="gridgov-live"
    type="application/json">``."""
    return script_json(data)


def assets(
    static: Callable[[str], str], *, cluster: bool = False, vector_tiles: bool = False
) -> list[tuple[str, str]]:
    """The scripts a data layer needs, in load order (after Leaflet)."""
    js = []
    if cluster:
        js.append(("markerclusterjs", static("vendor/markercluster/leaflet.markercluster.js")))
    if vector_tiles:
        js.append(("vectorgridjs", static("vendor/vectorgrid/Leaflet.VectorGrid.bundled.min.js")))
    js.append(("gridgov_layers", static("js/gridgov-layers.js")))
    return js


class DataLayer(JSCSSMixin, Layer):
    """One overlay: ``GridGov.layer(spec, data)`` in the browser."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = GridGov.layer({{ this.spec_json }}, {{ this.data_json }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        kind: str,
        name: str,
        source: dict | Live | TileSource,
        static: Callable[[str], str],
        labels: dict[str, str] | None = None,
        colours: dict[str, Any] | None = None,
        cluster: bool = False,
        show: bool = True,
        **extra: str,
    ):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "DataLayer"
        spec: dict[str, Any] = {
            "kind": kind,
            "labels": labels or {},
            "colours": colours or {},
            "cluster": cluster,
            **extra,
        }
        data: Any = None
        if isinstance(source, Live):
            spec["live"] = source.key
        elif isinstance(source, TileSource):
            spec["tiles"] = {
                "url": source.url,
                "format": source.format,
                "layer": source.layer,
                "minZoom": source.min_zoom,
            }
        else:
            data = source
        self.spec_json = script_json(spec)
        self.data_json = script_json(data)
        tiled = isinstance(source, TileSource)
        self.default_js = assets(
            static, cluster=cluster and not tiled, vector_tiles=tiled and source.format == "pbf"
        )
        self.default_css = []
        if cluster and not tiled:
            self.default_css = [
                ("markerclustercss", static("vendor/markercluster/MarkerCluster.css")),
                (
                    "markerclusterdefaultcss",
                    static("vendor/markercluster/MarkerCluster.Default.css"),
                ),
            ]
