"""Bulk location inside PostGIS: the same rules as grids.location.place, as set-based SQL.

Each grid polygon is the outer loop (a LATERAL join probing the GiST index of the people's
points), so the work is one index probe per grid rather than one per person. A point on a
shared edge goes to the grid whose code sorts first (DISTINCT ON ... ORDER BY code), as in
the Python path. Rows are written in id ranges of BATCH, one statement per level per range.
"""

from __future__ import annotations

from django.db import connection, models, transaction

BATCH = 200_000

_COVERING = """
    SELECT DISTINCT ON (p.id) p.id, g.id AS grid_id, g.parent_id, g.code
    FROM grids_grid g
    CROSS JOIN LATERAL (
        SELECT t.id FROM {table} t
        WHERE t.location && g.geom AND ST_Intersects(g.geom, t.location)
          AND t.id >= %(lo)s AND t.id < %(hi)s
    ) p
    WHERE g.level = {level}
    ORDER BY p.id, g.code
"""

# 1. everyone in the range starts unplaced
_RESET = """
    UPDATE {table} SET community_id = NULL, compound_id = NULL, building_id = NULL,
        nearest_building_id = NULL, nearest_distance_m = NULL, grid_code = '',
        located_at = now()
    WHERE id >= %(lo)s AND id < %(hi)s AND location IS NOT NULL
"""
# 2. communities, then compounds, then buildings: each finer level overwrites grid_code
_SET_COMMUNITY = """
    UPDATE {table} t SET community_id = c.grid_id, grid_code = c.code
    FROM (""" + _COVERING.format(table="{table}", level=1) + """) c WHERE t.id = c.id
"""
_SET_COMPOUND = """
    UPDATE {table} t SET compound_id = c.grid_id, grid_code = c.code
    FROM (""" + _COVERING.format(table="{table}", level=2) + """) c WHERE t.id = c.id
"""
# a building found fixes compound and community to its ancestors
_SET_BUILDING = """
    UPDATE {table} t SET building_id = b.grid_id, grid_code = b.code,
        compound_id = b.parent_id, community_id = k.parent_id
    FROM (""" + _COVERING.format(table="{table}", level=3) + """) b
    JOIN grids_grid k ON k.id = b.parent_id
    WHERE t.id = b.id
"""
# 3. the rest: nearest building (5 candidates by index distance, then metres on the spheroid)
_SET_NEAREST = """
    UPDATE {table} t SET (nearest_building_id, nearest_distance_m) = (
        SELECT n.id, round(ST_Distance(n.geom::geography, t.location::geography)::numeric, 2)
        FROM (SELECT g.id, g.geom FROM grids_grid g WHERE g.level = 3
              ORDER BY g.geom <-> t.location LIMIT 5) n
        ORDER BY ST_Distance(n.geom::geography, t.location::geography), n.id LIMIT 1
    )
    WHERE t.id >= %(lo)s AND t.id < %(hi)s AND t.location IS NOT NULL
      AND t.building_id IS NULL
"""
_SET_FAR_CODE = """
    UPDATE {table} t SET grid_code = g.code FROM grids_grid g
    WHERE g.id = t.nearest_building_id AND t.grid_code = ''
      AND t.id >= %(lo)s AND t.id < %(hi)s
"""


def relocate_sql(model: type[models.Model]) -> dict[str, int]:
    """Re-locate every row of a Located model inside PostGIS. Returns counts."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {table}")
        lo, hi = cursor.fetchone()
        if lo is None:
            return {"total": 0, "located": 0, "unlocated": 0}
        for start in range(lo, hi + 1, BATCH):
            params = {"lo": start, "hi": start + BATCH}
            with transaction.atomic():
                for sql in (_RESET, _SET_COMMUNITY, _SET_COMPOUND, _SET_BUILDING, _SET_NEAREST,
                            _SET_FAR_CODE):
                    cursor.execute(sql.format(table=table), params)
        cursor.execute(
            f"SELECT count(*), count(building_id) FROM {table} WHERE location IS NOT NULL"
        )
        total, located = cursor.fetchone()
    return {"total": total, "located": located, "unlocated": total - located}
