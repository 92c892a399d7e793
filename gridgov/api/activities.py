"""Service activities (gridgov.service Activity) as GeoJSON points at their place.

Who: a signed-in account, or an API key with the read scope (KeyScope); anonymous callers
get 403, as for cases and patrol routes. Activities are public notices to every signed-in
user (gridgov.service.selectors.activities), so every caller sees all of them with the same
fields and a key's ``scope_code`` does not narrow them (it narrows Open311 case reads only).

What: the public notice only — title, time, place (point, address, grid codes), category,
capacity, places left, status, the organising grid and its party organisation. Never the
check-in code, the sign-up list or anything about members.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from gridgov.api import params
from gridgov.api.errors import bad_parameter
from gridgov.api.keys import ApiKeyMixin, SignedInOrKey
from gridgov.service.models import Activity
from gridgov.service.selectors import activities


class ActivitySerializer(GeoFeatureModelSerializer):
    category = serializers.CharField(source="category.code", help_text="service category code")
    category_name = serializers.CharField(source="category.name")
    places_left = serializers.IntegerField(read_only=True, min_value=0)
    organiser_grid_code = serializers.CharField(
        source="organiser_grid.code", help_text="the community or compound whose staff run it"
    )
    organiser_organisation = serializers.SerializerMethodField(
        help_text="the party organisation of the organising grid (null if none is recorded)"
    )
    community_code = serializers.CharField(source="community.code", default=None, allow_null=True)
    compound_code = serializers.CharField(source="compound.code", default=None, allow_null=True)
    building_code = serializers.CharField(source="building.code", default=None, allow_null=True)

    class Meta:
        model = Activity
        geo_field = "location"
        id_field = "id"
        fields = (
            "id",
            "title",
            "category",
            "category_name",
            "starts_at",
            "ends_at",
            "status",
            "capacity",
            "places_left",
            "address",
            "organiser_grid_code",
            "organiser_organisation",
            "grid_code",
            "community_code",
            "compound_code",
            "building_code",
            "location",
        )

    def get_organiser_organisation(self, activity) -> str | None:
        organisation = getattr(activity.organiser_grid, "organisation", None)
        return organisation.name if organisation is not None else None

    def get_fields(self):
        fields = super().get_fields()
        fields["location"].precision = 7  # RFC 7946
        return fields


def parse_when(parameter: str, text: str, *, end: bool) -> tuple[dt.datetime, bool]:
    """A date (``YYYY-MM-DD``: the whole day, in the server's time zone) or an ISO 8601
    date-time, as (an aware datetime, whether a date was given); ``end`` gives the end of a
    date's day (the next midnight)."""
    text = text.strip()
    moment = None
    try:
        # The date first: parse_datetime takes a bare date too, as its midnight.
        day = parse_date(text)
        if day is None:
            moment = parse_datetime(text)
    except ValueError:  # well formed but impossible: 2026-02-30
        day = None
    if day is not None:
        day = min(max(day, EARLIEST.date()), LATEST.date())
        moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time())
    if moment is None:
        raise bad_parameter(
            parameter,
            _("Expected a date (YYYY-MM-DD) or an ISO 8601 date-time, got %(value)s.")
            % {"value": repr(text)},
        )
    # Year 1 or 9999 is a valid date, but not one the database converts to UTC: the same
    # filter, bounded to years no activity lies outside of.
    if moment.year <= EARLIEST.year:
        return EARLIEST, day is not None
    if moment.year >= LATEST.year:
        return LATEST, day is not None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    # In UTC: ISO 8601 allows offsets up to ±23:59, PostgreSQL only up to ±15:59.
    return moment.astimezone(dt.UTC), day is not None


EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)

WHEN = (
    "a date (YYYY-MM-DD, the whole day) or an ISO 8601 date-time; a malformed value is "
    "a 400 naming it"
)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "grid",
            OpenApiTypes.STR,
            description="grid code prefix: activities whose place lies in that subtree",
        ),
        OpenApiParameter(
            "from",
            params.DATE_OR_TIME_SCHEMA,
            description="activities not ended before this: " + WHEN,
        ),
        OpenApiParameter(
            "to",
            params.DATE_OR_TIME_SCHEMA,
            description="activities starting by this (a date includes its day): " + WHEN,
        ),
        OpenApiParameter("category", OpenApiTypes.STR, description="service category code"),
        OpenApiParameter(
            "bbox",
            params.BBOX_SCHEMA,
            description="minlon,minlat,maxlon,maxlat (WGS84): activities placed inside it",
        ),
    ]
)
class ActivityList(ApiKeyMixin, generics.ListAPIView):
    """Service activities as a GeoJSON FeatureCollection, soonest first, paged (signed in,
    or an API key with the read scope)."""

    permission_classes = [SignedInOrKey]
    serializer_class = ActivitySerializer
    pagination_class = params.GeoPages
    filter_backends = [params.StrictInBBoxFilter]
    bbox_filter_field = "location"

    def get_queryset(self):
        qs = activities().select_related("building", "organiser_grid__organisation")
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        q = self.request.query_params
        if q.get("grid"):
            qs = qs.filter(grid_code__startswith=q["grid"])
        if q.get("category"):
            qs = qs.filter(category__code=q["category"])
        # to before from is no error: no activity matches both.
        if q.get("from"):
            start, _day = parse_when("from", q["from"], end=False)
            qs = qs.filter(ends_at__gt=start)
        if q.get("to"):
            end, day = parse_when("to", q["to"], end=True)
            # A date's day ends at the next midnight (excluded); a date-time is included.
            qs = qs.filter(starts_at__lt=end) if day else qs.filter(starts_at__lte=end)
        return qs.order_by("starts_at", "id")


class ActivityDetail(ApiKeyMixin, generics.RetrieveAPIView):
    """One activity as a GeoJSON Feature (404 naming ``id`` when there is none)."""

    permission_classes = [SignedInOrKey]
    serializer_class = ActivitySerializer
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return activities().select_related("building", "organiser_grid__organisation")

    def get_object(self):
        activity = self.get_queryset().filter(pk=self.kwargs["id"]).first()
        if activity is None:
            raise bad_parameter(
                "id", _("No activity %(value)s.") % {"value": self.kwargs["id"]}, code=404
            )
        self.check_object_permissions(self.request, activity)
        return activity
