"""Writers of grids and grid roles. Each validates fully, writes, and audits atomically."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from geodata.topology import DEFAULT_TOLERANCE_M2, check_nesting
from gridgov.accounts.actors import Actor
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids import codes
from gridgov.grids.models import Grid, GridRole, GridVersion
from gridgov.grids.relocation import relocate_within

TOLERANCE_M2 = getattr(settings, "GRIDGOV_TOPOLOGY_TOLERANCE_M2", DEFAULT_TOLERANCE_M2)


def as_multipolygon(geom: GEOSGeometry, *, label: str) -> MultiPolygon:
    """Coerce Polygon -> MultiPolygon in SRID 4326; refuse anything else or bad coordinates."""
    if geom.srid not in (None, 4326):
        geom = geom.transform(4326, clone=True)
    if isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=4326)
    if not isinstance(geom, MultiPolygon):
        raise ValidationError(
            {
                "geom": _("Grid %(g)s: a boundary must be a polygon, not a %(t)s.")
                % {"g": label, "t": geom.geom_type}
            }
        )
    geom.srid = 4326
    xmin, ymin, xmax, ymax = geom.extent
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        raise ValidationError(
            {
                "geom": _(
                    "Grid %(g)s: coordinates out of range (longitude -180..180, latitude "
                    "-90..90): %(e)s"
                )
                % {"g": label, "e": tuple(round(v, 6) for v in geom.extent)}
            }
        )
    return geom


def grid_check(grid: Grid) -> None:
    """All rules of one grid among its neighbours, as one ValidationError naming the grid:
    one-row rules (clean), the code rule (gridgov.grids.codes: no code begins with a grid's
    code but its ancestors'), valid geometry (with GEOS's reason), inside its parent and not
    overlapping a sibling (areas in m²)."""
    label = grid.code or grid.name or "?"
    grid.geom = as_multipolygon(grid.geom, label=label)
    grid.clean()
    code_messages = [
        _("Grid %(g)s: %(r)s") % {"g": label, "r": r} for r in codes.grid_problems(grid)
    ]
    geom = shapely.from_wkb(bytes(grid.geom.wkb))
    parent = None
    if grid.parent is not None:
        parent = (grid.parent.code, shapely.from_wkb(bytes(grid.parent.geom.wkb)))
    siblings = Grid.objects.filter(level=grid.level, geom__bbintersects=grid.geom)
    siblings = siblings.filter(parent_id=grid.parent_id) if grid.parent_id else siblings
    if grid.pk:
        siblings = siblings.exclude(pk=grid.pk)
    sibling_geoms = [
        (code, shapely.from_wkb(bytes(g.wkb))) for code, g in siblings.values_list("code", "geom")
    ]
    problems = check_nesting(geom, parent=parent, siblings=sibling_geoms, tolerance_m2=TOLERANCE_M2)
    if not problems and not code_messages:
        return
    messages = []
    for p in problems:
        if p.kind == "invalid":
            messages.append(_("Grid %(g)s: invalid geometry: %(r)s") % {"g": label, "r": p.detail})
        elif p.kind == "outside_parent":
            messages.append(
                _("Grid %(g)s: %(a).1f m² lie outside its parent %(p)s.")
                % {"g": label, "a": p.area_m2, "p": p.other}
            )
        else:
            messages.append(
                _("Grid %(g)s: overlaps its sibling %(s)s by %(a).1f m².")
                % {"g": label, "s": p.other, "a": p.area_m2}
            )
    errors = {"code": code_messages, "geom": messages}
    raise ValidationError({k: v for k, v in errors.items() if v})


def same_boundary(a: GEOSGeometry, b: GEOSGeometry, *, tolerance: float = 1e-7) -> bool:
    """Whether two boundaries are the same shape: ring start and orientation aside, vertices
    within ``tolerance`` degrees (1e-7° ≈ 1 cm, what a 7-decimal GeoJSON round trip keeps)."""
    sa, sb = shapely.from_wkb([bytes(a.wkb), bytes(b.wkb)])
    return bool(shapely.equals_exact(shapely.normalize(sa), shapely.normalize(sb), tolerance))


def version_starts(grid_ids: list[int]) -> dict[int, dt.datetime]:
    """Since when each grid's current boundary is valid: the end of its latest GridVersion,
    else the grid's creation."""
    starts: dict[int, dt.datetime] = {}
    for i in range(0, len(grid_ids), 500):
        chunk = grid_ids[i : i + 500]
        starts.update(Grid.objects.filter(pk__in=chunk).values_list("pk", "created_at"))
        starts.update(
            GridVersion.objects.filter(grid_id__in=chunk)
            .values("grid_id")
            .annotate(last=Max("valid_to"))
            .values_list("grid_id", "last")
        )
    return starts


@transaction.atomic
def grid_create(
    *,
    acting_user: Actor,
    level: int,
    code: str,
    name: str,
    kind: str,
    geom: GEOSGeometry,
    parent: Grid | None = None,
) -> Grid:
    geom = as_multipolygon(geom, label=code)
    grid = Grid(level=level, code=code, name=name, kind=kind, geom=geom, parent=parent)
    grid_check(grid)
    grid.full_clean(validate_constraints=True)
    grid.save()
    audit_record(actor=acting_user, action="grid.create", obj=grid, after=snapshot(grid))
    return grid


@transaction.atomic
def grid_update(*, grid: Grid, acting_user: Actor, **changes: Any) -> Grid:
    """Change a grid's fields; a new boundary re-locates the people around it."""
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    before = snapshot(grid)
    old_extent = grid.geom.extent
    old_geom, old_name = grid.geom, grid.name
    if "geom" in changes:
        changes["geom"] = as_multipolygon(changes["geom"], label=grid.code)
    for field, value in changes.items():
        setattr(grid, field, value)
    grid_check(grid)
    grid.full_clean(validate_constraints=True)
    grid.save()
    if "geom" in changes and not same_boundary(old_geom, grid.geom):
        GridVersion.objects.create(
            grid=grid,
            geom=old_geom,
            name=old_name,
            valid_from=version_starts([grid.pk])[grid.pk],
            valid_to=grid.updated_at,
        )
    audit_record(
        actor=acting_user, action="grid.update", obj=grid, before=before, after=snapshot(grid)
    )
    if "geom" in changes:
        x0, y0, x1, y1 = old_extent
        n0, m0, n1, m1 = grid.geom.extent
        relocate_within((min(x0, n0), min(y0, m0), max(x1, n1), max(y1, m1)))
    return grid


@transaction.atomic
def gridrole_assign(
    *, grid: Grid, member: Any, role: str, acting_user: Actor, since: dt.date | None = None
) -> GridRole:
    """Give a role on a grid to a member (a people.Member: grids sits below people and does
    not import it), closing the previous holder's term (history kept)."""
    since = since or timezone.localdate()  # the day current() counts in
    current = (
        GridRole.objects.select_for_update()
        .filter(grid=grid, role=role, until__isnull=True)
        .first()
    )
    if current is not None:
        before = snapshot(current)
        current.until = max(since, current.since)
        current.save(update_fields=["until"])
        audit_record(
            actor=acting_user,
            action="gridrole.end",
            obj=current,
            before=before,
            after=snapshot(current),
        )
    holding = GridRole(grid=grid, member=member, role=role, since=since)
    holding.full_clean()
    holding.save()
    audit_record(actor=acting_user, action="gridrole.assign", obj=holding, after=snapshot(holding))
    return holding
