"""GeoJSON tiles (any backend, what SpatiaLite serves): a layer's features touching the tile,
whole and simplified for the zoom by the database."""

from __future__ import annotations

import json
from typing import Any

from gridgov.grids.selectors import Scale
from maps.tiles.layers import TileLayer, rows_for
from maps.tiles.xyz import tile_bounds


def feature_id(layer: TileLayer, row: dict[str, Any]) -> str | int:
    if layer.name == "cases":
        return row["number"]
    return row.get("code", row["id"])


def geojson_tile(layer: TileLayer, user, z: int, x: int, y: int, crs: str = "wgs84") -> str | None:
    """The layer's features touching the tile as GeoJSON text, whole (not clipped: the
    browser draws each once, by id) and simplified by half a pixel at this zoom by the
    database; None when there are none."""
    if z < layer.min_zoom:
        return None
    w, s, e, n = tile_bounds(z, x, y)
    rows = rows_for(layer, user, z, x, y, Scale(zoom=z, lat=(s + n) / 2), crs)
    if not rows:
        return None
    features = []
    for row in rows:
        geometry = row.pop("geojson")
        fid = json.dumps(feature_id(layer, row), ensure_ascii=False)
        props = json.dumps(
            {k: v for k, v in row.items() if k != "id"}, ensure_ascii=False, separators=(",", ":")
        )
        features.append(
            f'{{"type":"Feature","id":{fid},"geometry":{geometry},"properties":{props}}}'
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
