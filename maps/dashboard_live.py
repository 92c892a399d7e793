"""The dashboard's live data, read per request: open requests and patrol routes, whose
colours depend on the time (deadlines, days since the last patrol), so they are never
cached.

Same rows as gridgov.cases.selectors.open_cases and gridgov.patrols.selectors.route_rows
(scoping, deadline states and days-since come from them), read lighter: only the columns
the dashboard shows (no requester, no handlers and their locations), and the grid-code
prefix as the policy's filter (``policy.scope_q``: an index range on SQLite, which never
answers LIKE from an index, and exact in letter case).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import FloatField, Func, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from gridgov.accounts import policy
from gridgov.cases.models import OPEN_STATUSES, Case, Status
from gridgov.cases.selectors import CaseRow, case_row, cases_visible_to
from gridgov.grids.models import Grid
from gridgov.grids.selectors import Scale, simplified
from gridgov.patrols.models import PatrolRoute
from gridgov.patrols.selectors import covered_buildings, route_row, with_last_patrol

CASE_FIELDS = (
    "id",
    "number",
    "title",
    "status",
    "grid_code",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "category__first_response_sla_minutes",
    "category__resolution_sla_hours",
)


class PointX(Func):
    """A point's longitude as a number (no geometry object made for it)."""

    function = "ST_X"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="X", **extra)


class PointY(PointX):
    function = "ST_Y"

    def as_sqlite(self, compiler, connection, **extra):
        return Func.as_sql(self, compiler, connection, function="Y", **extra)


def light_cases(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Cases with only what a map shows and case_row needs (one join: the category), the
    location as ``lon`` and ``lat`` numbers."""
    return (
        qs.select_related(None)
        .select_related("category")
        .only(*CASE_FIELDS)
        .annotate(lon=PointX("location"), lat=PointY("location"))
    )


def open_case_rows(*, user, prefix: str, now: dt.datetime | None = None) -> list[CaseRow]:
    """Open requests under a grid code the user may see, oldest first (as open_cases)."""
    now = now or timezone.now()
    qs = cases_visible_to(user).filter(
        policy.scope_q([prefix], "grid_code"), status__in=OPEN_STATUSES
    )
    return [case_row(c, now) for c in light_cases(qs).order_by("opened_at", "id")]


def route_rows(
    grid: Grid, *, today: dt.date | None = None, crossing: bool = False
) -> list[dict[str, Any]]:
    """Active routes of the grid's subtree (with ``crossing``, also other grids' routes
    crossing it), as gridgov.patrols.selectors.route_rows gives them."""
    today = today or timezone.localdate()
    q = policy.scope_q([grid.code], "grid__code")
    if crossing:
        q = q | Q(route__intersects=grid.geom)
    qs = with_last_patrol(PatrolRoute.objects.filter(q, active=True))
    return [
        route_row(route, today)
        for route in qs.select_related("grid")
        .only("id", "name", "schedule", "route", "grid__code")
        .order_by("grid__code", "name")
    ]


@dataclass
class LiveData:
    """A dashboard's per-request part: the map's request and route features, and the side
    panel's lists behind them."""

    cases: list[dict[str, Any]] = field(default_factory=list)  # located, for the map
    work: list[tuple[str, ...]] = field(default_factory=list)  # every open request, oldest first
    routes: dict[str, Any] = field(default_factory=dict)  # FeatureCollection
    route_list: list[dict[str, Any]] = field(default_factory=list)
    coverage: dict[str, Any] = field(default_factory=dict)  # covered_buildings' answer

    @property
    def overdue(self) -> list[dict[str, Any]]:
        return [r for r in self.route_list if r["overdue"]]


def coverage_distance_m() -> float:
    """Buildings this close (metres) to a recently patrolled route count as covered."""
    return float(getattr(settings, "GRIDGOV_PATROL_COVERAGE_M", 50.0))


def coverage_days() -> int:
    """A route counts as patrolled when walked in this many days up to today."""
    return int(getattr(settings, "GRIDGOV_PATROL_COVERAGE_DAYS", 7))


def dashboard_live(grid: Grid, *, user) -> LiveData:
    """Open requests under the grid the user may see, and the grid's routes (a building's:
    also the routes crossing it), as the dashboard shows them."""
    route_list = route_rows(grid, crossing=grid.level == 3)
    # a few lines: sent at street detail (zoom 18), coordinates to 6-7 decimals
    fine = Scale(zoom=18, lat=settings.LEAFLET_CONFIG["DEFAULT_CENTER"][0])
    routes = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": r["id"],
                "geometry": simplified(r.pop("geometry"), fine),
                "properties": r,
            }
            for r in route_list
        ],
    }
    statuses = dict(Status.choices)
    case_url = reverse("cases:detail", args=["NUMBER"])
    # patrol coverage changes with the date and every patrol recorded: read per request
    coverage = covered_buildings(grid, distance_m=coverage_distance_m(), days=coverage_days())
    live = LiveData(routes=routes, route_list=route_list, coverage=coverage)
    for r in open_case_rows(user=user, prefix=grid.code):
        c = r.case
        row = {
            "number": c.number,
            "title": c.title,
            "status": str(statuses[c.status]),
            "age_hours": r.age_hours,
            "sla": r.worst,
            "url": case_url.replace("NUMBER", quote(c.number)),
        }
        live.work.append(
            (
                row["url"],
                row["sla"],
                row["number"],
                row["title"],
                row["status"],
                ngettext("%(hours)s hour", "%(hours)s hours", r.age_hours) % {"hours": r.age_hours},
            )
        )
        if c.lon is not None:
            live.cases.append({**row, "lat": round(c.lat, 6), "lon": round(c.lon, 6)})
    return live
