"""Background tile sources: what a setting such as ``GRIDGOV_TILES=gaode`` means.

A pure function of the settings' strings (``tile_config``), so it can be tested without
reloading Django's settings, and read both by the settings module (to refuse a bad
configuration at start-up and to admit the tile servers in the Content-Security-Policy) and
by the map pages.

Sources:

- ``none``: no background (the default: an intranet without a tile server still works);
- ``osm``: OpenStreetMap's standard tiles (WGS84);
- ``tianditu``: Tianditu (the national map platform): vector base ``vec_w`` with its
  annotation layer ``cva_w`` on top, Web Mercator, servers t0–t7; needs a key (``tk``).
  CGCS2000, which for a map is WGS84 (centimetres apart), so overlays are drawn where they are;
- ``gaode``: Gaode / Amap road tiles, servers webrd01–04. **GCJ-02**: overlays must be shifted;
- any other value: an XYZ URL template (an intranet tile server), ``{s}`` taking the
  ``subdomains`` given; its datum is ``crs`` (``wgs84`` unless told ``gcj02``, e.g. an intranet
  mirror of Gaode's tiles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

DISPLAY_CRS = ("wgs84", "gcj02")
# cgcs2000 and WGS84 differ by centimetres: the same display.
CRS_ALIASES = {"wgs84": "wgs84", "cgcs2000": "wgs84", "gcj02": "gcj02"}

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/%(layer)s_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
    "&VERSION=1.0.0&LAYER=%(layer)s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%(key)s"
)
TIANDITU_SUBDOMAINS = tuple("01234567")
GAODE_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
GAODE_SUBDOMAINS = tuple("1234")
DEFAULT_SUBDOMAINS = tuple("abc")  # Leaflet's


class TileConfigError(ValueError):
    """A tile setting that cannot work; the message names the setting to fix."""


@dataclass(frozen=True)
class TileLayer:
    """One raster layer of the background (Tianditu has two: the base and its labels)."""

    url: str
    attribution: str = ""
    subdomains: tuple[str, ...] = ()
    max_zoom: int = 18

    def hosts(self) -> list[str]:
        """The origins (scheme://host[:port]) the browser fetches this layer's tiles from."""
        urls = (
            [self.url.replace("{s}", s) for s in self.subdomains]
            if "{s}" in self.url
            else [self.url]
        )
        out: list[str] = []
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc:
                origin = f"{parts.scheme}://{parts.netloc}"
                if origin not in out:
                    out.append(origin)
        return out


@dataclass(frozen=True)
class TileConfig:
    """The background: its layers (bottom first) and the datum they are drawn in
    (``crs``: ``wgs84``, or ``gcj02`` — then every overlay is shifted for display and taps are
    shifted back)."""

    source: str = "none"
    layers: tuple[TileLayer, ...] = field(default_factory=tuple)
    crs: str = "wgs84"

    @property
    def shifted(self) -> bool:
        return self.crs != "wgs84"

    def origins(self) -> list[str]:
        """Every tile server origin, for the Content-Security-Policy's img-src."""
        out: list[str] = []
        for layer in self.layers:
            out += [o for o in layer.hosts() if o not in out]
        return out

    def leaflet(self) -> list[dict]:
        """The layers as plain data for a page's script: url, attribution, subdomains,
        maxNativeZoom."""
        return [
            {
                "url": t.url,
                "attribution": t.attribution,
                "subdomains": "".join(t.subdomains)
                if all(len(s) == 1 for s in t.subdomains)
                else list(t.subdomains),
                "maxNativeZoom": t.max_zoom,
            }
            for t in self.layers
        ]


def _subdomains(text: str) -> tuple[str, ...]:
    text = text.strip()
    if not text:
        return DEFAULT_SUBDOMAINS
    if "," in text:
        return tuple(s.strip() for s in text.split(",") if s.strip())
    return tuple(text)


def tile_config(
    value: str, *, key: str = "", crs: str = "", attribution: str = "", subdomains: str = ""
) -> TileConfig:
    """The background the settings ask for (``GRIDGOV_TILES``, ``GRIDGOV_TIANDITU_KEY``,
    ``GRIDGOV_TILES_CRS``, ``GRIDGOV_TILES_ATTRIBUTION``, ``GRIDGOV_TILES_SUBDOMAINS``), or
    TileConfigError saying what is wrong."""
    value = (value or "none").strip()
    name = value.lower()
    crs_name = (crs or "").strip().lower()
    if crs_name and crs_name not in CRS_ALIASES:
        raise TileConfigError(
            f"GRIDGOV_TILES_CRS={crs!r} is not a datum tiles can be drawn in: use wgs84 "
            "(also for CGCS2000 tiles) or gcj02 (Gaode/Amap and its mirrors). Baidu's BD-09 "
            "tiles use their own tile grid and are not supported."
        )
    if name == "none":
        return TileConfig()
    if name == "osm":
        return TileConfig(
            "osm",
            (TileLayer(OSM_URL, attribution or "&copy; OpenStreetMap", max_zoom=19),),
            CRS_ALIASES[crs_name or "wgs84"],
        )
    if name == "tianditu":
        key = (key or "").strip()
        if not key:
            raise TileConfigError(
                "GRIDGOV_TILES=tianditu needs GRIDGOV_TIANDITU_KEY: the key (tk) of a "
                "Tianditu browser-side application, from https://console.tianditu.gov.cn/ "
                "(or set GRIDGOV_TILES=none)."
            )
        if not key.isalnum():
            raise TileConfigError(
                "GRIDGOV_TIANDITU_KEY must be letters and digits only "
                "(a Tianditu key is 32 hexadecimal digits)."
            )
        text = attribution or "&copy; Tianditu"
        layers = tuple(
            TileLayer(
                TIANDITU_URL % {"layer": layer, "key": key},
                text if layer == "vec" else "",
                TIANDITU_SUBDOMAINS,
                18,
            )
            for layer in ("vec", "cva")
        )
        return TileConfig("tianditu", layers, "wgs84")
    if name in ("gaode", "amap"):
        return TileConfig(
            "gaode",
            (TileLayer(GAODE_URL, attribution or "&copy; AutoNavi (Amap)", GAODE_SUBDOMAINS, 18),),
            "gcj02",
        )
    parts = urlsplit(value.replace("{s}", "a"))
    local = value.startswith("/") and not value.startswith("//")  # this server's own tiles
    if (
        not local
        and (parts.scheme not in ("http", "https") or not parts.netloc)
        or not all(p in value for p in ("{z}", "{x}", "{y}"))
    ):
        raise TileConfigError(
            f"GRIDGOV_TILES={value!r}: expected none, osm, tianditu, gaode or an http(s) URL "
            "template with {z}, {x} and {y} (and {s} for subdomains), or a path on this "
            "server, e.g. "
            "http://tiles.intranet/{z}/{x}/{y}.png"
        )
    subs = _subdomains(subdomains) if "{s}" in value else ()
    return TileConfig(
        "custom",
        (TileLayer(value, attribution or " ", subs, 18),),
        CRS_ALIASES[crs_name or "wgs84"],
    )


def from_settings(settings: Any) -> TileConfig:
    """The background a settings object (django.conf.settings, or anything with its
    GRIDGOV_TILES* attributes) asks for (read per call, so overridden settings count);
    TileConfig() (no tiles) when they are wrong — the settings module has already refused
    them at start-up."""
    try:
        return tile_config(
            settings.GRIDGOV_TILES,
            key=getattr(settings, "GRIDGOV_TIANDITU_KEY", ""),
            crs=getattr(settings, "GRIDGOV_TILES_CRS", ""),
            attribution=getattr(settings, "GRIDGOV_TILES_ATTRIBUTION", ""),
            subdomains=getattr(settings, "GRIDGOV_TILES_SUBDOMAINS", ""),
        )
    except TileConfigError:
        return TileConfig()
