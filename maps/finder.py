"""The public "find my building leader" page (找我的楼长): thin view, rate limit, small map.

Mounted at ``/find/`` (gridgov/urls.py). No login. One building per lookup, lookups counted
per client address in the shared rate-limit cache, one budget with /api/v1/locate/
(gridgov.ratelimits; see docs/FINDER.md).
"""

from __future__ import annotations

import html

import folium
from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse

from gridgov.grids.models import Grid, Level
from gridgov.grids.selectors import grids_geojson
from gridgov.people.contacts import (
    ACCEPTED_CRS,
    Outcome,
    building_by_code,
    match_address,
    match_point,
    parse_point,
)
from gridgov.ratelimits.limits import allow_lookup, lookup_limits
from maps.builders import (
    COMMUNITY_COLOUR,
    COMPOUND_COLOUR,
    LED_COLOUR,
    Tiles,
    bounds_of,
    embed,
    escaped,
    offline_map,
)
from maps.display import point_to_display, to_display

MAX_QUERY = 120  # characters of a typed address that are read


def finder_map(
    *,
    outlines: dict,
    compounds: dict,
    highlight: dict | None,
    point: tuple[float, float] | None,
    tiles: Tiles,
    centre: tuple[float, float],
    stations: list[tuple[float, float, str]] | None = None,
) -> folium.Map:
    """The area to tap, on the base map drawn from the grid (communities, compounds and
    buildings with their names: maps/basemap.py), fitted to the communities' ``outlines``;
    after a hit the found building filled in, its compound outlined, the tapped point
    marked, the community's service stations (lon, lat, name) as red dots.
    Pure: GeoJSON in, map out; names are HTML-escaped."""
    focus = highlight if highlight and highlight["features"] else outlines
    m = offline_map(bounds=bounds_of(focus), tiles=tiles, static=static, centre=centre)
    crs = tiles.crs  # drawn in the background's datum; the page shifts taps back
    compounds = to_display(compounds, crs)
    highlight = to_display(highlight, crs) if highlight else highlight
    if point is not None:
        point = point_to_display(point[0], point[1], crs)
    stations = [(*point_to_display(lon, lat, crs), name) for lon, lat, name in stations or []]
    if focus is highlight:
        m.options["maxZoom"] = 19
    if compounds["features"]:
        folium.GeoJson(
            escaped(compounds),
            name="compounds",
            style_function=lambda f: {"color": COMPOUND_COLOUR, "weight": 1.5, "fillOpacity": 0.04},
            tooltip=folium.GeoJsonTooltip(["name"], labels=False),
        ).add_to(m)
    if highlight and highlight["features"]:
        folium.GeoJson(
            escaped(highlight),
            name="building",
            interactive=False,
            style_function=lambda f: {"color": LED_COLOUR, "weight": 3, "fillOpacity": 0.45},
        ).add_to(m)
    if point is not None:
        folium.CircleMarker(
            location=[point[1], point[0]],
            radius=7,
            color="#212121",
            fill=True,
            fill_opacity=0.9,
            interactive=False,
        ).add_to(m)
    for lon, lat, name in stations or []:
        folium.CircleMarker(
            location=[lat, lon],
            radius=9,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=COMMUNITY_COLOUR,
            fill_opacity=1,
            class_name="finder-station-dot",
            tooltip=html.escape(name),
        ).add_to(m)
    return m


def _map_for(outcome: Outcome | None):
    highlight = None
    compounds = {"type": "FeatureCollection", "features": []}
    stations = []
    if outcome is not None and outcome.card is not None:
        stations = [(*s.point, s.name) for s in outcome.card.stations if s.point]
        building = Grid.objects.filter(code=outcome.card.code)
        highlight = grids_geojson(building)
        compounds = grids_geojson(
            Grid.objects.filter(level=Level.COMPOUND, code=outcome.card.compound_code)
        )
    m = finder_map(
        outlines=grids_geojson(Grid.objects.filter(level=Level.COMMUNITY)),
        compounds=compounds,
        highlight=highlight,
        point=outcome.point if outcome is not None else None,
        tiles=Tiles.configured(),
        centre=settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
        stations=stations,
    )
    return embed(m)


def finder_page(request):
    """找我的楼长: ?q= an address, ?building= a code from a choice list, or ?lon=&lat=
    (&crs=gcj02) from a map tap or the phone's location."""
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    code = request.GET.get("building", "").strip()[:40]
    lon, lat = request.GET.get("lon", ""), request.GET.get("lat", "")
    crs = request.GET.get("crs", "wgs84")
    asked = bool(q or code or lon or lat)
    if asked and not allow_lookup(request):
        response = render(
            request,
            "maps/finder.html",
            {"limited": True, "limit": lookup_limits()[0], "q": q},
            status=429,
        )
        response["Retry-After"] = str(lookup_limits()[1])
        return response
    outcome: Outcome | None = None
    if code:
        outcome = building_by_code(code)
    elif lon or lat:
        point = parse_point(lon, lat, crs)
        outcome = match_point(*point) if point else Outcome("invalid")
    elif q:
        outcome = match_address(q)
    return render(
        request,
        "maps/finder.html",
        {
            "q": q,
            "outcome": outcome,
            "gcj02": crs == "gcj02",
            "crs_names": ACCEPTED_CRS,
            "map": _map_for(outcome),
            "request_url": reverse("cases:list"),
        },
    )


app_name = "finder"
urlpatterns = [path("", finder_page, name="find")]
