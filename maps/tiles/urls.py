"""Mounted at /tiles/ (no language prefix): see maps/tiles/views.py and docs/MAPS.md."""

from django.urls import re_path

from maps.tiles import views as tile_views

app_name = "tiles"
urlpatterns = [
    # Every part captured as text: a bad z/x/y or format is refused as JSON by the view, not
    # as an HTML page by the resolver; so is any other path under /tiles/.
    re_path(
        r"^(?P<layer>[^/]+)/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/]+)\.(?P<fmt>[^/.]*)$",
        tile_views.tile,
        name="tile",
    ),
    re_path(r"^", tile_views.no_tile),
]
