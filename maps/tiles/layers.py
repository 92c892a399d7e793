"""The tile layers (``LAYERS``) and their features as Python rows, what both tile formats
need: properties, and the geometry as GeoJSON text simplified for the zoom (or none, when
the MVT is made in SQL).

- ``communities``, ``compounds``: the grids of levels 1 and 2 (code, name) — public;
- ``buildings``: grids of level 3 with their current building leader's name (public, as the
  leader's card on the building is: 亮身份) and ``has_leader`` — public;
- ``cases``: open requests (number, title, status, SLA state, age in hours) — signed-in users
  only, and only the requests ``gridgov.cases.selectors.cases_visible_to`` gives them (their
  grid scope, plus requests they raised themselves);
- ``routes``: active patrol routes (name, state, days since the last patrol) — signed-in users
  only, and only routes of grids in their scope.

Below a layer's ``min_zoom`` a tile is empty (204): a district's 50k buildings are drawn from
zoom 14 on, when one tile holds a few hundred. A tile of a map drawn in GCJ-02 reads the
WGS84 box holding it (geodata.crs.box_to_wgs84) and shifts each geometry into its datum
(maps.display).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, GeoFunc
from django.db.models import F, QuerySet, Value
from django.utils import timezone

from geodata.crs import box_to_wgs84
from gridgov.accounts import policy
from gridgov.cases.models import OPEN_STATUSES
from gridgov.cases.selectors import case_row, cases_visible_to
from gridgov.grids.models import Grid, Level
from gridgov.grids.selectors import Scale, current_leaders
from gridgov.patrols.models import PatrolRoute
from gridgov.patrols.selectors import days_since, with_last_patrol
from maps.dashboard_live import light_cases
from maps.dashboard_map import route_state
from maps.display import geometry_to_display
from maps.tiles.bbox import in_box
from maps.tiles.xyz import tile_box


@dataclass(frozen=True)
class TileLayer:
    name: str
    min_zoom: int
    private: bool  # signed-in users only; features limited to what they may see
    level: int | None = None


LAYERS: dict[str, TileLayer] = {
    "communities": TileLayer("communities", 0, False, Level.COMMUNITY),
    "compounds": TileLayer("compounds", 11, False, Level.COMPOUND),
    "buildings": TileLayer("buildings", 14, False, Level.BUILDING),
    "cases": TileLayer("cases", 11, True),
    "routes": TileLayer("routes", 11, True),
}


class SimplifyPreserveTopology(GeoFunc):
    """ST_SimplifyPreserveTopology (PostGIS) / SimplifyPreserveTopology (SpatiaLite)."""

    function = "ST_SimplifyPreserveTopology"
    geom_param_pos = (0,)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="SimplifyPreserveTopology", **extra)


def with_geojson(qs: QuerySet, field: str, scale: Scale | None) -> QuerySet:
    """Without ``scale``: no geometry at all (the MVT is made in SQL). With it: the geometry
    as GeoJSON text made by the database, simplified by half a pixel (topology kept) and with
    the decimals the scale resolves (points are not simplified)."""
    qs = qs.defer(field)
    if scale is None:
        return qs
    geom = F(field)
    if qs.model._meta.get_field(field).geom_type != "POINT":
        geom = SimplifyPreserveTopology(
            field, Value(scale.tolerance), output_field=GeometryField(srid=4326)
        )
    return qs.annotate(gj=AsGeoJSON(geom, precision=scale.digits))


def case_rows(
    user, box, scale: Scale | None = None, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Open requests in the box that the user may see, with their deadline state and age."""
    now = now or timezone.now()
    qs = in_box(cases_visible_to(user).filter(status__in=OPEN_STATUSES), "location", box)
    rows = []
    for case in with_geojson(light_cases(qs), "location", scale).order_by("opened_at", "id"):
        r = case_row(case, now)
        rows.append(
            {
                "id": case.pk,
                "number": case.number,
                "title": case.title,
                "status": case.get_status_display(),
                "sla": r.worst,
                "age_hours": r.age_hours,
                "geojson": getattr(case, "gj", None),
            }
        )
    return rows


def route_rows(
    user, box, scale: Scale | None = None, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Active routes in the box of grids in the user's scope, with days since last walked."""
    today = today or timezone.localdate()
    qs = PatrolRoute.objects.filter(active=True).filter(
        policy.scoped(user, policy.ANY_ROLE, "grid__code")
    )
    qs = with_geojson(with_last_patrol(in_box(qs, "route", box)), "route", scale)
    rows = []
    for route in qs.select_related("grid").order_by("pk"):
        since = days_since(route.last_patrolled, today)
        rows.append(
            {
                "id": route.pk,
                "name": route.name,
                "grid": route.grid.code,
                "state": route_state(since, route.interval_days),
                "days_since": since,
                "geojson": getattr(route, "gj", None),
            }
        )
    return rows


def grid_rows(level: int, box, scale: Scale | None = None) -> list[dict[str, Any]]:
    """Grids of a level in the box (buildings with their leader)."""
    qs = in_box(Grid.objects.filter(level=level), "geom", box).only("id", "code", "name")
    grids = list(with_geojson(qs, "geom", scale).order_by("code"))
    leaders: dict[int, str] = {}
    if level == Level.BUILDING and grids:
        leaders = current_leaders(grids=[g.pk for g in grids])
    rows = []
    for g in grids:
        row = {"id": g.pk, "code": g.code, "name": g.name, "geojson": getattr(g, "gj", None)}
        if level == Level.BUILDING:
            row["leader"] = leaders.get(g.pk, "")
            row["has_leader"] = g.pk in leaders
        rows.append(row)
    return rows


def display_box(z: int, x: int, y: int, crs: str) -> tuple[float, float, float, float]:
    """The WGS84 box holding what a tile of a ``crs`` map shows: its box with the buffer,
    taken back to WGS84 (geodata.crs.box_to_wgs84)."""
    box = tile_box(z, x, y)
    if crs == "wgs84":
        return box
    return box_to_wgs84(box, crs)


def rows_for(
    layer: TileLayer, user, z: int, x: int, y: int, scale: Scale | None = None, crs: str = "wgs84"
) -> list[dict[str, Any]]:
    """The layer's rows for a tile of a map drawn in ``crs`` (geometry, when ``scale`` is
    given, shifted into it)."""
    rows = _rows_in(layer, user, display_box(z, x, y, crs), scale)
    if scale is not None and crs != "wgs84":
        for row in rows:
            row["geojson"] = geometry_to_display(row["geojson"], crs, scale.digits)
    return rows


def _rows_in(layer: TileLayer, user, box, scale: Scale | None) -> list[dict[str, Any]]:
    if layer.name == "cases":
        return case_rows(user, box, scale)
    if layer.name == "routes":
        return route_rows(user, box, scale)
    return grid_rows(layer.level, box, scale)
