"""Re-locating stored rows in bulk (members, households, cases ...: every Located model),
the Python engine of ``locate_people`` and what runs after an import or a boundary edit.

Every grid is loaded once and the points are placed in vectorised calls
(grids/placement.py); the changed rows are staged in a temporary table and written with one
UPDATE, never one query per person. The PostGIS engine (``--engine sql``) is
grids/relocation_sql.py, which also decides when a change is large enough for the bulk
write.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from django.contrib.gis.geos import Polygon
from django.db import connection, models, transaction
from django.db.models import F, FloatField, Func
from django.utils import timezone

from gridgov.grids import relocation_sql
from gridgov.grids.models import LOCATION_FIELDS, PLACEMENT_FIELDS, Level
from gridgov.grids.placement import load_layer, place, placement_rows

WRITE_BATCH = 5_000


class _Coord(Func):
    output_field = FloatField()

    def __init__(self, expression, axis: str):
        super().__init__(expression, function=f"ST_{axis}")


def located_models() -> list[type[models.Model]]:
    """Every model whose rows are points located in the grids (members, households, ...)."""
    from django.apps import apps

    from gridgov.grids.models import Located

    return [m for m in apps.get_models() if issubclass(m, Located)]


def relocate(queryset: models.QuerySet, *, chunk: int = 200_000) -> dict[str, int]:
    """Re-locate every row of a queryset of a Located model, set-based.

    The points are read and placed in chunks; the changed rows are staged in a temporary
    table with the point they were placed from, and written by one UPDATE in one
    transaction, all or nothing. A row whose point was moved meanwhile (a service placed
    it anew) is left alone. Rows whose placement did not change are not rewritten (their
    ``located_at`` keeps the time their placement was last set). Returns counts: total
    (with a point), located (in a building), unlocated, written, and ``bulk`` (1 when
    written by the bulk path: see _apply)."""
    model = queryset.model
    layers = {level: load_layer(level) for level in Level}
    counts = {"total": 0, "located": 0, "unlocated": 0, "written": 0, "bulk": 0}
    qs = (
        queryset.filter(location__isnull=False)
        .annotate(x=_Coord(F("location"), "X"), y=_Coord(F("location"), "Y"))
        .order_by("pk")
        .values_list("pk", "x", "y", *PLACEMENT_FIELDS)
    )
    now = timezone.now()  # one located_at for every row written
    staged = 0
    with _staging() as stage:
        for ids, x, y, current in _chunks(qs, chunk):
            p = place(x, y, layers)
            xs, ys = x.tolist(), y.tolist()
            rows = [
                (*row, xs[i], ys[i])
                for i, (row, old) in enumerate(zip(placement_rows(p, ids), current, strict=True))
                if row[:-1] != old
            ]
            stage(rows)
            staged += len(rows)
            counts["total"] += len(ids)
            counts["located"] += int(np.count_nonzero(p.building))
        if staged:
            counts["written"], bulk = _apply(model, staged, now)
            counts["bulk"] = int(bulk)
    counts["unlocated"] = counts["total"] - counts["located"]
    return counts


def relocate_within(bbox: tuple[float, float, float, float]) -> None:
    """Re-locate the people whose point lies in a bounding box (after a boundary changed)."""
    window = Polygon.from_bbox(bbox)
    window.srid = 4326
    for model in located_models():
        relocate(model.objects.filter(location__intersects=window))


def _chunks(qs, size: int) -> Iterator[tuple[list[int], np.ndarray, np.ndarray, list]]:
    ids: list[int] = []
    xs: list[float] = []
    ys: list[float] = []
    current: list[tuple] = []
    for pk, x, y, *state in qs.iterator(chunk_size=10_000):
        ids.append(pk)
        xs.append(x)
        ys.append(y)
        current.append(tuple(state))
        if len(ids) >= size:
            yield ids, np.array(xs), np.array(ys), current
            ids, xs, ys, current = [], [], [], []
    if ids:
        yield ids, np.array(xs), np.array(ys), current


_STAGE_COLUMNS = (
    "community_id bigint, compound_id bigint, building_id bigint, "
    "nearest_building_id bigint, nearest_distance_m double precision, "
    "grid_code text, id bigint, x double precision, y double precision"
)
# PLACEMENT_FIELDS, the id, the point placed


def _stage_table() -> str:
    """The staging table's name, in the connection's temporary schema (so never a
    permanent table of the same name)."""
    return ("pg_temp" if connection.vendor == "postgresql" else "temp") + ".gridgov_location"


@contextmanager
def _staging() -> Iterator[Callable[[list[tuple]], None]]:
    """A temporary table for the rows to write (PLACEMENT_FIELDS, id, x, y), and a function that
    adds rows to it in batches; the table is dropped afterwards. (After an error it is left
    to the rolled-back transaction or the session: a DROP in an aborted transaction would
    hide the error, and the next run drops it first.)"""
    table = _stage_table()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMP TABLE gridgov_location ({_STAGE_COLUMNS})")

        def stage(rows: list[tuple]) -> None:
            with transaction.atomic():  # one commit per chunk, not one per batch
                _insert(cursor, table, rows)

        yield stage
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _insert(cursor, table: str, rows: list[tuple]) -> None:
    """Add rows to the staging table: one COPY on PostgreSQL (INSERTs built by psycopg2's
    execute_values took 6 s for 345k rows, mostly quoting them in Python), WRITE_BATCH rows
    per statement elsewhere."""
    if connection.vendor == "postgresql":
        text = io.StringIO("".join(map(_copy_line, rows)))
        cursor.cursor.copy_expert(f"COPY {table} FROM STDIN", text)
        return
    marks = ", ".join(["%s"] * (len(PLACEMENT_FIELDS) + 3))
    for start in range(0, len(rows), WRITE_BATCH):
        cursor.executemany(
            f"INSERT INTO {table} VALUES ({marks})", rows[start : start + WRITE_BATCH]
        )


def _copy_line(row: tuple) -> str:
    """One staged row in COPY's text format: ints, floats (str() reads back exactly), the
    code escaped; None as \\N."""
    community, compound, building, nearest, metres, code, pk, x, y = row
    return (
        f"{_N if community is None else community}\t{_N if compound is None else compound}"
        f"\t{_N if building is None else building}\t{_N if nearest is None else nearest}"
        f"\t{_N if metres is None else metres}\t{code.translate(_COPY_ESCAPES)}\t{pk}"
        f"\t{x}\t{y}\n"
    )


_N = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _apply(model: type[models.Model], staged: int, now) -> tuple[int, bool]:
    """Write the staged rows whose point is still the one placed: one UPDATE ... FROM (the
    database walks the table once), in one transaction. The rows written, and whether
    that was in bulk: a bulk change (relocation_sql.is_bulk) outside any caller's
    transaction is written with the per-row upkeep suspended (on SQLite see
    _sqlite_upkeep_deferred, on PostgreSQL relocation_sql.write_bulk). Never inside a
    caller's transaction (a boundary edited on a page, an import): the bulk write locks
    tables until the commit, and there that would be the caller's."""
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{c} = s.{c}" for c in PLACEMENT_FIELDS)
    update = (
        f"UPDATE {table} SET {sets}, located_at = %s FROM {_stage_table()} AS s "
        f"WHERE {table}.id = s.id AND ST_X({table}.location) = s.x "
        f"AND ST_Y({table}.location) = s.y"
    )
    params = [connection.ops.adapt_datetimefield_value(now)]
    bulk = not connection.in_atomic_block and relocation_sql.is_bulk(
        staged, model._default_manager.count
    )
    with transaction.atomic(), connection.cursor() as cursor:
        written = None
        if bulk and connection.vendor == "sqlite":
            with _sqlite_upkeep_deferred(cursor, model._meta.db_table):
                cursor.execute(update, params)
                written = cursor.rowcount
        elif bulk and connection.vendor == "postgresql":
            written = relocation_sql.write_bulk(cursor, table, update, params)
        if written is None:
            bulk = False
            cursor.execute(update, params)
            written = cursor.rowcount
    return written, bulk


@contextmanager
def _sqlite_upkeep_deferred(cursor, table: str) -> Iterator[None]:
    """SQLite, inside a transaction: drop the indexes over the location columns and
    SpatiaLite's per-row "last update" triggers (``tmu_*``: one UPDATE of
    geometry_columns_time per row written) of a table; re-make them from their own SQL
    afterwards and set that timestamp once. One index build instead of an index update per
    row; at district scale 4.3 s → 1.6 s for the households."""
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
        [table],
    )
    indexes = []
    for name, sql in cursor.fetchall():
        cursor.execute(f"PRAGMA index_info({connection.ops.quote_name(name)})")
        if {column for _seq, _cid, column in cursor.fetchall()} & set(LOCATION_FIELDS):
            indexes.append((name, sql))
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND tbl_name = %s AND substr(name, 1, 4) = 'tmu_' ORDER BY name",
        [table],
    )
    triggers = cursor.fetchall()
    for name, _sql in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    for name, _sql in triggers:
        cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
    yield  # an error rolls the whole transaction back, these DROPs with it
    for _name, sql in indexes + triggers:
        cursor.execute(sql)  # no parameters: the statement's own % signs stay as they are
    if triggers:  # what each trigger did once per row, once
        cursor.execute(
            "UPDATE geometry_columns_time SET last_update = "
            "strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now') "
            "WHERE Lower(f_table_name) = Lower(%s)",
            [table],
        )
