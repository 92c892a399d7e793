"""The admin's map widget: django-leaflet's editor on the base map drawn from the grid.

django-leaflet's widget draws only the configured background (LEAFLET_CONFIG: with
``GRIDGOV_TILES=none`` no tile layer at all, so nothing is asked of another server) and the
edited geometry. ``GridMapAdminMixin`` puts under it what an editor needs to recognise the
place, read-only: the base map (communities, compounds and buildings with their names, from
the site's GeoJSON tiles: static/js/gridgov-base.js, ``GridGov.editorMap``) and the object's
parent grid outlined; and opens the map at the object (its extent), or for a new object at
the user's grid (the grids where they hold the admin's capability), never at the world.

Used instead of ``leaflet.admin.LeafletGeoAdmin`` / ``LeafletGeoAdminMixin`` by every admin
with a geometry field. The widget's template is templates/admin/gridgov/map_widget.html.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.contrib import admin
from django.contrib.gis.db.models import Extent
from django.db.models import Q
from django.forms import Media
from django.forms.renderers import TemplatesSetting
from leaflet.admin import LeafletAdminWidget, LeafletGeoAdminMixin

from gridgov.accounts import policy
from gridgov.grids.models import Grid, Level
from gridgov.grids.selectors import scale_for, simplified

# Where an object's parent grid is found, tried in order: a grid's parent, the grid a route,
# a station (its community), a patrol or a finding belongs to.
PARENT_PATHS = ("parent", "grid", "community", "route.grid", "patrol.route.grid")


class GridMapWidget(LeafletAdminWidget):
    """django-leaflet's admin widget, with the base map's scripts and the page's map data
    (``attrs["gridgov_map"]``, set per request by ``GridMapAdminMixin``)."""

    @property
    def media(self) -> Media:
        return super().media + Media(
            js=["js/gridgov-layers.js", "js/gridgov-base.js"],
            css={"screen": ["css/gridgov-base.css", "css/admin-map.css"]},
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["gridgov_map"] = self.attrs.get("gridgov_map") or {}
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine: the widget's template is in templates/admin/ (the
        # default form renderer looks only in the apps' template folders).
        return super().render(name, value, attrs, renderer=TemplatesSetting())


def parent_grid(obj: Any) -> Grid | None:
    """The grid the object lies in or belongs to (``PARENT_PATHS``; for a located row, the
    grid of its ``grid_code``), or None."""
    if obj is None:
        return None
    for path in PARENT_PATHS:
        found: Any = obj
        for part in path.split("."):
            found = getattr(found, part, None)
            if found is None:
                break
        if isinstance(found, Grid):
            return found
    code = getattr(obj, "grid_code", "")
    return Grid.objects.filter(code=code).first() if code else None


def _bounds(extent: tuple[float, float, float, float] | None) -> list[list[float]] | None:
    if not extent or extent[0] is None:
        return None
    w, s, e, n = extent
    return [[s, w], [n, e]]


def home_bounds(user: Any, capability: str) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the grids where ``user`` holds ``capability`` (their
    assignments' grids; everywhere: every community), or None when there are none."""
    if not capability:
        return None
    prefixes = policy.prefixes(user, capability)
    if prefixes is None:
        qs = Grid.objects.filter(level=Level.COMMUNITY)
    elif not prefixes:
        return None
    else:
        qs = Grid.objects.filter(code__in=prefixes)
        if not qs.exists():  # a street admin's scope is a street's code, not a grid's
            qs = Grid.objects.filter(reduce(or_, (Q(code__startswith=p) for p in prefixes)))
            qs = qs.filter(level=Level.COMMUNITY)
    return _bounds(qs.aggregate(extent=Extent("geom"))["extent"])


def map_data(request: Any, obj: Any, capability: str) -> dict[str, Any]:
    """What the widget's script draws besides the object: its parent grid (name, code,
    geometry simplified for the scale it is seen at) and the user's grid to open at."""
    data: dict[str, Any] = {"parent": None, "home": None}
    parent = parent_grid(obj)
    if parent is not None:
        geom = Grid.objects.only("geom").get(pk=parent.pk).geom
        data["parent"] = {
            "name": parent.name,
            "code": parent.code,
            "geometry": simplified(geom, scale_for(geom.extent)),
        }
    if obj is None or getattr(obj, "pk", None) is None:
        data["home"] = home_bounds(request.user, capability)
    return data


class GridMapAdminMixin(LeafletGeoAdminMixin):
    """An admin (or inline) whose geometry fields are edited on the base map, opened at the
    object or at the user's grid."""

    widget = GridMapWidget
    map_template = "admin/gridgov/map_widget.html"

    # The map's data depends on the object, which formfield_for_dbfield is not told: it is
    # worked out in get_form / get_formset and handed over on the request (a form class may
    # be subclassed afterwards, e.g. by ScopedAdminMixin, which makes its fields anew).
    def _remember_map_data(self, request, obj) -> None:
        if request is None:
            return
        key = (type(obj).__name__, getattr(obj, "pk", None))
        if getattr(request, "gridgov_map_key", None) != key:  # get_form runs several times
            request.gridgov_map = map_data(request, obj, getattr(self, "capability", ""))
            request.gridgov_map_key = key

    def formfield_for_dbfield(self, db_field, request=None, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, GridMapWidget):
            field.widget.attrs["gridgov_map"] = getattr(request, "gridgov_map", None) or {}
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        self._remember_map_data(request, obj)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        self._remember_map_data(request, obj)
        return super().get_formset(request, obj, **kwargs)


class GridMapAdmin(GridMapAdminMixin, admin.ModelAdmin):
    """``leaflet.admin.LeafletGeoAdmin`` on the base map."""
