"""Thin views: data from selectors, maps from maps.builders."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from gridgov.grids.selectors import community_summaries, site_counts, street_layers
from maps.builders import Labels, Tiles, embed, street_map


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
