"""Members and residents.

Members: everyone (anonymous included) gets the public projection of the public members
(``Member.objects.public()``: current role holders, and confirmed members who chose to be a
public contact) located in a building — name, kind, specialty, pledge, the phone always
masked (a full number is shown only on the building-contact page), and the grid codes;
never the address or the home point, nothing of an unconfirmed or rejected registration.
Staff (roles holding ``policy.READ_MEMBERS``, or a superuser) get full records of the members
in the grids where they hold it, whatever their status, unless they ask ``view=public``; the
phone whole where they also hold ``policy.SEE_MEMBER_PHONES``.

Residents: personal data, only for roles that read residents, in their scope
(residents_visible_to); anyone else gets 403. Counts per building are public in the
``households`` export layer.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated

from gridgov.accounts import policy
from gridgov.accounts.services import access_record
from gridgov.api import params
from gridgov.api.errors import bad_parameter
from gridgov.api.keys import ApiKeyMixin
from gridgov.people.models import Member, Resident
from gridgov.people.selectors import residents_visible_to


class MemberPublicSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="masked_phone", read_only=True)
    community_code = serializers.CharField(source="community.code", default=None, allow_null=True)
    compound_code = serializers.CharField(source="compound.code", default=None, allow_null=True)
    building_code = serializers.CharField(source="building.code", default=None, allow_null=True)

    class Meta:
        model = Member
        fields = (
            "name",
            "kind",
            "specialty",
            "pledge",
            "phone",
            "community_code",
            "compound_code",
            "building_code",
        )


class MemberFullSerializer(MemberPublicSerializer):
    phone = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = (
            "id",
            "name",
            "gender",
            "kind",
            "is_formal",
            "specialty",
            "service_intent",
            "pledge",
            "phone",
            "phone_public",
            "address",
            "location",
            "report_status",
            "reported_on",
            "community_code",
            "compound_code",
            "building_code",
            "grid_code",
            "nearest_distance_m",
        )

    def get_phone(self, m) -> str:
        """Whole where the reader holds SEE_MEMBER_PHONES over the member's grid."""
        phones = self.context.get("phone_prefixes")
        return m.phone if policy.covers(phones, m.grid_code) else m.masked_phone

    def get_location(self, m) -> list[float] | None:
        return None if m.location is None else [round(m.location.x, 7), round(m.location.y, 7)]


class MemberRecordSerializer(MemberFullSerializer):
    """For the schema only: one member of the list, as anyone gets it (the public fields) or
    as staff get it in their scope (every field). See MemberRecordExtension."""


class MemberRecordExtension(OpenApiSerializerExtension):
    """The list answers public projections or full records: the schema lists every field and
    requires only the public ones, whose names and types both answers share."""

    target_class = MemberRecordSerializer

    def get_name(self, auto_schema, direction):
        return "Member"

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        public = [n for n in MemberPublicSerializer.Meta.fields if n in schema.get("required", [])]
        schema["required"] = public
        schema["description"] = (
            "A member. Everyone gets the public projection (name, "
            "kind, specialty, pledge, masked phone, grid codes); staff "
            "get every field for the members in their grid scope."
        )
        return schema


class MemberFilter(django_filters.FilterSet):
    grid = django_filters.CharFilter(
        field_name="grid_code",
        lookup_expr="startswith",
        label="grid code: members located in its subtree",
    )
    kind = django_filters.CharFilter(field_name="kind")

    class Meta:
        model = Member
        fields = ("grid", "kind")


@extend_schema(
    parameters=[
        OpenApiParameter(
            "view",
            str,
            enum=["public", "full"],
            description="staff: public projection of everyone "
            "instead of full records in their scope",
        )
    ]
)
class MemberList(ApiKeyMixin, generics.ListAPIView):
    permission_classes = [AllowAny]
    pagination_class = params.Pages
    filter_backends = [DjangoFilterBackend]
    filterset_class = MemberFilter
    serializer_class = MemberPublicSerializer

    def _full(self) -> bool:
        view = self.request.query_params.get("view", "full")
        if view not in ("public", "full"):
            raise bad_parameter("view", _("Expected public or full."))
        return view == "full" and policy.allows(self.request.user, policy.READ_MEMBERS)

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):
            return MemberRecordSerializer
        return MemberFullSerializer if self._full() else MemberPublicSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["phone_prefixes"] = policy.prefixes(self.request.user, policy.SEE_MEMBER_PHONES)
        return context

    def get_queryset(self):
        related = ("community", "compound", "building")
        if getattr(self, "swagger_fake_view", False) or not self._full():
            qs = Member.objects.public().filter(building__isnull=False)
        else:
            qs = Member.objects.filter(policy.scoped(self.request.user, policy.READ_MEMBERS))
        return qs.select_related(*related).order_by("grid_code", "name", "id")


class ResidentSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="household.address")
    room = serializers.CharField(source="household.room")
    grid_code = serializers.CharField(source="household.grid_code")
    building_code = serializers.CharField(
        source="household.building.code", default=None, allow_null=True
    )

    class Meta:
        model = Resident
        fields = (
            "id",
            "name",
            "gender",
            "birth_year",
            "phone",
            "is_head",
            "household",
            "address",
            "room",
            "grid_code",
            "building_code",
        )


class ResidentFilter(django_filters.FilterSet):
    grid = django_filters.CharFilter(
        field_name="household__grid_code",
        lookup_expr="startswith",
        label="grid code: residents in its subtree",
    )

    class Meta:
        model = Resident
        fields = ("grid",)


class ResidentList(ApiKeyMixin, generics.ListAPIView):
    """Residents in the caller's scope; only roles that read residents (others: 403)."""

    permission_classes = [IsAuthenticated]
    pagination_class = params.Pages
    filter_backends = [DjangoFilterBackend]
    filterset_class = ResidentFilter
    serializer_class = ResidentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Resident.objects.none()
        if not policy.allows(self.request.user, policy.READ_RESIDENTS):
            raise PermissionDenied(
                _(
                    "Residents are personal data: only staff who may read "
                    "residents see them, in their own grids. Counts per "
                    "building are in /api/v1/export/households.geojson."
                )
            )
        return (
            residents_visible_to(self.request.user)
            .select_related("household__building")
            .order_by("household_id", "id")
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            access_record(
                actor=request.user,
                action="personal.list",
                model=Resident,
                what="api " + (request.META.get("QUERY_STRING") or "all"),
            )
        return response
