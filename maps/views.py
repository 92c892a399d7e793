"""Thin views: data from selectors, maps from maps.builders."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.cases.selectors import open_cases
from gridgov.grids.dashboard import METRICS, dashboard, may_view
from gridgov.grids.models import Grid
from gridgov.grids.selectors import community_summaries, site_counts, street_layers
from gridgov.patrols.selectors import routes_geojson
from maps.builders import Labels, Tiles, embed, street_map
from maps.dashboard import DashboardLabels, dashboard_map, legend


def tiles() -> Tiles:
    return Tiles(source=settings.GRIDGOV_TILES, attribution=settings.GRIDGOV_TILES_ATTRIBUTION)


def home(request):
    return render(request, "home.html", {"counts": site_counts()})


def street_map_page(request):
    labels = Labels(
        communities=_("Communities"),
        compounds=_("Compounds"),
        buildings=_("Buildings"),
        name=_("Name"),
        code=_("Code"),
        kind=_("Kind"),
        leader=_("Building leader"),
    )
    m = street_map(layers=street_layers(), labels=labels, tiles=tiles(), static=static,
                   centre=settings.LEAFLET_CONFIG["DEFAULT_CENTER"])
    return render(
        request,
        "maps/street.html",
        {"map": embed(m), "communities": community_summaries(), "counts": site_counts()},
    )


@login_required
def grid_dashboard(request, code: str):
    """A grid's dashboard: coverage of its children, leaders, and the work lists behind."""
    grid = Grid.objects.filter(code=code).select_related("parent__parent").first()
    if grid is None or not may_view(request.user, grid):
        raise Http404(_("No grid %(code)s in your area.") % {"code": code})
    metric = request.GET.get("metric", "leaders")
    if metric not in METRICS:
        metric = "leaders"
    data = dashboard(grid, user=request.user)
    routes = routes_geojson(grid, crossing=grid.level == 3)
    overdue = [f["properties"] for f in routes["features"] if f["properties"]["overdue"]]
    open_rows = open_cases(user=request.user, prefix=grid.code)
    case_points = [
        {"lat": r.case.location.y, "lon": r.case.location.x, "number": r.case.number,
         "title": r.case.title, "status": r.case.get_status_display(),
         "age_hours": r.age_hours, "sla": r.worst,
         "url": reverse("cases:detail", args=[r.case.number])}
        for r in open_rows if r.case.location is not None
    ]
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
    )
    m = dashboard_map(
        outline=data.outline, children=data.children, leaders=data.leaders, metric=metric,
        labels=labels, tiles=tiles(), static=static,
        child_url=lambda c: reverse("maps:grid", args=[c]) + f"?metric={metric}",
        routes=routes, cases=case_points,
    )
    figures = FIGURE_LABELS()
    return render(request, "maps/grid.html", {
        "grid": grid,
        "data": data,
        "map": embed(m),
        "metric": metric,
        "metrics": [(key, figures[key]) for key in METRICS],
        "legend": legend(metric),
        "figure": figures[metric],
        "open_cases": open_rows,
        "overdue_routes": overdue,
        "routes": [f["properties"] for f in routes["features"]],
    })


def FIGURE_LABELS() -> dict[str, str]:  # noqa: N802 - a table, translated per request
    return {
        "leaders": _("buildings with a leader (%)"),
        "members": _("members per 100 households"),
        "located": _("residents located (%)"),
    }
