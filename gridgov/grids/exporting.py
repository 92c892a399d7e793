"""Export of grids, members and households as GeoJSON (and GeoPackage / Shapefile).

The grid layers are made here; the members and households layers are people's
(gridgov/people/export_layers.py), added to ``LAYERS`` with ``register_layer`` when people is
ready: grids streams, checks and converts them without knowing what they hold.

The one implementation behind ``manage.py export_geojson`` (and later the API): which rows,
which public fields, and the geometry made where it is cheapest. On PostGIS each feature's
geometry is generated inside the database (``ST_AsGeoJSON(ST_ForcePolygonCCW(geom), 7)``)
and read through a server-side cursor; on SpatiaLite WKB is read in chunks and oriented,
rounded (and converted) by geodata.export with shapely. Either way memory stays constant.

Every feature carries ``community_code``, ``compound_code`` and ``building_code`` (null where
the level does not apply), taken from the grid's parent chain, or for members from the
grids they are located in.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from django.contrib.gis.db.models.functions import AsWKB
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from geodata import export as gexport
from gridgov.grids.models import Grid, Level

GRID_LAYERS: dict[str, tuple[int, ...]] = {
    "communities": (Level.COMMUNITY,),
    "compounds": (Level.COMPOUND,),
    "buildings": (Level.BUILDING,),
    "grids": (Level.COMMUNITY, Level.COMPOUND, Level.BUILDING),
}
CRS_CHOICES = gexport.EXPORT_CRS
FORMATS = gexport.FORMATS
CHUNK = 2_000  # rows per fetch (server-side cursor on PostgreSQL)

Item = tuple[dict[str, Any], Any]


@dataclass(frozen=True)
class Layer:
    """How a layer is made: ``items(grid)`` its (properties, WKB geometry) pairs, streamed
    (GCJ-02's path, and the reference), ``sql(dialect, grid)`` the SQL writing each feature's
    text and its parameters (WGS84 and CGCS2000). ``grid`` is the subtree asked for, or None."""

    items: Callable[[Grid | None], Iterator[Item]]
    sql: Callable[[Dialect, Grid | None], tuple[str, list]]


# Every layer by name, in the order the command and the API list them: the grid layers here,
# the others added by the apps above grids when they are ready (people: members, households),
# so grids exports them without knowing what they hold.
LAYERS: dict[str, Layer] = {}


def register_layer(name: str, layer: Layer) -> None:
    """Add an export layer (the command, the API and their checks then know it)."""
    LAYERS[name] = layer


class ExportRequestError(ValueError):
    """A bad export request: the message names the bad value and the allowed ones."""


def check_request(
    layer: str, *, grid_code: str | None = None, crs: str = "wgs84", fmt: str = "geojson"
) -> Grid | None:
    """Validate an export request; the grid named by ``grid_code`` (None for all)."""
    if layer not in LAYERS:
        raise ExportRequestError(
            _("Unknown layer %(value)s: expected one of %(allowed)s.")
            % {"value": repr(layer), "allowed": ", ".join(LAYERS)}
        )
    if crs not in CRS_CHOICES:
        raise ExportRequestError(
            _("Unknown coordinate system %(value)s: expected one of %(allowed)s.")
            % {"value": repr(crs), "allowed": ", ".join(CRS_CHOICES)}
        )
    if fmt not in FORMATS:
        raise ExportRequestError(
            _("Unknown format %(value)s: expected one of %(allowed)s.")
            % {"value": repr(fmt), "allowed": ", ".join(FORMATS)}
        )
    if grid_code is None:
        return None
    grid = Grid.objects.filter(code=grid_code).first()
    if grid is None:
        raise ExportRequestError(
            _("Unknown grid code %(value)s: no grid has this code.") % {"value": repr(grid_code)}
        )
    return grid


def geometry_wkb(field):
    """A geometry column (name or expression) as WKB, for geodata.export to finish."""
    return AsWKB(F(field) if isinstance(field, str) else field)


def level_codes(level: int, code: str, parent: str | None, grandparent: str | None) -> dict:
    if level == Level.COMMUNITY:
        return {"community_code": code, "compound_code": None, "building_code": None}
    if level == Level.COMPOUND:
        return {"community_code": parent, "compound_code": code, "building_code": None}
    return {"community_code": grandparent, "compound_code": parent, "building_code": code}


def _grid_items(levels: tuple[int, ...], grid: Grid | None) -> Iterator[Item]:
    qs = Grid.objects.filter(level__in=levels)
    if grid is not None:
        qs = qs.filter(code__startswith=grid.code)
    rows = (
        qs.order_by("code")
        .annotate(g=geometry_wkb("geom"))
        .values_list("code", "name", "level", "kind", "parent__code", "parent__parent__code", "g")
    )
    for code, name, level, kind, parent, grandparent, geom in rows.iterator(chunk_size=CHUNK):
        props = level_codes(level, code, parent, grandparent)
        props.update(code=code, name=name, level=level, kind=kind)
        yield props, geom


def located_filter(qs: QuerySet, grid: Grid | None) -> QuerySet:
    if grid is None:
        return qs
    field = {Level.COMMUNITY: "community", Level.COMPOUND: "compound", Level.BUILDING: "building"}[
        grid.level
    ]
    return qs.filter(**{field: grid})


def layer_items(layer: str, *, grid_code: str | None = None, crs: str = "wgs84") -> Iterator[Item]:
    """(properties, geometry) pairs of a layer, streamed; geometry as WKB, which
    geodata.export finishes (and shifts to GCJ-02). The exports in WGS84 and CGCS2000 are
    made whole by the database instead (below); this path is GCJ-02's, and the reference
    the database-made features are tested against."""
    grid = check_request(layer, grid_code=grid_code, crs=crs)
    return LAYERS[layer].items(grid)


# --- the whole feature made by the database ----------------------------------------------
#
# For WGS84 and CGCS2000 (the same numbers) the database writes each feature's whole text:
# the properties with json_object (SQLite) or row_to_json (PostgreSQL), the geometry from the
# grid's stored GeoJSON (Grid.geojson, Grid.label_geojson: generated columns the database
# keeps, counter-clockwise at 7 decimals). Python only passes the rows on, a fetch at a time
# (a server-side cursor on PostgreSQL): constant memory, and no polygon formatted per
# request. GCJ-02 needs the conversion in Python: layer_items() and geodata.export do it.


class Dialect:
    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"

    def obj(self, pairs: list[tuple[str, str]]) -> str:
        """A JSON object's text from (key, SQL expression) pairs, keys in this order."""
        if not self.pg:
            return "json_object(" + ", ".join(f"'{k}', {v}" for k, v in pairs) + ")"
        # row_to_json of a one-row subselect: compact, keys in order, and faster than
        # json_build_object or concatenated to_json calls.
        columns = ", ".join(f'{v} AS "{k}"' for k, v in pairs)
        return f"(SELECT row_to_json(o)::text FROM (SELECT {columns}) o)"

    def feature(self, pairs: list[tuple[str, str]], geometry: str) -> str:
        """A Feature's text; ``geometry`` is a column holding GeoJSON text."""
        return (
            """'{"type":"Feature","properties":' || """
            + self.obj(pairs)
            + """ || ',"geometry":' || coalesce("""
            + geometry
            + """, 'null') || '}'"""
        )


def like_prefix(code: str) -> str:
    return code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


CODES_BY_LEVEL = [
    (
        "community_code",
        f"CASE g.level WHEN {Level.COMMUNITY} THEN g.code "
        f"WHEN {Level.COMPOUND} THEN p.code ELSE pp.code END",
    ),
    (
        "compound_code",
        f"CASE g.level WHEN {Level.COMPOUND} THEN g.code WHEN {Level.BUILDING} THEN p.code END",
    ),
    ("building_code", f"CASE g.level WHEN {Level.BUILDING} THEN g.code END"),
]


def _grids_sql(d: Dialect, levels: tuple[int, ...], grid: Grid | None) -> tuple[str, list]:
    grids = table(Grid)
    where = [f"g.level IN ({', '.join(str(int(v)) for v in levels)})"]
    params: list = []
    if grid is not None:
        where.append("g.code LIKE %s ESCAPE '\\'")
        params.append(like_prefix(grid.code))
    props = [
        *CODES_BY_LEVEL,
        ("code", "g.code"),
        ("name", "g.name"),
        ("level", "g.level"),
        ("kind", "g.kind"),
    ]
    return (
        f"SELECT {d.feature(props, 'g.geojson')} FROM {grids} g "
        f"LEFT JOIN {grids} p ON p.id = g.parent_id "
        f"LEFT JOIN {grids} pp ON pp.id = p.parent_id "
        f"WHERE {' AND '.join(where)} ORDER BY g.code",
        params,
    )


def layer_sql(layer: str, grid: Grid | None = None) -> tuple[str, list]:
    """The SQL that makes the layer's features as GeoJSON text (one column), and its
    parameters, for this connection's database."""
    return LAYERS[layer].sql(Dialect(connection.vendor), grid)


def _grid_layer(levels: tuple[int, ...]) -> Layer:
    return Layer(
        items=lambda grid: _grid_items(levels, grid),
        sql=lambda d, grid: _grids_sql(d, levels, grid),
    )


for _name, _levels in GRID_LAYERS.items():
    register_layer(_name, _grid_layer(_levels))


def _sql_batches(layer: str, grid: Grid | None) -> Iterator[list[str]]:
    """The layer's feature texts, CHUNK rows per fetch.

    On PostgreSQL inside one read-only transaction: Django's server-side cursor is then
    WITHOUT HOLD, so rows stream as they are made (a cursor WITH HOLD, outside a
    transaction, is computed whole before the first fetch). (A larger work_mem for the
    sort by code made the planner hash the residents instead of reading their index:
    slower; measured.)"""
    sql, params = layer_sql(layer, grid)
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        if connection.vendor == "postgresql":
            with connection.cursor() as settings:
                settings.execute("SET TRANSACTION READ ONLY")
            cursor.itersize = CHUNK
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield [row[0] for row in rows]


def geojson_chunks(
    layer: str,
    *,
    grid_code: str | None = None,
    crs: str = "wgs84",
    counter: list[int] | None = None,
) -> Iterator[str]:
    """The layer as a GeoJSON FeatureCollection's text, a chunk (a fetch of features) at a
    time: what the export command writes and the API streams. The features counted into
    ``counter[0]``. The request is checked before the first chunk."""
    grid = check_request(layer, grid_code=grid_code, crs=crs)
    if crs == "gcj02":
        batches = gexport.feature_batches(layer_items(layer, grid_code=grid_code, crs=crs), crs=crs)
    else:
        batches = _sql_batches(layer, grid)
    return gexport.collection_chunks(batches, crs, counter)


def write_geojson(
    layer: str, stream: TextIO, *, grid_code: str | None = None, crs: str = "wgs84"
) -> int:
    """Stream the layer as a GeoJSON FeatureCollection to a text stream; the feature count."""
    counter = [0]
    for chunk in geojson_chunks(layer, grid_code=grid_code, crs=crs, counter=counter):
        stream.write(chunk)
    return counter[0]


def export_file(
    layer: str,
    path: str | os.PathLike,
    *,
    fmt: str = "geojson",
    grid_code: str | None = None,
    crs: str = "wgs84",
) -> int:
    """Write the layer to a file (GeoJSON, GeoPackage or zipped Shapefile); the feature count.

    The file appears only when complete: it is written beside the target and renamed."""
    check_request(layer, grid_code=grid_code, crs=crs, fmt=fmt)
    path = Path(path)
    if fmt == "geojson":
        fd, part = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".part", dir=path.parent or None
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                count = write_geojson(layer, f, grid_code=grid_code, crs=crs)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(part, 0o666 & ~umask)  # mkstemp made it private; a normal file now
            os.replace(part, path)
        finally:
            if os.path.exists(part):
                os.unlink(part)
        return count
    with tempfile.TemporaryDirectory(prefix="gridgov-export-") as tmp:
        source = Path(tmp) / f"{layer}.geojson"
        with open(source, "w", encoding="utf-8", newline="\n") as f:
            count = write_geojson(layer, f, grid_code=grid_code, crs=crs)
        try:
            gexport.convert(source, path, fmt=fmt, layer=layer, crs=crs)
        except gexport.ExportError as exc:
            raise ExportRequestError(
                _("Conversion to %(fmt)s failed: %(error)s") % {"fmt": fmt, "error": exc}
            ) from exc
    return count
