"""Readers of patrols: routes of a grid with the days since their last patrol, overdue routes,
and which buildings recent patrols covered. Plain data for dashboards; nothing personal."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import Polygon
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from geodata.tracks import buffer_bbox_m, within_distance
from gridgov.accounts import policy
from gridgov.accounts.actors import Actor
from gridgov.grids.models import Grid, Level
from gridgov.patrols.models import INTERVAL_DAYS, Finding, Patrol, PatrolRoute
from gridgov.people.models import Member

# Roles that see and record the patrols of the routes in their grid scope (the patrol pages).
# Building leaders and plain members walk patrols; grid leaders and community staff record them.
# (policy.RECORD_PATROLS)


def routes_for(grid: Grid, *, crossing: bool = False) -> QuerySet[PatrolRoute]:
    """Routes whose grid lies in the grid's subtree (code prefix); with ``crossing``, also
    routes of other grids (a parent's, a neighbour's) whose line crosses this grid."""
    q = Q(grid__code__startswith=grid.code)
    if crossing:
        q |= Q(route__intersects=grid.geom)
    return PatrolRoute.objects.filter(q)


def with_last_patrol(qs: QuerySet[PatrolRoute]) -> QuerySet[PatrolRoute]:
    """Annotate ``last_patrolled`` (the date of the latest patrol, or None) in the same query."""
    return qs.annotate(last_patrolled=Max("patrols__walked_on"))


def last_patrolled(route: PatrolRoute) -> dt.date | None:
    """The date of the route's latest patrol, or None if it was never walked."""
    return route.patrols.aggregate(last=Max("walked_on"))["last"]


def days_since(last: dt.date | None, today: dt.date) -> int | None:
    return None if last is None else (today - last).days


def _overdue_q(today: dt.date) -> Q:
    """Never walked, or last walked longer ago than the schedule allows (one OR per schedule,
    so the comparison stays a plain date comparison on every backend)."""
    q = Q(last_patrolled__isnull=True)
    for schedule, interval in INTERVAL_DAYS.items():
        q |= Q(schedule=schedule, last_patrolled__lt=today - dt.timedelta(days=interval))
    return q


def overdue_routes(grid: Grid, today: dt.date | None = None) -> QuerySet[PatrolRoute]:
    """Active routes in the grid's subtree that are due: days since the last patrol exceed the
    schedule's interval (a weekly route walked 7 days ago is not yet overdue, 8 days ago is),
    or never walked. Never-walked first, then the longest-unwalked; one query."""
    today = today or timezone.localdate()
    qs = with_last_patrol(routes_for(grid).filter(active=True))
    return qs.filter(_overdue_q(today)).order_by(
        F("last_patrolled").asc(nulls_first=True), "grid__code", "name"
    )


def route_rows(
    grid: Grid, *, today: dt.date | None = None, crossing: bool = False
) -> list[dict[str, Any]]:
    """One row per active route: what a side panel lists (no geometry), from one query."""
    today = today or timezone.localdate()
    qs = with_last_patrol(routes_for(grid, crossing=crossing).filter(active=True))
    return [
        route_row(route, today)
        for route in qs.select_related("grid").order_by("grid__code", "name")
    ]


def route_row(route: PatrolRoute, today: dt.date) -> dict[str, Any]:
    """A route annotated with ``last_patrolled`` as plain data."""
    last: dt.date | None = route.last_patrolled  # type: ignore[attr-defined]  # with_last_patrol's annotation
    since = days_since(last, today)
    return {
        "id": route.pk,
        "name": route.name,
        "grid": route.grid.code,
        "schedule": route.schedule,
        "interval_days": route.interval_days,
        "last_patrolled": last.isoformat() if last else None,
        "days_since": since,
        "overdue": since is None or since > route.interval_days,
        "geometry": route.route,
    }


def _round(coords: Any, ndigits: int = 7) -> Any:
    if isinstance(coords, (int, float)):
        return round(coords, ndigits)
    return [_round(c, ndigits) for c in coords]


def routes_geojson(
    grid: Grid, *, today: dt.date | None = None, crossing: bool = False
) -> dict[str, Any]:
    """Active routes of the grid as an RFC 7946 FeatureCollection (WGS84, 7 decimals), each
    with ``days_since`` (None: never walked) and ``overdue`` for colouring."""
    features = []
    for row in route_rows(grid, today=today, crossing=crossing):
        geometry = json.loads(row.pop("geometry").json)
        geometry["coordinates"] = _round(geometry["coordinates"])
        features.append(
            {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": row}
        )
    return {"type": "FeatureCollection", "features": features}


def recently_patrolled_routes(*, today: dt.date, days: int) -> QuerySet[PatrolRoute]:
    """Routes with a patrol in the last ``days`` days: walked on or after today - days."""
    recent = Patrol.objects.filter(
        walked_on__gte=today - dt.timedelta(days=days), walked_on__lte=today
    )
    return PatrolRoute.objects.filter(pk__in=recent.values("route_id"))


def covered_buildings(
    grid: Grid, *, distance_m: float = 50.0, days: int = 7, today: dt.date | None = None
) -> dict[str, Any]:
    """Which building grids in the grid's subtree lie within ``distance_m`` metres of a route
    patrolled in the last ``days`` days (walked on or after today - days).

    Any route counts, whichever grid it belongs to: candidates are found by bounding box (the
    grid and its buildings grown by ``distance_m`` metres), then buildings and routes are
    projected to metres and matched in one STRtree query. Returns plain data: the covered and
    uncovered building codes, the share covered (None when there are no buildings) and the
    route ids that counted."""
    today = today or timezone.localdate()
    # Geometries as WKB straight into shapely, in one vectorised call: no GEOS object per
    # building (a surveyed outline has hundreds of vertices; 602 of them: 83 ms → 12 ms).
    buildings = list(
        Grid.objects.within(grid)
        .at_level(Level.BUILDING)
        .order_by("code")
        .values_list("code", AsWKB("geom"))
    )
    polygons = list(shapely.from_wkb([bytes(wkb) for _code, wkb in buildings]))
    # the grid and its buildings (which may stick out of it by the nesting tolerance)
    x0, y0, x1, y1 = grid.geom.extent
    if polygons:
        bx0, by0, bx1, by1 = shapely.total_bounds(polygons)
        x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
    bbox = buffer_bbox_m(shapely.box(x0, y0, x1, y1), distance_m)
    routes = list(
        recently_patrolled_routes(today=today, days=days)
        .filter(route__bbintersects=Polygon.from_bbox(bbox))
        .order_by("pk")
        .values_list("pk", AsWKB("route"))
    )
    lines = list(shapely.from_wkb([bytes(wkb) for _pk, wkb in routes]))
    near = within_distance(polygons, lines, distance_m=distance_m)
    covered = [code for (code, _g), hit in zip(buildings, near, strict=True) if hit]
    uncovered = [code for (code, _g), hit in zip(buildings, near, strict=True) if not hit]
    return {
        "grid": grid.code,
        "distance_m": distance_m,
        "days": days,
        "since": (today - dt.timedelta(days=days)).isoformat(),
        "today": today.isoformat(),
        "buildings": len(buildings),
        "covered": covered,
        "uncovered": uncovered,
        "share": len(covered) / len(buildings) if buildings else None,
        "routes": [pk for pk, _r in routes],
    }


# --- scoped readers for the patrol pages --------------------------------------------------


def patrol_prefixes(user: Actor) -> list[str] | None:
    """Grid code prefixes whose routes the user sees and records (None: all; []: none)."""
    return policy.prefixes(user, policy.RECORD_PATROLS)


def routes_visible_to(user: Actor) -> QuerySet[PatrolRoute]:
    """Routes whose grid lies in the user's patrol scope."""
    return PatrolRoute.objects.filter(policy.scope_q(patrol_prefixes(user), "grid__code"))


def patrols_visible_to(user: Actor) -> QuerySet[Patrol]:
    return Patrol.objects.filter(policy.scope_q(patrol_prefixes(user), "route__grid__code"))


def findings_visible_to(user: Actor) -> QuerySet[Finding]:
    return Finding.objects.filter(
        policy.scoped(user, policy.RECORD_PATROLS, "patrol__route__grid__code")
    )


def my_route_rows(
    user: Actor, *, today: dt.date | None = None, include_inactive: bool = False
) -> list[dict[str, Any]]:
    """The user's routes (patrol scope) with days since the last patrol and whether they are
    overdue: overdue first (never walked, then the longest unwalked), then by grid and name.
    One query; each row also has ``grid_name`` and ``active``."""
    today = today or timezone.localdate()
    qs = routes_visible_to(user)
    if not include_inactive:
        qs = qs.filter(active=True)
    rows = []
    for route in with_last_patrol(qs).select_related("grid"):
        row = route_row(route, today)
        row.update(grid_name=route.grid.name, active=route.active)
        rows.append(row)
    rows.sort(
        key=lambda r: (
            not r["overdue"],
            r["last_patrolled"] is not None,
            r["last_patrolled"] or "",
            r["grid"],
            r["name"],
        )
    )
    return rows


def patrol_member_choices(user: Actor, route: PatrolRoute) -> QuerySet[Member]:
    """Who may be named as having walked a route: the route's team, and the members living in
    the user's patrol scope. The team first, then by name."""
    team = route.team.values("pk")
    return (
        Member.objects.filter(Q(pk__in=team) | policy.scope_q(patrol_prefixes(user)))
        .annotate(on_team=Count("patrol_routes", filter=Q(patrol_routes=route)))
        .order_by("-on_team", "name", "pk")
    )


def recent_patrols(route: PatrolRoute, *, limit: int = 20) -> QuerySet[Patrol]:
    """The route's latest patrols with their members and findings preloaded."""
    return route.patrols.order_by("-walked_on", "-created_at").prefetch_related(
        "members", "findings"
    )[:limit]
