"""Vector tiles of the map layers: Mapbox Vector Tiles (ST_AsMVT) on PostGIS, simplified GeoJSON
tiles on either backend (the SpatiaLite fallback).

Layers (``LAYERS``):
- ``communities``, ``compounds``: the grids of levels 1 and 2 (code, name) — public;
- ``buildings``: grids of level 3 with their current building leader's name (public, as the
  leader's card on the building is: 亮身份) and ``has_leader`` — public;
- ``cases``: open requests (number, title, status, SLA state, age in hours) — signed-in users
  only, and only the requests ``gridgov.cases.selectors.cases_visible_to`` gives them (their
  grid scope, plus requests they raised themselves);
- ``routes``: active patrol routes (name, state, days since the last patrol) — signed-in users
  only, and only routes of grids in their scope.

Below a layer's ``min_zoom`` a tile is empty (204): a district's 50k buildings are drawn from
zoom 14 on, when one tile holds a few hundred. Tiles use Web Mercator XYZ numbering (the one
Leaflet and ST_TileEnvelope use).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, GeoFunc
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import BooleanField, F, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from geodata.crs import to_wgs84
from gridgov.accounts import policy
from gridgov.cases.models import OPEN_STATUSES, Case
from gridgov.cases.selectors import case_row, cases_visible_to
from gridgov.grids.models import Grid, GridRole, Level, RoleKind
from gridgov.grids.selectors import Scale, current_leaders
from gridgov.patrols.models import PatrolRoute
from gridgov.patrols.selectors import days_since, with_last_patrol
from gridgov.people.models import Member
from maps.dashboard_map import route_state
from maps.display import to_display
from maps.live import light_cases

MAX_ZOOM = 22
EXTENT = 4096  # MVT coordinate grid of one tile
BUFFER = 64  # MVT units drawn beyond the tile's edge (so strokes meet across tiles)


@dataclass(frozen=True)
class TileLayer:
    name: str
    min_zoom: int
    private: bool  # signed-in users only; features limited to what they may see
    level: int | None = None


LAYERS: dict[str, TileLayer] = {
    "communities": TileLayer("communities", 0, False, Level.COMMUNITY),
    "compounds": TileLayer("compounds", 11, False, Level.COMPOUND),
    "buildings": TileLayer("buildings", 14, False, Level.BUILDING),
    "cases": TileLayer("cases", 11, True),
    "routes": TileLayer("routes", 11, True),
}


class TileError(ValueError):
    """A tile address that does not exist: ``parameter`` (z, x or y) is not a whole number
    from 0 to ``top``."""

    def __init__(self, parameter: str, top: int):
        super().__init__(f"{parameter} must be a whole number from 0 to {top}")
        self.parameter = parameter
        self.top = top


def parse_tile(z: str, x: str, y: str) -> tuple[int, int, int]:
    """z/x/y as integers in range, or TileError naming the first one that is not."""
    if not (z.isascii() and z.isdigit()) or len(z) > 2 or int(z) > MAX_ZOOM:
        raise TileError("z", MAX_ZOOM)
    zoom = int(z)
    top = 2**zoom - 1
    values = []
    for name, raw in (("x", x), ("y", y)):
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 8 or int(raw) > top:
            raise TileError(name, top)
        values.append(int(raw))
    return zoom, values[0], values[1]


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of an XYZ tile in degrees."""
    n = 2**z

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def tile_box(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's bounds grown by the MVT buffer: features touching it are drawn."""
    w, s, e, n = tile_bounds(z, x, y)
    dx, dy = (e - w) * BUFFER / EXTENT, (n - s) * BUFFER / EXTENT
    return w - dx, s - dy, e + dx, n + dy


def is_postgis() -> bool:
    return connection.vendor == "postgresql"


def _spatialite_index(table: str, column: str) -> bool:
    """Whether SpatiaLite keeps an R*Tree for the column (geometry_columns says so; a table
    that a migration rebuilt can be left with its index disabled, and then empty)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT spatial_index_enabled FROM geometry_columns "
            "WHERE f_table_name = %s AND f_geometry_column = %s",
            (table.lower(), column.lower()),
        )
        row = cursor.fetchone()
    return bool(row and row[0] == 1)


def in_box(qs: QuerySet, field: str, box: tuple[float, float, float, float]) -> QuerySet:
    """Rows whose geometry's bounding box touches ``box``: through GiST on PostGIS (&&); on
    SpatiaLite through its R*Tree (SpatialIndex, only used when asked for) where the column
    has one, else by comparing each row's box (MbrIntersects)."""
    polygon = Polygon.from_bbox(box)
    polygon.srid = 4326
    if is_postgis():
        return qs.filter(**{f"{field}__bboverlaps": polygon})
    table = qs.model._meta.db_table
    column = qs.model._meta.get_field(field).column
    if not _spatialite_index(table, column):
        # Not the bboverlaps lookup: on SpatiaLite that is MbrOverlaps, false when one box
        # holds the other (a tile inside a large polygon's box).
        hit = RawSQL(
            f'MbrIntersects("{table}"."{column}", BuildMbr(%s, %s, %s, %s, 4326)) = 1',
            box,
            output_field=BooleanField(),
        )
        return qs.alias(in_box=hit).filter(in_box=True)
    return qs.filter(
        pk__in=RawSQL(
            "SELECT ROWID FROM SpatialIndex WHERE f_table_name = %s AND f_geometry_column = %s "
            "AND search_frame = BuildMbr(%s, %s, %s, %s, 4326)",
            (table, column, *box),
        )
    )


# --- features of each layer, as Python rows (what both formats need) ------------------------------


class SimplifyPreserveTopology(GeoFunc):
    """ST_SimplifyPreserveTopology (PostGIS) / SimplifyPreserveTopology (SpatiaLite)."""

    function = "ST_SimplifyPreserveTopology"
    geom_param_pos = (0,)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="SimplifyPreserveTopology", **extra)


def with_geojson(qs: QuerySet, field: str, scale: Scale | None) -> QuerySet:
    """Without ``scale``: no geometry at all (the MVT is made in SQL). With it: the geometry
    as GeoJSON text made by the database, simplified by half a pixel (topology kept) and with
    the decimals the scale resolves (points are not simplified)."""
    qs = qs.defer(field)
    if scale is None:
        return qs
    geom = F(field)
    if qs.model._meta.get_field(field).geom_type != "POINT":
        geom = SimplifyPreserveTopology(
            field, Value(scale.tolerance), output_field=GeometryField(srid=4326)
        )
    return qs.annotate(gj=AsGeoJSON(geom, precision=scale.digits))


def case_rows(
    user, box, scale: Scale | None = None, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Open requests in the box that the user may see, with their deadline state and age."""
    now = now or timezone.now()
    qs = in_box(cases_visible_to(user).filter(status__in=OPEN_STATUSES), "location", box)
    rows = []
    for case in with_geojson(light_cases(qs), "location", scale).order_by("opened_at", "id"):
        r = case_row(case, now)
        rows.append(
            {
                "id": case.pk,
                "number": case.number,
                "title": case.title,
                "status": case.get_status_display(),
                "sla": r.worst,
                "age_hours": r.age_hours,
                "geojson": getattr(case, "gj", None),
            }
        )
    return rows


def route_rows(
    user, box, scale: Scale | None = None, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Active routes in the box of grids in the user's scope, with days since last walked."""
    today = today or timezone.localdate()
    qs = PatrolRoute.objects.filter(active=True).filter(
        policy.scoped(user, policy.ANY_ROLE, "grid__code")
    )
    qs = with_geojson(with_last_patrol(in_box(qs, "route", box)), "route", scale)
    rows = []
    for route in qs.select_related("grid").order_by("pk"):
        since = days_since(route.last_patrolled, today)
        rows.append(
            {
                "id": route.pk,
                "name": route.name,
                "grid": route.grid.code,
                "state": route_state(since, route.interval_days),
                "days_since": since,
                "geojson": getattr(route, "gj", None),
            }
        )
    return rows


def grid_rows(level: int, box, scale: Scale | None = None) -> list[dict[str, Any]]:
    """Grids of a level in the box (buildings with their leader)."""
    qs = in_box(Grid.objects.filter(level=level), "geom", box).only("id", "code", "name")
    grids = list(with_geojson(qs, "geom", scale).order_by("code"))
    leaders: dict[int, str] = {}
    if level == Level.BUILDING and grids:
        leaders = current_leaders(grids=[g.pk for g in grids])
    rows = []
    for g in grids:
        row = {"id": g.pk, "code": g.code, "name": g.name, "geojson": getattr(g, "gj", None)}
        if level == Level.BUILDING:
            row["leader"] = leaders.get(g.pk, "")
            row["has_leader"] = g.pk in leaders
        rows.append(row)
    return rows


def display_box(z: int, x: int, y: int, crs: str) -> tuple[float, float, float, float]:
    """The WGS84 box holding what a tile of a ``crs`` map shows (its box with the buffer,
    corners and edge midpoints shifted back, grown by ~10 m for the offset's curvature)."""
    box = tile_box(z, x, y)
    if crs == "wgs84":
        return box
    w, s, e, n = box
    mx, my = (w + e) / 2, (s + n) / 2
    lon, lat = to_wgs84([w, mx, e, w, e, w, mx, e], [s, s, s, my, my, n, n, n], crs)
    grow = 1e-4
    return (
        max(-180.0, float(lon.min()) - grow),
        max(-90.0, float(lat.min()) - grow),
        min(180.0, float(lon.max()) + grow),
        min(90.0, float(lat.max()) + grow),
    )


def shifted_geojson(text: str | None, crs: str, digits: int) -> str | None:
    """A GeoJSON geometry (text) with its coordinates in ``crs``."""
    if text is None or crs == "wgs84":
        return text
    feature = {"type": "Feature", "geometry": json.loads(text), "properties": {}}
    shifted = to_display({"type": "FeatureCollection", "features": [feature]}, crs, digits)
    return json.dumps(shifted["features"][0]["geometry"], separators=(",", ":"))


def rows_for(
    layer: TileLayer, user, z: int, x: int, y: int, scale: Scale | None = None, crs: str = "wgs84"
) -> list[dict[str, Any]]:
    """The layer's rows for a tile of a map drawn in ``crs`` (geometry, when ``scale`` is
    given, shifted into it)."""
    rows = _rows_in(layer, user, display_box(z, x, y, crs), scale)
    if scale is not None and crs != "wgs84":
        for row in rows:
            row["geojson"] = shifted_geojson(row["geojson"], crs, scale.digits)
    return rows


def _rows_in(layer: TileLayer, user, box, scale: Scale | None) -> list[dict[str, Any]]:
    if layer.name == "cases":
        return case_rows(user, box, scale)
    if layer.name == "routes":
        return route_rows(user, box, scale)
    return grid_rows(layer.level, box, scale)


# --- GeoJSON tiles -------------------------------------------------------------------------------


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


# --- Mapbox Vector Tiles (PostGIS) --------------------------------------------------------------

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
