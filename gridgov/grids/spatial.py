"""Two fixes for SpatiaLite, so that both backends answer spatial questions alike.

``bbintersects``: rows whose bounding box touches the given geometry's box. Django's own
``bboverlaps`` is PostGIS's ``&&`` (boxes share any point) but SpatiaLite's ``MbrOverlaps``,
which is false when one box holds the other: a window inside a community's box, a route
inside a coverage box, a point inside a search window. This lookup is ``&&`` on PostGIS (GiST
index) and ``MbrIntersects`` on SpatiaLite.

Spatial indexes after migrations: when a migration rebuilds a SpatiaLite table (SQLite cannot
alter a column in place, so Django copies the table), Django re-registers the geometry
column but leaves its R*Tree disabled and empty. ``repair_spatial_indexes`` runs after every
``migrate`` and rebuilds each index that a model declares and SpatiaLite lacks.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.fields import BaseSpatialField
from django.contrib.gis.db.models.lookups import GISLookup
from django.db import connections
from django.db.models import Func, TextField


@BaseSpatialField.register_lookup
class BoxIntersects(GISLookup):
    lookup_name = "bbintersects"

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            sql = f"{lhs_sql} && {rhs_sql}"
        else:
            sql = f"MbrIntersects({lhs_sql}, {rhs_sql}) = 1"
        return sql, (*lhs_params, *rhs_params)


def spatial_index_columns() -> list[tuple[str, str]]:
    """(table, column) of every geometry field that asks for a spatial index."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.local_fields:
            if isinstance(f, GeometryField) and f.spatial_index:
                found.append((model._meta.db_table, f.column))
    return found


def repair_spatial_indexes(using: str = "default") -> list[str]:
    """Rebuild the SpatiaLite R*Tree of every geometry column whose index is disabled; the
    ``table.column`` names repaired. Nothing to do on PostGIS (GiST survives migrations)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    repaired = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if "geometry_columns" not in tables:
            return []
        for table, column in spatial_index_columns():
            if table not in tables:
                continue
            cursor.execute(
                "SELECT spatial_index_enabled FROM geometry_columns "
                "WHERE f_table_name = %s AND f_geometry_column = %s",
                (table.lower(), column.lower()),
            )
            row = cursor.fetchone()
            if row is None or row[0] == 1:
                continue
            # A table rebuilt by a migration leaves its old index table behind, renamed.
            cursor.execute(f'DROP TABLE IF EXISTS "idx_{table}_{column}"')
            cursor.execute("SELECT CreateSpatialIndex(%s, %s)", (table, column))
            repaired.append(f"{table}.{column}")
    return repaired


def repair_after_migrate(sender, using="default", **kwargs) -> None:
    repair_spatial_indexes(using)


class AsRFC7946(Func):
    """A geometry as RFC 7946 GeoJSON text, made by the database: exterior rings
    counter-clockwise and holes clockwise (``ST_ForcePolygonCCW``), 7 decimals, no ``crs``
    member. ``AsGeoJSON`` on SpatiaLite, ``ST_AsGeoJSON`` on PostGIS; both deterministic
    (immutable), so usable in a stored generated column."""

    output_field = TextField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        prefix = "ST_" if connection.vendor == "postgresql" else ""
        extra["template"] = f"{prefix}AsGeoJSON(ST_ForcePolygonCCW(%(expressions)s), 7)"
        return super().as_sql(compiler, connection, **extra)
