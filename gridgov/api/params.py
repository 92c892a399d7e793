"""Query parameters shared by the endpoints: coordinates, bbox, point, CRS; pagination.

Every parser raises a 400 naming its parameter; nothing reaches the database unchecked.
"""

from __future__ import annotations

import math

import django_filters
from django import forms
from django.contrib.gis.geos import Point, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework_gis.filters import InBBoxFilter
from rest_framework_gis.pagination import GeoJsonPagination

from geodata import crs as crsmod
from gridgov.api.errors import bad_parameter
from gridgov.api.schema import feature_collection_page

INPUT_CRS = crsmod.CRS_NAMES  # wgs84, cgcs2000, gcj02, bd09
MAX_PAGE_SIZE = 1000

# For the schema: what a well-formed value looks like (numbers in range).
_LON = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]+)?)"
_LAT = r"-?(?:90(?:\.0+)?|[0-8]?[0-9](?:\.[0-9]+)?)"
# An empty filter (bbox=) is no filter, as for every other filter.
BBOX_SCHEMA = {"type": "string", "pattern": f"^(?:{_LON},{_LAT},{_LON},{_LAT})?$"}
POINT_SCHEMA = {"type": "string", "pattern": f"^(?:{_LON},{_LAT})?$"}
DATE_OR_TIME_SCHEMA = {
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        {"type": "string", "maxLength": 0},
    ]
}


def parse_number(parameter: str, text: str | None) -> float:
    if text is None or str(text).strip() == "":
        raise bad_parameter(parameter, _("This parameter is required."))
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise bad_parameter(
            parameter, _("Expected a number, got %(value)s.") % {"value": repr(text)}
        ) from None
    if not math.isfinite(value):
        raise bad_parameter(
            parameter, _("Expected a finite number, got %(value)s.") % {"value": repr(text)}
        )
    return value


def check_lon(parameter: str, value: float) -> float:
    if not -180 <= value <= 180:
        raise bad_parameter(
            parameter, _("Longitude out of range (-180..180): %(value)s.") % {"value": value}
        )
    return value


def check_lat(parameter: str, value: float) -> float:
    if not -90 <= value <= 90:
        raise bad_parameter(
            parameter, _("Latitude out of range (-90..90): %(value)s.") % {"value": value}
        )
    return value


def parse_pair(parameter: str, text: str) -> tuple[float, float]:
    """``lon,lat`` -> (lon, lat), checked."""
    parts = text.split(",")
    if len(parts) != 2:
        raise bad_parameter(
            parameter, _("Expected lon,lat (two numbers), got %(value)s.") % {"value": repr(text)}
        )
    lon, lat = (parse_number(parameter, p) for p in parts)
    return check_lon(parameter, lon), check_lat(parameter, lat)


def parse_bbox(parameter: str, text: str) -> tuple[float, float, float, float]:
    """``minlon,minlat,maxlon,maxlat`` -> a checked tuple."""
    parts = text.split(",")
    if len(parts) != 4:
        raise bad_parameter(
            parameter,
            _("Expected minlon,minlat,maxlon,maxlat (four numbers), got %(value)s.")
            % {"value": repr(text)},
        )
    x0, y0, x1, y1 = (parse_number(parameter, p) for p in parts)
    for lon in (x0, x1):
        check_lon(parameter, lon)
    for lat in (y0, y1):
        check_lat(parameter, lat)
    if x0 > x1 or y0 > y1:
        raise bad_parameter(
            parameter, _("The minimum must not exceed the maximum: %(value)s.") % {"value": text}
        )
    return x0, y0, x1, y1


def parse_crs(parameter: str, text: str | None, allowed=INPUT_CRS, default="wgs84") -> str:
    """The CRS name; absent means ``default``, but an empty value is refused (``crs=`` is a
    mistake, not a choice)."""
    value = default if text is None else text
    if value not in allowed:
        raise bad_parameter(
            parameter,
            _("Unknown coordinate system %(value)s: expected one of %(allowed)s.")
            % {"value": repr(value), "allowed": ", ".join(allowed)},
        )
    return value


def to_wgs84_xy(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """WGS84 longitude, latitude from input coordinates in ``crs`` (geodata.crs)."""
    x, y = crsmod.to_wgs84([lon], [lat], crs)
    return float(x[0]), float(y[0])


def to_wgs84_point(lon: float, lat: float, crs: str) -> Point:
    """A WGS84 point from input coordinates in ``crs`` (geodata.crs does the maths)."""
    return Point(*to_wgs84_xy(lon, lat, crs), srid=4326)


class StrictInBBoxFilter(InBBoxFilter):
    """InBBoxFilter reading ``bbox=minlon,minlat,maxlon,maxlat``, refusing a malformed or
    out-of-range box with a 400 that names ``bbox`` (the stock filter accepts anything)."""

    bbox_param = "bbox"

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.bbox_param,
                "required": False,
                "in": "query",
                "description": "minlon,minlat,maxlon,maxlat (WGS84, min <= max)",
                "schema": {**BBOX_SCHEMA, "example": "113.10,23.00,113.11,23.01"},
            }
        ]

    def get_filter_bbox(self, request):
        text = request.query_params.get(self.bbox_param)
        if not text:
            return None
        box = Polygon.from_bbox(parse_bbox(self.bbox_param, text))
        box.srid = 4326
        return box


class _TrueOrFalse(forms.Field):
    """``true``/``false`` (also ``1``/``0``, any case); empty means "not filtered". Django's
    NullBooleanField reads anything else as "unknown", so a misspelt filter would silently
    return everything."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError(
            _("Expected true or false, not %(value)s.") % {"value": repr(str(value)[:40])},
            code="invalid",
        )


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A boolean filter that refuses anything but true/false with a 400 naming it."""

    field_class = _TrueOrFalse


def _whole(text: str) -> int | None:
    """ASCII digits only (``int()`` also takes other scripts' digits, spaces and ``_``)."""
    return int(text) if text.isascii() and text.isdigit() else None


class _PageChecks:
    """A malformed page or page size: 400 naming ``page`` / ``page_size``; a page past the
    end: 404 naming ``page``. The schema declares the bounds (page >= 1, page_size 1..1000)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "default": 1}
                parameter["description"] = "page number, from 1"
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
                parameter["description"] = "results per page"
        return parameters

    def get_page_size(self, request):
        text = request.query_params.get(self.page_size_query_param)
        if text is not None:
            size = _whole(text)
            if size is None or not 1 <= size <= self.max_page_size:
                raise bad_parameter(
                    self.page_size_query_param,
                    _("Expected a whole number from 1 to %(max)s.") % {"max": self.max_page_size},
                )
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        text = request.query_params.get(self.page_query_param)
        if text is not None and ((_whole(text) or 0) < 1):
            raise bad_parameter(
                self.page_query_param,
                _("Expected a whole number from 1, got %(value)s.") % {"value": repr(text)},
            )
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise bad_parameter(
                self.page_query_param,
                _("No such page: %(detail)s") % {"detail": exc.detail},
                code=404,
            ) from None


class GeoPages(_PageChecks, GeoJsonPagination):
    """GeoJSON FeatureCollection pages (count, next, previous, features)."""

    def get_paginated_response_schema(self, schema):
        # rest_framework_gis renames results to features but keeps "results" required, and
        # drf-spectacular hands over its "<Feature>List" component (a whole FeatureCollection,
        # gis contrib): the page's features are an array of the Feature component itself.
        ref = schema.get("$ref", "")
        if ref.endswith("List"):
            schema = {"type": "array", "items": {"$ref": ref[: -len("List")]}}
        return feature_collection_page(schema)


class Pages(_PageChecks, pagination.PageNumberPagination):
    """Plain JSON pages (count, next, previous, results)."""
