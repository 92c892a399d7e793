"""Applying a checked import plan: all or nothing, one import at a time.

``grids_import`` takes the import lock, plans (importing/plan.py) and writes in one
transaction, so the checks see the database the writes change. Writes are batched
(bulk_create and executemany UPDATEs, audit rows included): a district's 50k buildings
import in one transaction without one query per feature. An updated grid's previous
boundary is kept as a GridVersion; afterwards the people around what moved are re-located.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from gridgov.accounts.models import AuditEntry
from gridgov.accounts.services import snapshot
from gridgov.grids.importing.plan import DEFAULT_KIND, ImportPlan, as_geos, import_plan
from gridgov.grids.importing.read import Progress, Row, no_progress
from gridgov.grids.models import Grid, GridVersion, Level
from gridgov.grids.relocation import relocate_within
from gridgov.grids.services import version_starts


@dataclass
class ImportResult:
    """What an import did (or, dry run, would do), with timings in seconds."""

    plan: ImportPlan
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    versions: int = 0
    dry_run: bool = False
    timings: dict[str, float] = field(default_factory=dict)


def import_apply(
    plan: ImportPlan, *, acting_user=None, progress: Progress = no_progress
) -> ImportResult:
    """Write a checked plan in one transaction: new grids, updated grids with their previous
    boundary kept as a GridVersion, an audit row each, then re-locate people around them."""
    result = ImportResult(plan=plan, unchanged=plan.count("unchanged"))
    result.timings["check"] = plan.seconds
    start = time.perf_counter()
    actor = acting_user if getattr(acting_user, "is_authenticated", False) else None
    level = Level(plan.level)
    # Only the box around what moved is kept (for re-locating people), never the geometries:
    # a batch's grids, GEOS copies and audit snapshots are let go before the next batch.
    touched = _Box()
    with transaction.atomic():
        now = timezone.now()
        creates = [r for r in plan.rows if r.action == "create"]
        updates = [r for r in plan.rows if r.action == "update"]
        total = len(creates) + len(updates)
        done = 0
        for chunk in _batches(creates):
            new = [
                Grid(
                    level=level,
                    code=r.code,
                    name=r.name,
                    kind=r.kind or DEFAULT_KIND[level],
                    parent_id=r.parent_id,
                    geom=as_geos(r.geom),
                )
                for r in chunk
            ]
            Grid.objects.bulk_create(new)
            AuditEntry.objects.bulk_create(
                [_audit(actor, "grid.create", grid, None, snapshot(grid)) for grid in new]
            )
            touched.add(r.geom for r in chunk)
            result.created += len(new)
            done += len(chunk)
            progress(_("writing"), done, total)
        for chunk in _batches(updates):
            grids = Grid.objects.select_for_update().in_bulk([r.existing_id for r in chunk])
            starts = version_starts([r.existing_id for r in chunk if r.geom_changed])
            versions, audits = [], []
            for row in chunk:
                grid = grids[row.existing_id]
                before = snapshot(grid)
                if row.geom_changed:
                    versions.append(
                        GridVersion(
                            grid=grid,
                            geom=grid.geom,
                            name=grid.name,
                            valid_from=starts[grid.pk],
                            valid_to=now,
                        )
                    )
                if row.geom_changed or grid.parent_id != row.parent_id:
                    touched.add([shapely.from_wkb(bytes(grid.geom.wkb)), row.geom])
                grid.name, grid.parent_id, grid.updated_at = row.name, row.parent_id, now
                grid.kind = row.kind or grid.kind
                if row.geom_changed:
                    grid.geom = as_geos(row.geom)
                audits.append(_audit(actor, "grid.update", grid, before, snapshot(grid)))
            _write_updates([(grids[r.existing_id], r) for r in chunk], now)
            GridVersion.objects.bulk_create(versions)
            AuditEntry.objects.bulk_create(audits)
            result.versions += len(versions)
            result.updated += len(chunk)
            done += len(chunk)
            progress(_("writing"), done, total)
        result.timings["write"] = time.perf_counter() - start
        start = time.perf_counter()
        if touched.bounds is not None:
            relocate_within(touched.bounds)
        result.timings["relocate"] = time.perf_counter() - start
    return result


BATCH = 1000  # features per batch at most
BATCH_VERTICES = 200_000  # a batch's audit snapshots hold its geometries as text, twice


def _batches(rows: list[Row]) -> Iterator[list[Row]]:
    """Rows in batches of at most BATCH features and about BATCH_VERTICES vertices: a
    district's small buildings go 1,000 at a time, surveyed boundaries of thousands of
    vertices a few dozen at a time, so memory stays flat whatever the file holds."""
    chunk: list[Row] = []
    vertices = 0
    for row in rows:
        chunk.append(row)
        vertices += int(shapely.get_num_coordinates(row.geom)) if row.geom is not None else 0
        if len(chunk) >= BATCH or vertices >= BATCH_VERTICES:
            yield chunk
            chunk, vertices = [], 0
    if chunk:
        yield chunk


class _Box:
    """A growing bounding box (xmin, ymin, xmax, ymax) of the geometries added."""

    def __init__(self) -> None:
        self.bounds: tuple[float, float, float, float] | None = None

    def add(self, geoms: Iterable[BaseGeometry]) -> None:
        geoms = [g for g in geoms if g is not None]
        if not geoms:
            return
        b = shapely.total_bounds(geoms).tolist()
        if self.bounds is not None:
            b = [
                min(b[0], self.bounds[0]),
                min(b[1], self.bounds[1]),
                max(b[2], self.bounds[2]),
                max(b[3], self.bounds[3]),
            ]
        self.bounds = (b[0], b[1], b[2], b[3])


def _write_updates(pairs: list[tuple[Grid, Row]], now) -> None:
    """UPDATE the changed grids, one executemany per kind of change. (bulk_update builds a
    CASE over every row of a batch in Python: minutes for 50k buildings.) ST_GeomFromWKB is
    spelled the same in PostGIS and SpatiaLite."""
    table = connection.ops.quote_name(Grid._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    sets = "name = %s, kind = %s, parent_id = %s, updated_at = %s"
    moved = [
        (g.name, g.kind, g.parent_id, at, shapely.to_wkb(r.geom), g.pk)
        for g, r in pairs
        if r.geom_changed
    ]
    kept = [(g.name, g.kind, g.parent_id, at, g.pk) for g, r in pairs if not r.geom_changed]
    with connection.cursor() as cursor:
        if moved:
            cursor.executemany(
                f"UPDATE {table} SET {sets}, geom = ST_GeomFromWKB(%s, 4326) WHERE id = %s", moved
            )
        if kept:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", kept)


def _audit(actor, action: str, grid: Grid, before: dict | None, after: dict) -> AuditEntry:
    """The row gridgov.accounts.services.audit_record writes, unsaved, for bulk_create."""
    return AuditEntry(
        actor=actor,
        action=action,
        object_type=grid._meta.label_lower,
        object_id=str(grid.pk),
        object_repr=str(grid)[:200],
        before=before,
        after=after,
    )


def grids_import(
    path: str | Path,
    *,
    level: int,
    acting_user=None,
    dry_run: bool = False,
    progress: Progress = no_progress,
    **options: Any,
) -> ImportResult:
    """Check the whole file, then (unless a dry run) write it, all in one transaction so the
    checks see the database the writes change. Raises ImportFailed, writing nothing."""
    if dry_run:
        plan = import_plan(path, level=level, progress=progress, **options)
        result = ImportResult(
            plan=plan,
            created=plan.count("create"),
            updated=plan.count("update"),
            unchanged=plan.count("unchanged"),
            dry_run=True,
        )
        result.versions = sum(1 for r in plan.rows if r.action == "update" and r.geom_changed)
        result.timings["check"] = plan.seconds
        return result
    with transaction.atomic():
        _one_import_at_a_time()
        plan = import_plan(path, level=level, progress=progress, **options)
        return import_apply(plan, acting_user=acting_user, progress=progress)


# Any number fixed for the project: the key of the PostgreSQL advisory lock imports share.
IMPORT_LOCK_KEY = 0x67726964  # "grid"


def _one_import_at_a_time() -> None:
    """Imports run one after another, each checking the database the previous one left: two
    imports of the same file give the first's grids and, for the second, "unchanged" (not a
    unique-code error half-way through). PostgreSQL: a transaction-level advisory lock,
    released at commit or rollback. SQLite: the transaction already began with BEGIN
    IMMEDIATE (settings), which takes the database's write lock for its whole length."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
