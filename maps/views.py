"""Thin views: data from selectors, maps from maps.builders."""

from __future__ import annotations

import dataclasses
import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gridgov.grids.models import Grid, Level
from gridgov.grids.selectors import scale_for, simplified, street_layers_at
from gridgov.people.selectors import community_summaries, site_counts
from maps.builders import Labels, Tiles, embed, street_map
from maps.dashboard_data import (
    METRICS,
    Dashboard,
    dashboard,
    fingerprint,
    may_see_phones,
    may_view,
    street_fingerprint,
)
from maps.dashboard_live import dashboard_live
from maps.dashboard_map import (
    CASE_KEYS,
    DashboardLabels,
    dashboard_map,
    legend,
    points,
    route_features,
)
from maps.display import to_display
from maps.layers import Live, TileSource, live_json
from maps.tiles.bbox import is_postgis
from maps.tiles.layers import LAYERS


def tiles() -> Tiles:
    return Tiles.configured()


def street_map_page(request):
    """The whole deployment's map. Levels with more grids than the tile threshold come as
    vector tiles; the rendered map is cached under the street's ``street_fingerprint``."""
    threshold = tile_threshold()
    key = ":".join(
        [
            "gridgov:street",
            get_language() or "",
            str(threshold),
            "pbf" if is_postgis() else "geojson",
            _settings_digest(),
            street_fingerprint(),
        ]
    )
    rendered = cache.get(key)
    if rendered is None:
        rendered = embed(_street_map(threshold))
        cache.set(key, rendered, cache_seconds())
    return render(
        request,
        "maps/street.html",
        {"map": rendered, "communities": community_summaries(), "counts": site_counts()},
    )


def _street_map(threshold: int):
    labels = Labels(
        communities=_("Communities"),
        compounds=_("Compounds"),
        buildings=_("Buildings"),
        name=_("Name"),
        code=_("Code"),
        kind=_("Kind"),
        leader=_("Building leader"),
    )
    data = street_layers_at(threshold=threshold)
    layers = {
        k: tile_source(k) if isinstance(data[k], int) else data[k]
        for k in ("communities", "compounds", "buildings")
    }
    words = {
        "open_dashboard": _("Open its dashboard"),
        "leader": _("Building leader"),
        "no_leader": _("no building leader"),
    }
    return street_map(
        layers=layers,
        labels=labels,
        tiles=tiles(),
        static=static,
        centre=settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
        bounds=data["bounds"],
        words=words,
        grid_url=reverse("maps:grid", args=["CODE"]).replace("CODE", "{code}"),
    )


def cache_seconds() -> int:
    """How long a rendered dashboard map is kept at most (seconds); a change to what it shows
    replaces it at once (its key holds ``fingerprint``)."""
    return int(getattr(settings, "GRIDGOV_MAP_CACHE_SECONDS", 600))


def tile_threshold() -> int:
    """Layers with more features than this come as vector tiles, not inline GeoJSON."""
    return int(getattr(settings, "GRIDGOV_TILE_THRESHOLD", 2000))


def tile_source(layer: str) -> TileSource:
    """A tile layer in the format this server makes: .pbf on PostGIS, .geojson elsewhere;
    on a GCJ-02 background its tiles are asked for in that datum (``?crs=gcj02``)."""
    fmt = "pbf" if is_postgis() else "geojson"
    url = reverse("tiles:tile", kwargs={"layer": layer, "z": "0", "x": "0", "y": "0", "fmt": fmt})
    url = url.replace("/0/0/0.", "/{z}/{x}/{y}.")
    crs = tiles().crs
    if crs != "wgs84":
        url += f"?crs={crs}"
    return TileSource(layer=layer, url=url, format=fmt, min_zoom=LAYERS[layer].min_zoom)


def _settings_digest() -> str:
    """Settings baked into a rendered map (background tiles, static URLs)."""
    return hashlib.sha1(
        repr((tiles().resolved, settings.STATIC_URL)).encode(), usedforsecurity=False
    ).hexdigest()[:8]


@login_required
def grid_dashboard(request, code: str):
    """A grid's dashboard: coverage of its children, leaders, and the work lists behind.

    The map and the figures are cached under a key of everything they depend on: the grid,
    the figure, the language, whether the viewer may see full phone numbers (the only part
    that differs between viewers allowed to open the dashboard), which layers come as tiles,
    and the community's ``fingerprint`` (so any change shows at once). Open requests and
    routes are read on every request (their colours depend on the time) and handed to the
    cached map as the page's live data."""
    grid = (
        Grid.objects.filter(code=code)
        .select_related("parent__parent")
        .defer("geom", "parent__geom", "parent__parent__geom")
        .first()
    )
    if grid is None or not may_view(request.user, grid):
        raise Http404(_("No grid %(code)s in your area.") % {"code": code})
    metric = request.GET.get("metric", "leaders")
    if metric not in METRICS:
        metric = "leaders"
    threshold = tile_threshold()
    live = dashboard_live(grid, user=request.user)
    tiled = {"cases": len(live.cases) > threshold, "routes": len(live.route_list) > threshold}
    has = {"cases": bool(live.cases), "routes": bool(live.route_list)}
    phones = may_see_phones(request.user, grid)
    key = ":".join(
        [
            "gridgov:dashboard",
            grid.code,
            metric,
            get_language() or "",
            str(int(phones)),
            *(f"{k}{int(has[k])}{int(tiled[k])}" for k in ("cases", "routes")),
            str(threshold),
            "pbf" if is_postgis() else "geojson",
            _settings_digest(),
            fingerprint(grid),
        ]
    )
    cached = cache.get(key)
    if cached is None:
        cached = _render_dashboard(grid, request.user, metric, threshold, has=has, tiled=tiled)
        cache.set(key, cached, cache_seconds())
    data = Dashboard(grid=grid, **cached["data"])
    features = {}
    crs = tiles().crs  # drawn in the background's datum, as the cached map
    if has["cases"] and not tiled["cases"]:
        features["cases"] = to_display(points(live.cases, CASE_KEYS), crs)
    if has["routes"] and not tiled["routes"]:
        features["routes"] = to_display(route_features(live.routes), crs)
    features["covered"] = {"codes": live.coverage["covered"]}
    figures = FIGURE_LABELS()
    return render(
        request,
        "maps/grid.html",
        {
            "grid": grid,
            "data": data,
            "map": cached["map"],
            "lists": cached["lists"],
            "live": live_json(features),
            "metric": metric,
            "metrics": [(k, figures[k]) for k in METRICS],
            "legend": legend(metric),
            "figure": figures[metric],
            "open_cases": len(live.work),
            # 300 rows: joined here, ten times faster than a template loop
            "open_items": format_html_join(
                "",
                '<li><a href="{}"><span class="sla sla-{}"></span>{} {} <small>{} · {}</small>'
                "</a></li>",
                live.work,
            ),
            "overdue_routes": live.overdue,
            "routes": live.route_list,
            "coverage": {
                **live.coverage,
                "covered_n": len(live.coverage["covered"]),
                "percent": (
                    None if live.coverage["share"] is None else round(100 * live.coverage["share"])
                ),
            },
            "coverage_layer": cached.get("coverage_layer", False),
        },
    )


def _render_dashboard(
    grid: Grid, user, metric: str, threshold: int, *, has: dict[str, bool], tiled: dict[str, bool]
) -> dict:
    """What the cache keeps of a dashboard: its figures and its rendered map."""
    data = dashboard(grid, user=user)
    labels = DashboardLabels(
        children=_("Sub-grids") if grid.level < 3 else _("Building"),
        leaders_layer=_("Building leaders"),
        name=grid.name,
        figure=FIGURE_LABELS()[metric],
        open_dashboard=_("Open its dashboard"),
        leader=_("Building leader"),
        pledge=_("Pledge"),
        specialty=_("Specialty"),
        phone=_("Phone"),
        no_leader=_("no building leader"),
        routes_layer=_("Patrol routes"),
        cases_layer=_("Open requests"),
        days_since=_("days since last patrol"),
        never=_("never patrolled"),
        open_case=_("Open the request"),
        hours_old=_("hours old"),
        coverage_layer=_("Patrol coverage"),
        covered=_("covered by recent patrols"),
        not_covered=_("not covered by recent patrols"),
    )
    coverage = coverage_buildings(grid, threshold)
    leaders = tile_source("buildings") if len(data.leaders) > threshold else data.leaders
    m = dashboard_map(
        outline=data.outline,
        children=data.children,
        leaders=leaders,
        metric=metric,
        labels=labels,
        tiles=tiles(),
        static=static,
        child_url=lambda c: reverse("maps:grid", args=[c]) + f"?metric={metric}",
        routes=(
            (tile_source("routes") if tiled["routes"] else Live("routes"))
            if has["routes"]
            else None
        ),
        cases=(tile_source("cases") if tiled["cases"] else Live("cases")) if has["cases"] else None,
        grid_url=reverse("maps:grid", args=["CODE"]).replace("CODE", "{code}"),
        case_url=reverse("cases:detail", args=["NUMBER"]).replace("NUMBER", "{number}"),
        coverage=coverage,
    )
    fields = {f.name: getattr(data, f.name) for f in dataclasses.fields(data) if f.name != "grid"}
    lists = render_to_string("maps/_grid_lists.html", {"data": data})
    return {
        "data": fields,
        "map": embed(m),
        "lists": lists,
        "coverage_layer": bool(coverage and coverage["features"]),
    }


def coverage_buildings(grid: Grid, threshold: int) -> dict | None:
    """The buildings of the grid for the patrol-coverage layer (code, name; simplified for
    the dashboard's scale), or None above the tile threshold (the panel's figure stays)."""
    buildings = Grid.objects.within(grid).at_level(Level.BUILDING)
    if buildings.count() > threshold:
        return None
    scale = scale_for(Grid.objects.only("geom").get(pk=grid.pk).geom.extent)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": simplified(b.geom, scale),
                "properties": {"code": b.code, "name": b.name},
            }
            for b in buildings.only("id", "code", "name", "geom").order_by("code")
        ],
    }


def FIGURE_LABELS() -> dict[str, str]:
    return {
        "leaders": _("buildings with a leader (%)"),
        "members": _("members per 100 households"),
        "located": _("residents located (%)"),
    }
