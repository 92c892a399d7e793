"""Mapbox Vector Tiles (PostGIS only): ST_AsMVT over ST_AsMVTGeom in ST_TileEnvelope.

A grid layer's tile is one SQL statement; a request or route layer's properties are computed
in Python (the viewer's scope, deadlines) and joined to the geometry in SQL by id. A tile of
a GCJ-02 map is made from rows shifted in Python, encoded by PostGIS.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.utils import timezone

from gridgov.cases.models import Case
from gridgov.grids.models import Grid, GridRole, Level, RoleKind
from gridgov.grids.selectors import Scale
from gridgov.patrols.models import PatrolRoute
from gridgov.people.models import Member
from maps.tiles.layers import TileLayer, rows_for
from maps.tiles.xyz import BUFFER, EXTENT, tile_bounds

_ENVELOPE = """
    env AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS e),
    box AS (SELECT ST_Transform(ST_Expand(e, (ST_XMax(e) - ST_XMin(e)) * %(margin)s), 4326) AS b
            FROM env)"""


def _mvt_geom(column: str, *, simplify: bool = True) -> str:
    """The column in tile coordinates: simplified by half a pixel of the tile's zoom
    (%(tol)s degrees, topology kept; before the projection, which then has fewer vertices
    to move), clipped to the tile and its buffer, snapped to the 4096 grid."""
    geom = f"ST_SimplifyPreserveTopology({column}, %(tol)s)" if simplify else column
    return f"ST_AsMVTGeom(ST_Transform({geom}, 3857), env.e, {EXTENT}, {BUFFER}, true)"


# ST_AsMVT skips rows whose geometry ST_AsMVTGeom clipped away (NULL); filtering them in SQL
# would make PostgreSQL compute ST_AsMVTGeom twice.
def _grid_sql(level: int) -> str:
    """A level's tile; buildings with the leader of the day %(today)s: the role current as
    ``GridRole.objects.current`` says, the one begun last on a handover day (as
    ``current_leaders``), so a building is one feature."""
    grid, role, member = (Grid._meta.db_table, GridRole._meta.db_table, Member._meta.db_table)
    extra_cols = extra_join = ""
    if level == Level.BUILDING:
        extra_cols = ", COALESCE(m.name, '') AS leader, (r.id IS NOT NULL) AS has_leader"
        extra_join = (
            f"LEFT JOIN LATERAL (SELECT c.id, c.member_id FROM {role} c "
            f"WHERE c.grid_id = g.id AND c.role = %(role)s AND c.since <= %(today)s "
            f"AND (c.until IS NULL OR c.until >= %(today)s) "
            f"ORDER BY c.since DESC, c.id DESC LIMIT 1) r ON true "
            f"LEFT JOIN {member} m ON m.id = r.member_id"
        )
    return f"""
        WITH {_ENVELOPE},
        rows AS (
            SELECT g.id, g.code, g.name{extra_cols}, {_mvt_geom("g.geom")} AS geom
            FROM {grid} g {extra_join} CROSS JOIN env CROSS JOIN box
            WHERE g.level = %(level)s AND g.geom && box.b)
        SELECT ST_AsMVT(rows.*, %(layer)s, {EXTENT}, 'geom', 'id') FROM rows"""


# Columns of the per-feature properties computed in Python, joined to the table by id.
_PROPS = {
    "cases": (
        Case,
        "location",
        "id bigint, number text, title text, status text, sla text, age_hours integer",
    ),
    "routes": (
        PatrolRoute,
        "route",
        "id bigint, name text, grid text, state text, days_since integer",
    ),
}


def _rows_sql(layer: str) -> str:
    model, column, columns = _PROPS[layer]
    return f"""
        WITH {_ENVELOPE},
        p AS (SELECT * FROM json_to_recordset(%(props)s::json) AS p({columns})),
        rows AS (
            SELECT p.*, {_mvt_geom("t." + column, simplify=layer == "routes")} AS geom
            FROM {model._meta.db_table} t JOIN p ON p.id = t.id CROSS JOIN env)
        SELECT ST_AsMVT(rows.*, %(layer)s, {EXTENT}, 'geom', 'id') FROM rows"""


def mvt_tile(layer: TileLayer, user, z: int, x: int, y: int, crs: str = "wgs84") -> bytes:
    """The layer's features in the tile as a Mapbox Vector Tile (empty bytes: none)."""
    if z < layer.min_zoom:
        return b""
    if crs != "wgs84":
        return _shifted_mvt(layer, user, z, x, y, crs)
    w, s, e, n = tile_bounds(z, x, y)
    params: dict[str, Any] = {
        "z": z,
        "x": x,
        "y": y,
        "layer": layer.name,
        "margin": BUFFER / EXTENT,
        "tol": Scale(zoom=z, lat=(s + n) / 2).tolerance,
    }
    if layer.level is not None:
        sql = _grid_sql(layer.level)
        params.update(level=layer.level, role=RoleKind.BUILDING_LEADER, today=timezone.localdate())
    else:
        rows = rows_for(layer, user, z, x, y)
        if not rows:
            return b""
        for row in rows:
            row.pop("geojson")
        sql = _rows_sql(layer.name)
        params["props"] = json.dumps(rows, ensure_ascii=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] else b""


# Columns of each layer's features (id first: the feature id), for a tile made from rows
# computed in Python (a GCJ-02 map's: shifted vertex by vertex with geodata.crs).
_COLUMNS = {
    "communities": "id bigint, code text, name text",
    "compounds": "id bigint, code text, name text",
    "buildings": "id bigint, code text, name text, leader text, has_leader boolean",
    "cases": _PROPS["cases"][2],
    "routes": _PROPS["routes"][2],
}


def _shifted_mvt(layer: TileLayer, user, z: int, x: int, y: int, crs: str) -> bytes:
    """A tile of a map drawn in ``crs``: the rows are read and simplified by the database as
    for a GeoJSON tile, every vertex shifted in Python, and the MVT encoded by PostGIS."""
    w, s, e, n = tile_bounds(z, x, y)
    rows = rows_for(layer, user, z, x, y, Scale(zoom=z, lat=(s + n) / 2), crs)
    if not rows:
        return b""
    columns = _COLUMNS[layer.name]
    names = ", ".join(f"p.{c.split()[0]}" for c in columns.split(", "))
    sql = f"""
        WITH env AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS e),
        p AS (SELECT * FROM json_to_recordset(%(props)s::json) AS p({columns}, geojson text)),
        rows AS (
            SELECT {names}, ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(
                p.geojson), 4326), 3857), env.e, {EXTENT}, {BUFFER}, true) AS geom
            FROM p CROSS JOIN env)
        SELECT ST_AsMVT(rows.*, %(layer)s, {EXTENT}, 'geom', 'id') FROM rows"""
    params = {
        "z": z,
        "x": x,
        "y": y,
        "layer": layer.name,
        "props": json.dumps(rows, ensure_ascii=False),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] else b""
