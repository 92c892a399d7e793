"""The base map for pages that draw their own Leaflet map (the registration map, the patrol
map, the admin's map widgets): ``{% load basemap %}``, then

- ``{% basemap_css %}`` in the head: its style sheet;
- ``{% basemap_js %}`` after Leaflet's script: its scripts;
- ``{% basemap_spec as base %}{{ base|json_script:"some-id" }}``: what the page's script
  hands ``GridGov.base(map, spec)`` (``crs="wgs84"`` to ask for it in WGS84 whatever the
  background's datum).

See maps/basemap.py and docs/MAPS.md, "The base map"."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join

from maps.basemap import base_assets, base_spec

register = template.Library()


@register.simple_tag
def basemap_spec(crs: str = "") -> dict:
    return base_spec(crs=crs or None)


@register.simple_tag
def basemap_js() -> str:
    scripts, _css = base_assets(static)
    return format_html_join("\n", '<script src="{}"></script>', ((url,) for _n, url in scripts))


@register.simple_tag
def basemap_css() -> str:
    _scripts, css = base_assets(static)
    return format_html('<link rel="stylesheet" href="{}">', css[0][1])
