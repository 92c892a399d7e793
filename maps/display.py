"""The datum a map is drawn in, and overlays shifted into it.

Storage is WGS84. Gaode's tiles (and an intranet mirror declared ``GRIDGOV_TILES_CRS=gcj02``)
are in GCJ-02, offset by up to ~500 m: on such a background every overlay is shifted
WGS84 → GCJ-02 on the server, at the edge — the map builders (inline layers, bounds, points),
the dashboard's per-request layers (maps/views.py) and the tile endpoint (``?crs=gcj02``) —
with geodata.crs, so the numbers are the ones the rest of the product uses. A place the user
taps is shifted back GCJ-02 → WGS84 in the browser (static/js/gridgov-crs.js, the same
formulas) before it is sent.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from geodata.crs import from_wgs84
from geodata.tilesources import TileConfig, from_settings

DIGITS = 7  # RFC 7946's: ~1 cm


def configured() -> TileConfig:
    """The background the settings ask for now (read per call: tests override settings)."""
    from django.conf import settings

    return from_settings(settings)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def coordinates(collection: dict) -> tuple[list[float], list[float]]:
    """Every vertex of a FeatureCollection, in order: its longitudes and its latitudes."""
    xs: list[float] = []
    ys: list[float] = []

    def collect(c: Any) -> None:
        if c and _is_number(c[0]):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for part in c:
                collect(part)

    for f in collection.get("features") or ():
        if f.get("geometry"):
            collect(f["geometry"]["coordinates"])
    return xs, ys


def to_display(collection: dict, crs: str, digits: int = DIGITS) -> dict:
    """A copy of a GeoJSON FeatureCollection with every coordinate in ``crs`` (all at once,
    vectorised); the collection itself when ``crs`` is WGS84."""
    if crs in ("wgs84", "cgcs2000") or not collection or not collection.get("features"):
        return collection
    xs, ys = coordinates(collection)
    if not xs:
        return collection
    lon, lat = from_wgs84(xs, ys, crs)
    pairs = iter(zip(np.round(lon, digits).tolist(), np.round(lat, digits).tolist(), strict=True))

    def rebuild(c: Any) -> Any:
        if c and _is_number(c[0]):
            return [*next(pairs), *c[2:]]
        return [rebuild(part) for part in c]

    features = []
    for f in collection["features"]:
        g = f.get("geometry")
        features.append(
            {**f, "geometry": {**g, "coordinates": rebuild(g["coordinates"])}} if g else f
        )
    return {**collection, "features": features}


def geometry_to_display(text: str | None, crs: str, digits: int = DIGITS) -> str | None:
    """A GeoJSON geometry given as text, with its coordinates in ``crs`` (as text again)."""
    if text is None or crs == "wgs84":
        return text
    feature = {"type": "Feature", "geometry": json.loads(text), "properties": {}}
    shifted = to_display({"type": "FeatureCollection", "features": [feature]}, crs, digits)
    return json.dumps(shifted["features"][0]["geometry"], separators=(",", ":"))


def point_to_display(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """(lon, lat) in ``crs``."""
    if crs in ("wgs84", "cgcs2000"):
        return lon, lat
    x, y = from_wgs84([lon], [lat], crs)
    return round(float(x[0]), DIGITS), round(float(y[0]), DIGITS)


def bounds_to_display(bounds: list[list[float]], crs: str) -> list[list[float]]:
    """[[south, west], [north, east]] in ``crs`` (the box of its shifted corners)."""
    if not bounds or crs in ("wgs84", "cgcs2000"):
        return bounds
    (s, w), (n, e) = bounds
    x, y = from_wgs84([w, e, w, e], [s, s, n, n], crs)
    return [[float(y.min()), float(x.min())], [float(y.max()), float(x.max())]]
