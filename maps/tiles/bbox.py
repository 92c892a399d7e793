"""Rows whose geometry's bounding box touches a box, through the spatial index each backend
has: GiST on PostGIS; on SpatiaLite the R*Tree, when geometry_columns says the column has a
working one."""

from __future__ import annotations

from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL


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
