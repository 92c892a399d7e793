"""Bulk location inside PostGIS: the same rules as grids.location.place, as set-based SQL.

Per id range of BATCH rows:
1. buildings: each building polygon is the outer loop (a LATERAL join probing the GiST
   index of the people's points), so the work is one index probe per building rather than
   one per person. A point on a shared edge goes to the building whose code sorts first
   (DISTINCT ON ... ORDER BY code), as in the Python path. The result goes to a temporary
   table; one UPDATE writes building, compound and community (the building's ancestors) to
   the rows whose placement changed (IS DISTINCT FROM), nothing else is rewritten.
2. the few points in no building (an anti-join against that table): the covering compound
   and community and the nearest building, measured in metres on the spheroid, in one
   UPDATE.
"""

from __future__ import annotations

from django.db import connection, models, transaction

BATCH = 200_000

_BUILDINGS = """
    CREATE TEMP TABLE gridgov_in_building ON COMMIT DROP AS
    SELECT DISTINCT ON (p.id) p.id, g.id AS building_id, g.parent_id AS compound_id,
           k.parent_id AS community_id, g.code
    FROM grids_grid g
    JOIN grids_grid k ON k.id = g.parent_id
    CROSS JOIN LATERAL (
        SELECT t.id FROM {table} t
        WHERE t.location && g.geom AND ST_Intersects(g.geom, t.location)
          AND t.id >= %(lo)s AND t.id < %(hi)s
    ) p
    WHERE g.level = 3
    ORDER BY p.id, g.code
"""
_WRITE_BUILDINGS = """
    UPDATE {table} t SET building_id = b.building_id, compound_id = b.compound_id,
        community_id = b.community_id, nearest_building_id = NULL, nearest_distance_m = NULL,
        grid_code = b.code, located_at = now()
    FROM gridgov_in_building b
    WHERE t.id = b.id AND (t.building_id, t.compound_id, t.community_id,
                           t.nearest_building_id, t.nearest_distance_m, t.grid_code)
        IS DISTINCT FROM (b.building_id, b.compound_id, b.community_id,
                          NULL::bigint, NULL::double precision, b.code)
"""
_WRITE_OTHERS = """
    UPDATE {table} t SET building_id = NULL, compound_id = o.compound_id,
        community_id = o.community_id, nearest_building_id = o.nearest_id,
        nearest_distance_m = o.metres, grid_code = o.code, located_at = now()
    FROM (
        SELECT x.id, k.id AS compound_id, c.id AS community_id, n.id AS nearest_id,
               round(n.metres::numeric, 2)::double precision AS metres,
               coalesce(k.code, c.code, n.code, '') AS code
        FROM {table} x
        LEFT JOIN gridgov_in_building b ON b.id = x.id
        LEFT JOIN LATERAL (
            SELECT g.id, g.code FROM grids_grid g
            WHERE g.level = 2 AND ST_Intersects(g.geom, x.location) ORDER BY g.code LIMIT 1
        ) k ON true
        LEFT JOIN LATERAL (
            SELECT g.id, g.code FROM grids_grid g
            WHERE g.level = 1 AND ST_Intersects(g.geom, x.location) ORDER BY g.code LIMIT 1
        ) c ON true
        LEFT JOIN LATERAL (
            -- 5 candidates by index distance, then metres on the spheroid
            SELECT cand.id, cand.code,
                   ST_Distance(cand.geom::geography, x.location::geography) AS metres
            FROM (SELECT g.id, g.code, g.geom FROM grids_grid g WHERE g.level = 3
                  ORDER BY g.geom <-> x.location LIMIT 5) cand
            ORDER BY 3, cand.code LIMIT 1
        ) n ON true
        WHERE x.id >= %(lo)s AND x.id < %(hi)s AND x.location IS NOT NULL AND b.id IS NULL
    ) o
    WHERE t.id = o.id AND (t.building_id, t.compound_id, t.community_id,
                           t.nearest_building_id, t.nearest_distance_m, t.grid_code)
        IS DISTINCT FROM (NULL::bigint, o.compound_id, o.community_id, o.nearest_id,
                          o.metres, o.code)
"""


def relocate_sql(model: type[models.Model]) -> dict[str, int]:
    """Re-locate every row of a Located model inside PostGIS. Returns counts."""
    table = connection.ops.quote_name(model._meta.db_table)
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {table}")
        lo, hi = cursor.fetchone()
        for start in range(lo or 0, (hi or -1) + 1, BATCH):
            params = {"lo": start, "hi": start + BATCH}
            with transaction.atomic():
                # the sorts of a batch fit in memory; JIT costs more than it saves here
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute("SET LOCAL jit = off")
                cursor.execute(_BUILDINGS.format(table=table), params)
                cursor.execute("ANALYZE gridgov_in_building")
                cursor.execute(_WRITE_BUILDINGS.format(table=table), params)
                written += cursor.rowcount
                cursor.execute(_WRITE_OTHERS.format(table=table), params)
                written += cursor.rowcount
        cursor.execute(
            f"SELECT count(*), count(building_id) FROM {table} WHERE location IS NOT NULL"
        )
        total, located = cursor.fetchone()
    return {"total": total, "located": located, "unlocated": total - located,
            "written": written}
