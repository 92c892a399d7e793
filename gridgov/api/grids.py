"""Grids (GeoJSON), point lookup and streamed exports. All public: grids are not personal
data, the lookup answers with a building leader's public contact only, and the exports carry
the public projection (gridgov.grids.exporting decides which fields)."""

from __future__ import annotations

import math

import django_filters
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from gridgov.api import params
from gridgov.api.errors import bad_parameter
from gridgov.api.keys import ApiKeyMixin, ApiKeyRateThrottle, PublicLookupThrottle
from gridgov.api.locate_index import GridRef, locate_index
from gridgov.grids import exporting
from gridgov.grids.models import Grid, Level


def grid_codes(grid: Grid) -> dict[str, str | None]:
    """community_code, compound_code, building_code of a grid (parent chain preloaded)."""
    chain = [grid, grid.parent, grid.parent.parent if grid.parent else None]
    codes = {1: None, 2: None, 3: None}
    for g in chain:
        if g is not None:
            codes[g.level] = g.code
    return {"community_code": codes[1], "compound_code": codes[2], "building_code": codes[3]}


class GridSerializer(GeoFeatureModelSerializer):
    parent_code = serializers.CharField(
        source="parent.code", default=None, read_only=True, allow_null=True
    )
    community_code = serializers.SerializerMethodField()
    compound_code = serializers.SerializerMethodField()
    building_code = serializers.SerializerMethodField()

    class Meta:
        model = Grid
        geo_field = "geom"
        id_field = False
        fields = (
            "code",
            "name",
            "level",
            "kind",
            "parent_code",
            "community_code",
            "compound_code",
            "building_code",
            "geom",
        )

    def get_community_code(self, grid) -> str | None:
        return grid_codes(grid)["community_code"]

    def get_compound_code(self, grid) -> str | None:
        return grid_codes(grid)["compound_code"]

    def get_building_code(self, grid) -> str | None:
        return grid_codes(grid)["building_code"]

    def get_fields(self):
        fields = super().get_fields()
        fields["geom"].precision = 7  # RFC 7946: no more than 7 decimals
        return fields


class PointFilter(django_filters.CharFilter):
    """``point=lon,lat``: grids covering the point (edges included)."""

    def filter(self, qs, value):
        if not value:
            return qs
        lon, lat = params.parse_pair(self.field_name, value)
        return qs.containing(params.to_wgs84_point(lon, lat, "wgs84"))


class GridFilter(django_filters.FilterSet):
    level = django_filters.TypedChoiceFilter(choices=Level.choices, coerce=int)
    parent = django_filters.CharFilter(field_name="parent__code", label="parent grid code")
    code = django_filters.CharFilter(field_name="code", label="exact grid code")
    code_prefix = django_filters.CharFilter(
        field_name="code", lookup_expr="startswith", label="grid code prefix (a subtree)"
    )
    point = PointFilter(field_name="point", label="lon,lat: grids covering this point")

    class Meta:
        model = Grid
        fields = ("level", "parent", "code", "code_prefix", "point")


@extend_schema(
    parameters=[
        OpenApiParameter(
            "bbox",
            params.BBOX_SCHEMA,
            description="minlon,minlat,maxlon,maxlat (WGS84): grids whose bounding box overlaps it",
        ),
        OpenApiParameter(
            "point", params.POINT_SCHEMA, description="lon,lat (WGS84): grids covering this point"
        ),
    ]
)
class GridList(ApiKeyMixin, generics.ListAPIView):
    """The grids as a GeoJSON FeatureCollection, paged (public)."""

    permission_classes = [AllowAny]
    serializer_class = GridSerializer
    pagination_class = params.GeoPages
    filter_backends = [DjangoFilterBackend, params.StrictInBBoxFilter]
    filterset_class = GridFilter
    bbox_filter_field = "geom"
    bbox_filter_include_overlapping = True
    queryset = Grid.objects.select_related("parent__parent").order_by("code")


# --- point lookup -------------------------------------------------------------------------


def _grid_ref_schema(description: str) -> dict:
    return {
        "type": "object",
        "nullable": True,
        "description": description,
        "required": ["code", "name"],
        "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
    }


_NEAREST_BUILDING = {
    "type": "object",
    "description": "the nearest building (when the point is in none)",
    "required": ["code", "name", "community_code", "distance_m"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "community_code": {"type": "string", "nullable": True},
        "distance_m": {"type": "number", "minimum": 0},
    },
}
_LOCATE_PROPERTIES = {
    "lon": {"type": "number", "description": "WGS84 longitude (7 decimals)"},
    "lat": {"type": "number", "description": "WGS84 latitude (7 decimals)"},
    "crs": {"type": "string", "enum": list(params.INPUT_CRS)},
    "in_area": {"type": "boolean"},
    "community": _grid_ref_schema("the community"),
    "compound": _grid_ref_schema("the compound branch"),
    "building": _grid_ref_schema("the building"),
    "contact": {
        "type": "object",
        "nullable": True,
        "description": "the building's current building leader, public projection",
        "properties": {
            "role": {"type": "string"},
            "name": {"type": "string"},
            "pledge": {"type": "string"},
            "specialty": {"type": "string"},
            "phone": {"type": "string", "nullable": True},
        },
    },
    "nearest_building": _NEAREST_BUILDING,
    "nearest_community": _grid_ref_schema("the nearest building's community"),
}
LOCATE_ANSWER = {
    "type": "object",
    "required": ["lon", "lat", "crs", "in_area", "community", "compound", "building", "contact"],
    "properties": _LOCATE_PROPERTIES,
}
LOCATE_MISS = {
    "type": "object",
    "description": "outside every community: the nearest building and community, in_area false",
    "required": ["detail", "parameter", "in_area"],
    "properties": {
        **_LOCATE_PROPERTIES,
        "detail": {"type": "string"},
        "parameter": {"type": "string", "nullable": True},
    },
}


def _ref(grid: GridRef | None) -> dict | None:
    return None if grid is None else {"code": grid.code, "name": grid.name}


class LocateView(ApiKeyMixin, APIView):
    """Which community, compound and building a point lies in, with the building's public
    contact; 404 with the nearest building when the point is in no community (public).
    Without an API key, the finder page's lookup limit applies (one budget with it)."""

    permission_classes = [AllowAny]
    throttle_classes = [ApiKeyRateThrottle, PublicLookupThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "lon",
                {"type": "number", "minimum": -180, "maximum": 180},
                required=True,
                description="longitude, -180..180",
            ),
            OpenApiParameter(
                "lat",
                {"type": "number", "minimum": -90, "maximum": 90},
                required=True,
                description="latitude, -90..90",
            ),
            OpenApiParameter(
                "crs",
                OpenApiTypes.STR,
                enum=list(params.INPUT_CRS),
                description="coordinate system of lon/lat (default wgs84; crs= empty is a 400)",
            ),
        ],
        responses={200: LOCATE_ANSWER, 404: LOCATE_MISS},
    )
    def get(self, request):
        q = request.query_params
        lon = params.check_lon("lon", params.parse_number("lon", q.get("lon")))
        lat = params.check_lat("lat", params.parse_number("lat", q.get("lat")))
        crs = params.parse_crs("crs", q.get("crs"))
        x, y = params.to_wgs84_xy(lon, lat, crs)
        # Near the poles or the antimeridian a GCJ-02/BD-09 point can convert to one outside
        # WGS84's range (bd09 -180,-90 does): refused here, before any geometry sees it.
        if not (math.isfinite(x) and -180 <= x <= 180):
            raise bad_parameter(
                "lon",
                _("In %(crs)s this point converts to longitude %(value)s, outside -180..180.")
                % {"crs": crs, "value": x},
            )
        if not (math.isfinite(y) and -90 <= y <= 90):
            raise bad_parameter(
                "lat",
                _("In %(crs)s this point converts to latitude %(value)s, outside -90..90.")
                % {"crs": crs, "value": y},
            )
        # The process's grid index (gridgov/api/locate_index.py): no query per lookup.
        index = locate_index()
        found = index.locate(x, y)
        body = {
            "lon": round(x, 7),
            "lat": round(y, 7),
            "crs": crs,
            "in_area": found.community is not None,
            "community": _ref(found.community),
            "compound": _ref(found.compound),
            "building": _ref(found.building),
            "contact": index.contacts.get(found.building.id) if found.building else None,
        }
        near = found.nearest
        if near is not None:
            body["nearest_building"] = {
                **_ref(near),
                "community_code": index.codes(near)["community_code"],
                "distance_m": round(found.nearest_m, 1),
            }
            body["nearest_community"] = _ref(index.parent(index.parent(near)))
        if body["in_area"]:
            return Response(body)
        body["detail"] = _("Not in our area: this point lies outside every community grid.")
        body["parameter"] = "lon"
        return Response(body, status=status.HTTP_404_NOT_FOUND)


# --- exports ------------------------------------------------------------------------------

EXPORT_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "description": "an RFC 7946 FeatureCollection, streamed; every feature's properties "
    "carry community_code, compound_code, building_code",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "gridgov:crs": {"type": "object", "description": "only for crs=cgcs2000 or gcj02"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "geometry": {"type": "object", "nullable": True},
                    "properties": {"type": "object"},
                },
            },
        },
    },
}


class ExportView(ApiKeyMixin, APIView):
    """A layer as GeoJSON, streamed through gridgov.grids.exporting (the export command's
    code path): every feature with community_code, compound_code, building_code (public)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "layer", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(exporting.LAYERS)
            ),
            OpenApiParameter(
                "grid",
                OpenApiTypes.STR,
                description="a grid code: only its subtree (404 when no grid has it)",
            ),
            OpenApiParameter(
                "crs",
                OpenApiTypes.STR,
                enum=list(exporting.CRS_CHOICES),
                description="wgs84 (default, RFC 7946), cgcs2000 or gcj02 (then "
                "a gridgov:crs member says so); crs= (empty) is a 400",
            ),
        ],
        responses={(200, "application/geo+json"): EXPORT_COLLECTION},
    )
    def get(self, request, layer: str):
        grid_code = request.query_params.get("grid") or None
        # An absent crs is WGS84; an empty one (crs=) is refused, as any unknown name.
        crs = request.query_params.get("crs", "wgs84")
        # One check per parameter, so the error names the one at fault. A grid code no grid
        # has is a resource that does not exist: 404 (any text may be a code).
        for parameter, kwargs, code in (
            ("layer", {}, 400),
            ("crs", {"crs": crs}, 400),
            ("grid", {"crs": crs, "grid_code": grid_code}, 404),
        ):
            try:
                exporting.check_request(layer, **kwargs)
            except exporting.ExportRequestError as exc:
                raise bad_parameter(parameter, str(exc), code=code) from None
        chunks = exporting.geojson_chunks(layer, grid_code=grid_code, crs=crs)
        response = StreamingHttpResponse(
            (chunk.encode() for chunk in chunks),
            content_type="application/geo+json",
        )
        suffix = f"-{grid_code}" if grid_code else ""
        response["Content-Disposition"] = f'inline; filename="{layer}{suffix}-{crs}.geojson"'
        return response
