"""Helpers of the maps tests: the tile holding a point, a GeoJSON tile read through the
endpoint, and what a CDN's address looks like (no page may load from one)."""

from __future__ import annotations

import json
import math
import re

# Hosts of the public CDNs folium and Leaflet plugins default to (not a random token's "cdn").
CDN = re.compile(r"cdn\.|cdnjs|jsdelivr|unpkg|cloudflare|bootstrapcdn|code\.jquery", re.I)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return (
        int((lon + 180) / 360 * n),
        int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n),
    )


def geojson(client, layer: str, address: str) -> dict:
    response = client.get(f"/tiles/{layer}/{address}.geojson")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)
