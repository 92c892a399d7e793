"""Readers of grids: GeoJSON for maps and the counts behind them. Nothing personal here."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
import shapely.geometry
from django.contrib.gis.db.models import Extent
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from gridgov.grids.models import Grid, GridRole, Level, RoleKind


def _round(coords: Any, ndigits: int = 7) -> Any:
    if isinstance(coords, (int, float)):
        return round(coords, ndigits)
    return [_round(c, ndigits) for c in coords]


def grids_geojson(qs: QuerySet[Grid], *, leaders: dict[int, str] | None = None) -> dict:
    """A GeoJSON FeatureCollection of grids with their public properties."""
    features = []
    for grid in qs.only("id", "code", "name", "level", "kind", "geom"):
        geometry = json.loads(grid.geom.json)
        geometry["coordinates"] = _round(geometry["coordinates"])
        features.append(
            {"type": "Feature", "geometry": geometry, "properties": _public_props(grid, leaders)}
        )
    return {"type": "FeatureCollection", "features": features}


def _public_props(grid: Grid, leaders: dict[int, str] | None) -> dict[str, Any]:
    """A grid's public properties, and its building leader when ``leaders`` is given."""
    props: dict[str, Any] = {
        "code": grid.code,
        "name": grid.name,
        "level": grid.get_level_display(),
        "kind": grid.get_kind_display(),
    }
    if leaders is not None:
        props["leader"] = leaders.get(grid.pk, "") or _("no building leader")
        props["has_leader"] = grid.pk in leaders
    return props


def current_leaders(
    role: str = RoleKind.BUILDING_LEADER,
    *,
    day: dt.date | None = None,
    grids: Iterable[int] | None = None,
) -> dict[int, str]:
    """Grid id -> name of the member holding the role on ``day`` (default today; public:
    亮身份), of every grid or of the ``grids`` (ids) only. Current as
    ``GridRole.objects.current`` says; on a handover day, the holder who began last."""
    rows = GridRole.objects.current(day).filter(role=role)
    if grids is not None:
        rows = rows.filter(grid_id__in=list(grids))
    return dict(rows.order_by("since", "id").values_list("grid_id", "member__name"))


def street_layers() -> dict[str, dict]:
    """The three levels of the whole deployment as GeoJSON, buildings with their leader."""
    return {
        "communities": grids_geojson(Grid.objects.filter(level=Level.COMMUNITY)),
        "compounds": grids_geojson(Grid.objects.filter(level=Level.COMPOUND)),
        "buildings": grids_geojson(
            Grid.objects.filter(level=Level.BUILDING), leaders=current_leaders()
        ),
    }


# --- geometry for the scale a map shows ---------------------------------------------------------
# A web map's pixel at zoom z spans 360 / (256 * 2**z) degrees of longitude (Web Mercator tiles of
# 256 px); a degree of latitude is longer on the ground than one of longitude by 1 / cos(lat), so
# north-south the same pixel spans fewer degrees: cos(lat) times as many.
TILE_PX = 256
MAX_ZOOM = 20


def pixel_degrees(zoom: int, lat: float) -> float:
    """The smaller side (in degrees) of one screen pixel at ``zoom`` around latitude ``lat``."""
    return 360.0 / (TILE_PX * 2**zoom) * max(math.cos(math.radians(lat)), 0.01)


def fit_zoom(
    extent: tuple[float, float, float, float], *, width_px: int = 1024, height_px: int = 768
) -> int:
    """The zoom at which Leaflet's fitBounds shows ``extent`` (x0, y0, x1, y1, degrees) in a
    viewport of that size: the largest zoom at which it still fits (Web Mercator)."""
    x0, y0, x1, y1 = extent

    def merc_y(lat: float) -> float:
        lat = max(min(lat, 85.0511), -85.0511)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = max(x1 - x0, 1e-9) / 360.0  # share of the world's width
    span_y = max(merc_y(y1) - merc_y(y0), 1e-9) / (2 * math.pi)
    zx = math.log2(width_px / (TILE_PX * span_x))
    zy = math.log2(height_px / (TILE_PX * span_y))
    return max(0, min(MAX_ZOOM, math.floor(min(zx, zy))))


@dataclass(frozen=True)
class Scale:
    """How finely to send geometry drawn at ``zoom`` around ``lat``: simplify by half a pixel
    (invisible), and keep the decimals that resolve a quarter of one."""

    zoom: int
    lat: float

    @property
    def tolerance(self) -> float:
        return pixel_degrees(self.zoom, self.lat) / 2

    @property
    def digits(self) -> int:
        return min(7, max(0, math.ceil(-math.log10(pixel_degrees(self.zoom, self.lat) / 4))))


def scale_for(extent: tuple[float, float, float, float], *, zoom_in: int = 2) -> Scale:
    """The scale for a map that fits ``extent``: detail for ``zoom_in`` levels beyond the
    fitted zoom (a user zooming in further sees edges move by under 2**(k-zoom_in-1) px)."""
    return Scale(zoom=min(MAX_ZOOM, fit_zoom(extent) + zoom_in), lat=(extent[1] + extent[3]) / 2)


def simplified(geom: Any, scale: Scale) -> dict[str, Any]:
    """A GeoJSON geometry of a GEOS geometry for ``scale``: simplified without changing its
    topology (GEOS TopologyPreservingSimplifier), snapped to the scale's decimals keeping it
    valid (GEOS set_precision), coordinates rounded to those decimals."""
    shape = shapely.from_wkb(bytes(geom.wkb))
    stored = shape.geom_type
    if stored != "Point":
        shape = shapely.simplify(shape, scale.tolerance, preserve_topology=True)
    grid = 10.0**-scale.digits
    snapped = shapely.set_precision(shape, grid)
    if snapped.is_empty:  # smaller than the grid: keep the simplified shape as it is
        snapped = shape
    if stored == "MultiPolygon" and isinstance(snapped, shapely.Polygon):
        snapped = shapely.MultiPolygon([snapped])  # the same type as stored
    out = shapely.geometry.mapping(snapped)
    return {"type": out["type"], "coordinates": _round(out["coordinates"], scale.digits)}


def grids_geojson_at(
    qs: QuerySet[Grid], scale: Scale, *, leaders: dict[int, str] | None = None
) -> dict:
    """Like grids_geojson, with each geometry simplified for ``scale``."""
    features = []
    for grid in qs.only("id", "code", "name", "level", "kind", "geom"):
        features.append(
            {
                "type": "Feature",
                "geometry": simplified(grid.geom, scale),
                "properties": _public_props(grid, leaders),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def level_counts() -> dict[int, int]:
    """Grids per level (1 community, 2 compound, 3 building), in one query."""
    return dict(Grid.objects.values_list("level").annotate(n=Count("id")).order_by())


def street_layers_at(*, threshold: int) -> dict[str, Any]:
    """The street map's three levels: a level with at most ``threshold`` grids as simplified
    GeoJSON (for the scale that fits the whole deployment); a larger one as its count only
    (the page then loads it as vector tiles). ``bounds``: [[south, west], [north, east]] of
    the communities (empty without any)."""
    counts = level_counts()
    extent = Grid.objects.filter(level=Level.COMMUNITY).aggregate(e=Extent("geom"))["e"]
    scale = scale_for(extent) if extent else Scale(zoom=14, lat=23.0)
    out: dict[str, Any] = {
        "bounds": [[extent[1], extent[0]], [extent[3], extent[2]]] if extent else []
    }
    for name, level in (
        ("communities", Level.COMMUNITY),
        ("compounds", Level.COMPOUND),
        ("buildings", Level.BUILDING),
    ):
        n = counts.get(level, 0)
        if n > threshold:
            out[name] = n
        else:
            leaders = current_leaders() if level == Level.BUILDING else None
            out[name] = grids_geojson_at(Grid.objects.filter(level=level), scale, leaders=leaders)
    return out
