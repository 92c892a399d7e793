"""Grids (GeoJSON), point lookup and streamed exports. All public: grids are not personal
data, the lookup answers with a building leader's public contact only, and the exports carry
the public projection (gridgov.grids.exporting decides which fields)."""

from __future__ import annotations

import json
from collections.abc import Iterator

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

from geodata import export as gexport
from gridgov.api import params
from gridgov.api.errors import bad_parameter
from gridgov.api.keys import ApiKeyMixin
from gridgov.api.locating import GridRef, locate_index
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
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)
    community_code = serializers.SerializerMethodField()
    compound_code = serializers.SerializerMethodField()
    building_code = serializers.SerializerMethodField()

    class Meta:
        model = Grid
        geo_field = "geom"
        id_field = False
        fields = ("code", "name", "level", "kind", "parent_code", "community_code",
                  "compound_code", "building_code", "geom")

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
    code_prefix = django_filters.CharFilter(field_name="code", lookup_expr="startswith",
                                            label="grid code prefix (a subtree)")
    point = PointFilter(field_name="point", label="lon,lat: grids covering this point")

    class Meta:
        model = Grid
        fields = ("level", "parent", "code", "code_prefix", "point")


@extend_schema(parameters=[OpenApiParameter(
    "bbox", OpenApiTypes.STR, description="minlon,minlat,maxlon,maxlat (WGS84): grids "
    "whose bounding box overlaps it")])
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

def _ref(grid: GridRef | None) -> dict | None:
    return None if grid is None else {"code": grid.code, "name": grid.name}


class LocateView(ApiKeyMixin, APIView):
    """Which community, compound and building a point lies in, with the building's public
    contact; 404 with the nearest building when the point is in no community (public)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("crs", OpenApiTypes.STR, enum=list(params.INPUT_CRS),
                             description="coordinate system of lon/lat (default wgs84)"),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        q = request.query_params
        lon = params.check_lon("lon", params.parse_number("lon", q.get("lon")))
        lat = params.check_lat("lat", params.parse_number("lat", q.get("lat")))
        crs = params.parse_crs("crs", q.get("crs"))
        x, y = params.to_wgs84_xy(lon, lat, crs)
        # The process's grid index (gridgov/api/locating.py): no query per lookup.
        index = locate_index()
        found = index.locate(x, y)
        body = {
            "lon": round(x, 7), "lat": round(y, 7), "crs": crs,
            "in_area": found.community is not None,
            "community": _ref(found.community),
            "compound": _ref(found.compound),
            "building": _ref(found.building),
            "contact": index.contacts.get(found.building.id) if found.building else None,
        }
        near = found.nearest
        if near is not None:
            body["nearest_building"] = {**_ref(near),
                                        "community_code": index.codes(near)["community_code"],
                                        "distance_m": round(found.nearest_m, 1)}
            body["nearest_community"] = _ref(index.parent(index.parent(near)))
        if body["in_area"]:
            return Response(body)
        body["detail"] = _("Not in our area: this point lies outside every community grid.")
        body["parameter"] = "lon"
        return Response(body, status=status.HTTP_404_NOT_FOUND)


# --- exports ------------------------------------------------------------------------------

def _feature_collection(features: Iterator[dict], crs: str) -> Iterator[str]:
    """The FeatureCollection text around exporting.export_features, a chunk at a time."""
    head = '{"type":"FeatureCollection"'
    member = gexport.crs_member(crs)
    if member is not None:
        head += f',"{gexport.CRS_MEMBER}":' + json.dumps(member, ensure_ascii=False)
    yield head + ',"features":['
    parts: list[str] = []
    for n, feature in enumerate(features):
        parts.append(("\n" if n == 0 else ",\n")
                     + json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
        if len(parts) >= 500:
            yield "".join(parts)
            parts = []
    parts.append("\n]}\n")
    yield "".join(parts)


class ExportView(ApiKeyMixin, APIView):
    """A layer as GeoJSON, streamed through gridgov.grids.exporting (the export command's
    code path): every feature with community_code, compound_code, building_code (public)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("layer", OpenApiTypes.STR, OpenApiParameter.PATH,
                             enum=list(exporting.LAYERS)),
            OpenApiParameter("grid", OpenApiTypes.STR, description="a grid code: only its "
                             "subtree"),
            OpenApiParameter("crs", OpenApiTypes.STR, enum=list(exporting.CRS_CHOICES)),
        ],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT,
                   400: OpenApiTypes.OBJECT},
    )
    def get(self, request, layer: str):
        grid_code = request.query_params.get("grid") or None
        crs = request.query_params.get("crs") or "wgs84"
        # One check per parameter, so the error names the one at fault.
        for parameter, kwargs in (("layer", {}), ("crs", {"crs": crs}),
                                  ("grid", {"crs": crs, "grid_code": grid_code})):
            try:
                exporting.check_request(layer, **kwargs)
            except exporting.ExportRequestError as exc:
                raise bad_parameter(parameter, str(exc)) from None
        features = exporting.export_features(layer, grid_code=grid_code, crs=crs)
        response = StreamingHttpResponse(
            (chunk.encode() for chunk in _feature_collection(features, crs)),
            content_type="application/geo+json",
        )
        suffix = f"-{grid_code}" if grid_code else ""
        response["Content-Disposition"] = f'inline; filename="{layer}{suffix}-{crs}.geojson"'
        return response

