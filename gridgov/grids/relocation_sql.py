"""Re-locating stored rows inside PostGIS (``locate_people --engine sql``): the rules of
grids.placement.place as set-based SQL; and the bulk write both engines use.

One transaction per table, three statements that matter:

1. the placement of every point into a temporary table, in one pass (CREATE TABLE AS, so
   that PostgreSQL may share the buildings among parallel workers): each building polygon
   is the outer loop (a LATERAL join probing the GiST index of the people's points), so the
   work is one index probe per building rather than one per person; a point on a shared
   edge goes to the building whose code sorts first (DISTINCT ON ... ORDER BY code), as in
   the Python path; compound and community are the building's ancestors. The same pass
   reads each row's stored placement and marks the rows whose placement changed.
2. the few points in no building (an anti-join against that table): the covering compound
   and community and the nearest building, measured in metres on the spheroid.
3. one ``UPDATE ... FROM`` of the changed rows only; nothing else is rewritten.

A bulk change (at least BULK_ROWS rows and BULK_SHARE of the table: after an import, or
the first location of everyone) is written without per-row upkeep: the foreign keys of the
location columns and the table's secondary indexes are dropped inside the transaction and
re-made after the UPDATE from their own definitions (``pg_get_constraintdef`` /
``pg_get_indexdef``): one set-based check per foreign key instead of one trigger call per
row and key, one index build instead of an index insert per row and index (no HOT update is
possible: indexed columns change). The table is locked (ACCESS EXCLUSIVE) until the commit
— seconds at district scale —, and so is ``grids_grid`` (dropping a foreign key locks the
table it references too): pages reading grids wait for the commit. The written columns are
ANALYZEd before the keys are checked. Where that is not possible or not wanted (inside a
caller's transaction, whose locks these would become; the database user does not own the
table; a lock is not granted within LOCK_TIMEOUT; pending trigger events) the rows are
written the ordinary way. Either way a row whose point was moved since it was placed (a
service placed it anew meanwhile) is not overwritten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection, models, transaction

from gridgov.grids.models import LOCATION_FIELDS, PLACEMENT_FIELDS

logger = logging.getLogger(__name__)

BULK_ROWS = 20_000  # a change this large (and BULK_SHARE of the table) is written in bulk
BULK_SHARE = 0.2
LOCK_TIMEOUT = "5s"  # waiting longer than this for the table lock: write the ordinary way

# Each building the outer loop; the stored placement read in the same pass, and the point
# placed (the write skips a row whose point was moved meanwhile). CREATE TABLE AS, not
# INSERT: only the former may hand the buildings to parallel workers (measured at district
# scale: 2.1 s → 1.4 s on 2 cores).
_BUILDINGS = """
    CREATE TEMP TABLE gridgov_placement (id, building_id, compound_id, community_id,
                                         nearest_id, metres, code, changed, location)
                                         ON COMMIT DROP AS
    SELECT id, building_id, compound_id, community_id, NULL::bigint, NULL::double precision,
           code::text,
           (old_building, old_compound, old_community, old_nearest, old_metres, old_code)
               IS DISTINCT FROM (building_id, compound_id, community_id, NULL::bigint,
                                 NULL::double precision, code),
           location
    FROM (
        SELECT DISTINCT ON (p.id) p.id, g.id AS building_id, g.parent_id AS compound_id,
               k.parent_id AS community_id, g.code, p.building_id AS old_building,
               p.compound_id AS old_compound, p.community_id AS old_community,
               p.nearest_building_id AS old_nearest, p.nearest_distance_m AS old_metres,
               p.grid_code AS old_code, p.location
        FROM grids_grid g
        JOIN grids_grid k ON k.id = g.parent_id
        CROSS JOIN LATERAL (
            SELECT t.id, t.building_id, t.compound_id, t.community_id, t.nearest_building_id,
                   t.nearest_distance_m, t.grid_code, t.location
            FROM {table} t
            WHERE t.location && g.geom AND ST_Intersects(g.geom, t.location)
        ) p
        WHERE g.level = 3
        ORDER BY p.id, g.code
    ) found
"""
# The points in no building: covering compound and community, nearest building in metres.
_OTHERS = """
    INSERT INTO gridgov_placement
    SELECT o.id, NULL, o.compound_id, o.community_id, o.nearest_id, o.metres, o.code,
           (o.old_building, o.old_compound, o.old_community, o.old_nearest, o.old_metres,
            o.old_code)
               IS DISTINCT FROM (NULL::bigint, o.compound_id, o.community_id, o.nearest_id,
                                 o.metres, o.code),
           o.location
    FROM (
        SELECT x.id, k.id AS compound_id, c.id AS community_id, n.id AS nearest_id,
               round(n.metres::numeric, 2)::double precision AS metres,
               coalesce(k.code, c.code, n.code, '') AS code,
               x.building_id AS old_building, x.compound_id AS old_compound,
               x.community_id AS old_community, x.nearest_building_id AS old_nearest,
               x.nearest_distance_m AS old_metres, x.grid_code AS old_code, x.location
        FROM {table} x
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
        WHERE x.location IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM gridgov_placement b WHERE b.id = x.id)
    ) o
"""
_WRITE = """
    UPDATE {table} t SET building_id = p.building_id, compound_id = p.compound_id,
        community_id = p.community_id, nearest_building_id = p.nearest_id,
        nearest_distance_m = p.metres, grid_code = p.code, located_at = now()
    FROM gridgov_placement p
    WHERE t.id = p.id AND p.changed AND t.location = p.location  -- not moved meanwhile
"""
# What the bulk path drops and re-makes: the foreign keys of the location columns, and the
# secondary indexes (neither unique nor behind a constraint).
_FOREIGN_KEYS = """
    SELECT c.conname, pg_get_constraintdef(c.oid)
    FROM pg_constraint c
    WHERE c.conrelid = %(table)s::regclass AND c.contype = 'f'
      AND (SELECT array_agg(a.attname::text) FROM pg_attribute a
           WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) <@ %(columns)s
    ORDER BY c.conname
"""
_INDEXES = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = %(table)s::regclass AND NOT i.indisprimary AND NOT i.indisunique
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    ORDER BY 1
"""


def is_bulk(changed: int, rows: Callable[[], float]) -> bool:
    """Whether a change of ``changed`` rows is written in bulk; ``rows`` gives the table's
    size, asked only for a change large enough to be."""
    return changed >= BULK_ROWS and changed >= BULK_SHARE * rows()


def relocate_sql(model: type[models.Model]) -> dict[str, int]:
    """Re-locate every row of a Located model inside PostGIS. Returns counts (total with a
    point, located in a building, unlocated, written) and ``bulk`` (1 when the rows were
    written by the bulk path)."""
    table = connection.ops.quote_name(model._meta.db_table)
    # the bulk write locks tables to the commit: never inside a caller's transaction
    may_bulk = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        # The sorts of the placement fit in memory; JIT costs more than it saves here. Two
        # plan choices are pinned, each for its one statement (district scale, server log):
        # - the buildings' pass joins each building to its compound before probing for
        #   points, as written (join_collapse_limit 1), instead of once per point found:
        #   the planner expects one point per building, not seven (1.07 s → 0.89 s);
        # - the points in no building look their compound and community up through the
        #   grids' spatial index alone, not ANDed with a bitmap of every grid of the level
        #   (0.61 s → 0.51 s).
        # (A few statements per execute: the work is set-based, the round trips are few.
        # These SET LOCALs last to the end of this transaction, and ``= DEFAULT`` is the
        # session's value: meant for a transaction of its own, as locate_people runs it.)
        cursor.execute(
            "SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '256MB';"
            " SET LOCAL jit = off;"
            " DROP TABLE IF EXISTS pg_temp.gridgov_placement;"  # an outer one's
            " SET LOCAL join_collapse_limit = 1;" + _BUILDINGS.format(table=table) + ";"
            " SET LOCAL join_collapse_limit = DEFAULT;"
            " ANALYZE gridgov_placement;"
            " SET LOCAL enable_bitmapscan = off;" + _OTHERS.format(table=table) + ";"
            " SET LOCAL enable_bitmapscan = DEFAULT;"
        )
        cursor.execute(
            "SELECT count(*), count(building_id), count(*) FILTER (WHERE changed), "
            f"(SELECT reltuples FROM pg_class WHERE oid = '{table}'::regclass) "
            "FROM gridgov_placement"
        )
        total, located, changed, reltuples = cursor.fetchone()
        bulk = may_bulk and is_bulk(changed, lambda: max(reltuples or 0, total))
        written = write_bulk(cursor, table, _WRITE.format(table=table)) if bulk else None
        if written is None:
            bulk = False
            cursor.execute(_WRITE.format(table=table))
            written = cursor.rowcount
    return {
        "total": total,
        "located": located,
        "unlocated": total - located,
        "written": written,
        "bulk": int(bulk),
    }


def write_bulk(cursor, table: str, update: str, update_params=None) -> int | None:
    """Run ``update`` (an UPDATE of the location columns of ``table``, quoted; with
    ``update_params``) with the location foreign keys and the secondary indexes dropped,
    then re-make them; the number of rows written. None (and nothing changed) when that is
    not possible. Inside a transaction."""
    params = {"table": table, "columns": list(PLACEMENT_FIELDS)}
    try:
        with transaction.atomic():  # a savepoint: a refusal leaves the ordinary way open
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(_FOREIGN_KEYS, params)
            keys = cursor.fetchall()
            cursor.execute(_INDEXES, params)
            indexes = cursor.fetchall()
            for name, _definition in keys:
                cursor.execute(
                    f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}"
                )
            if indexes:
                cursor.execute("DROP INDEX " + ", ".join(name for name, _d in indexes))
            cursor.execute("SET LOCAL lock_timeout = 0")
            cursor.execute(update, update_params)
            written = cursor.rowcount
            # Fresh statistics of the columns just written, before the keys are checked:
            # with the stale ones (say every key NULL, before a first location) each key's
            # check is planned as one index probe per row; with these, as a hash anti-join
            # (0.85 s → 0.34 s for the households' four keys at district scale). The other
            # columns did not change; their statistics stay.
            cursor.execute(f"ANALYZE {table} ({', '.join(LOCATION_FIELDS)})")
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in keys:  # validated here, in one query per key
                cursor.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT "
                    f"{connection.ops.quote_name(name)} {definition}"
                )
    except DatabaseError as exc:
        logger.warning("bulk write of %s not possible (%s); writing row by row", table, exc)
        return None
    return written
