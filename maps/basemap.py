"""The base map drawn from the grid itself: what every map of the site stands on.

Without a background tile server (``GRIDGOV_TILES=none``, the intranet default) a map used
to be outlines on grey. Every map now draws, beneath its own overlays, the communities,
compounds and buildings from the site's GeoJSON tiles (maps/tiles/, any backend) with their
names drawn as text in the browser (static/js/gridgov-base.js: communities from district
zoom, compounds from neighbourhood zoom, buildings from street zoom 16, names that do not
fit or would overlap left out). On a raster background the base draws outlines and names
only.

``base_spec`` is what the browser's ``GridGov.base(map, spec)`` needs; folium maps get it
from ``maps.builders.offline_map`` (``BaseLayer``), the pages that draw their own Leaflet map
(registration, patrols, the admin's widgets) from the ``basemap`` template tags
(maps/templatetags/basemap.py). See docs/MAPS.md, "The base map".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from folium.elements import JSCSSMixin
from folium.map import MacroElement
from folium.template import Template

from geodata.tilesources import TileConfig
from maps.display import configured
from maps.layers import script_json

# The grid levels of the base, bottom first, and the tile layers they come from.
BASE_LAYERS = ("communities", "compounds", "buildings")


def base_spec(config: TileConfig | None = None, *, crs: str | None = None) -> dict[str, Any]:
    """What ``GridGov.base`` draws: the three levels' GeoJSON tile URLs (in ``crs``, by default
    the background's datum: ``?crs=gcj02`` on a Gaode background), the zoom each starts at,
    and whether raster tiles lie beneath (then outlines only, no paper)."""
    from maps.tiles.layers import LAYERS

    config = config if config is not None else configured()
    crs = crs or config.crs
    tiles = {}
    for layer in BASE_LAYERS:
        url = reverse(
            "tiles:tile", kwargs={"layer": layer, "z": "0", "x": "0", "y": "0", "fmt": "geojson"}
        ).replace("/0/0/0.", "/{z}/{x}/{y}.")
        tiles[layer] = url + (f"?crs={crs}" if crs != "wgs84" else "")
    return {
        "tiles": tiles,
        "minZoom": {layer: LAYERS[layer].min_zoom for layer in BASE_LAYERS},
        "background": bool(config.layers),
    }


def base_assets(
    static: Callable[[str], str],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The scripts (after Leaflet) and the style sheet the base needs."""
    return (
        [
            ("gridgov_layers", static("js/gridgov-layers.js")),
            ("gridgov_base", static("js/gridgov-base.js")),
        ],
        [("gridgov_base_css", static("css/gridgov-base.css"))],
    )


class BaseLayer(JSCSSMixin, MacroElement):
    """The base of a folium map: ``GridGov.base(map, spec)`` in the browser."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            GridGov.base({{ this._parent.get_name() }}, {{ this.spec_json }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: dict[str, Any], static: Callable[[str], str]):
        super().__init__()
        self._name = "GridGovBase"
        self.spec_json = script_json(spec)
        self.default_js, self.default_css = base_assets(static)
