"""Cases and patrol routes, GeoJSON, for signed-in users in their grid scope.

Cases come from cases_visible_to (the user's scope plus the cases they raised); the
requester's name, phone and address only as requester_seen_by allows. Patrol routes are
those of grids in the user's scope."""

from __future__ import annotations

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from gridgov.accounts import policy
from gridgov.api import params
from gridgov.api.keys import ApiKeyMixin
from gridgov.cases.models import Case, Status
from gridgov.cases.selectors import Requester, cases_visible_to, requester_seen_by
from gridgov.patrols.models import PatrolRoute
from gridgov.patrols.selectors import with_last_patrol


class CaseSerializer(GeoFeatureModelSerializer):
    category = serializers.CharField(source="category.code")
    community_code = serializers.CharField(source="community.code", default=None, allow_null=True)
    compound_code = serializers.CharField(source="compound.code", default=None, allow_null=True)
    building_code = serializers.CharField(source="building.code", default=None, allow_null=True)
    requester_name = serializers.SerializerMethodField()
    requester_phone = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()

    class Meta:
        model = Case
        geo_field = "location"
        id_field = "number"
        fields = (
            "number",
            "category",
            "channel",
            "title",
            "description",
            "status",
            "closure_reason",
            "escalated",
            "address",
            "created_at",
            "opened_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "community_code",
            "compound_code",
            "building_code",
            "requester_name",
            "requester_phone",
            "location",
        )

    def _requester(self, case) -> Requester:
        return requester_seen_by(self.context["request"].user, case)

    def get_requester_name(self, case) -> str | None:
        return self._requester(case).name

    def get_requester_phone(self, case) -> str | None:
        return self._requester(case).phone

    def get_address(self, case) -> str:
        return self._requester(case).address


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    category = django_filters.CharFilter(field_name="category__code")
    grid = django_filters.CharFilter(
        field_name="grid_code", lookup_expr="startswith", label="grid code: cases in its subtree"
    )
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Case
        fields = ("status", "category", "grid", "created_after", "created_before")


class CaseList(ApiKeyMixin, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CaseSerializer
    pagination_class = params.GeoPages
    filter_backends = [DjangoFilterBackend, params.StrictInBBoxFilter]
    filterset_class = CaseFilter
    bbox_filter_field = "location"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return (
            cases_visible_to(self.request.user)
            .select_related("community", "compound", "building")
            .order_by("-created_at", "-id")
        )


class PatrolRouteSerializer(GeoFeatureModelSerializer):
    grid_code = serializers.CharField(source="grid.code")
    last_patrolled = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = PatrolRoute
        geo_field = "route"
        id_field = False
        fields = ("id", "name", "grid_code", "schedule", "active", "last_patrolled", "route")


class PatrolRouteFilter(django_filters.FilterSet):
    grid = django_filters.CharFilter(
        field_name="grid__code", lookup_expr="startswith", label="grid code: routes of its subtree"
    )
    active = params.StrictBooleanFilter()

    class Meta:
        model = PatrolRoute
        fields = ("grid", "active")


class PatrolRouteList(ApiKeyMixin, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = PatrolRouteSerializer
    pagination_class = params.GeoPages
    filter_backends = [DjangoFilterBackend, params.StrictInBBoxFilter]
    filterset_class = PatrolRouteFilter
    bbox_filter_field = "route"
    bbox_filter_include_overlapping = True

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PatrolRoute.objects.none()
        qs = PatrolRoute.objects.filter(
            policy.scoped(self.request.user, policy.ANY_ROLE, "grid__code")
        )
        return with_last_patrol(qs.select_related("grid")).order_by("grid__code", "name")
