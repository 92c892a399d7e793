"""What the Open311 GeoReport v2 resources return, for the OpenAPI schema only.

The views (gridgov/api/open311.py) build plain dicts; these serializers describe them field
by field so that integrators read the schema instead of the spec and this code. The format
(``json`` or ``xml``) is a path parameter: ``/open311/v2/services.{format}``.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from gridgov.cases.models import Channel, Status

# The suffix chooses the format; DRF's ?format= override is dropped from the schema (the
# suffix wins over it anyway).
FORMAT = [
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        enum=["json", "xml"],
        description="json, or xml (root and item elements as the GeoReport v2 spec names them)",
    ),
    OpenApiParameter("format", OpenApiTypes.STR, OpenApiParameter.QUERY, exclude=True),
]
API_KEY = OpenApiParameter(
    "api_key",
    {"type": "string", "minLength": 1},
    OpenApiParameter.QUERY,
    required=False,
    description="the GeoReport v2 api_key (or the X-Api-Key header); on POST also a form "
    "field. An empty api_key is refused (401), even beside a key in a header.",
)
JURISDICTION = OpenApiParameter(
    "jurisdiction_id",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="accepted and ignored: one jurisdiction per deployment",
)


class Open311ErrorSerializer(serializers.Serializer):
    code = serializers.IntegerField(help_text="the HTTP status code")
    description = serializers.CharField()
    parameter = serializers.CharField(
        allow_null=True, help_text="the parameter at fault (a GridGov addition)"
    )


class Open311ErrorListSerializer(serializers.Serializer):
    """The error answer: a list of Open311Error (described as an array by
    gridgov.api.schema.Open311ErrorListExtension)."""


class Open311ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField(help_text="a case category's code")
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField(help_text="always false: no extra attributes")
    type = serializers.ChoiceField(choices=["realtime", "batch", "blackbox"])
    keywords = serializers.CharField()
    group = serializers.CharField()


class Open311ServiceDefinitionSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    attributes = serializers.ListField(
        child=serializers.DictField(), max_length=0, help_text="always empty"
    )


class Open311ExtendedAttributesSerializer(serializers.Serializer):
    community_code = serializers.CharField(allow_null=True)
    compound_code = serializers.CharField(allow_null=True)
    building_code = serializers.CharField(allow_null=True)
    detailed_status = serializers.ChoiceField(choices=Status.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)


class Open311RequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField(help_text="the case number, e.g. 2026-000123")
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = serializers.CharField(help_text="the detailed state, and a closure's reason")
    service_name = serializers.CharField()
    service_code = serializers.CharField()
    description = serializers.CharField()
    agency_responsible = serializers.CharField(help_text="the community")
    service_notice = serializers.CharField(allow_blank=True)
    requested_datetime = serializers.DateTimeField()
    updated_datetime = serializers.DateTimeField(help_text="the case's last event")
    expected_datetime = serializers.DateTimeField(
        allow_null=True, help_text="the resolution deadline while open"
    )
    address = serializers.CharField(allow_blank=True)
    address_id = serializers.CharField(allow_null=True)
    zipcode = serializers.CharField(allow_null=True)
    lat = serializers.FloatField()
    long = serializers.FloatField()
    media_url = serializers.URLField(allow_null=True)
    extended_attributes = Open311ExtendedAttributesSerializer()


class Open311RequestCreatedSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField(allow_blank=True)
    account_id = serializers.CharField(allow_null=True)


def errors(*codes: int) -> dict:
    """Error responses: the spec's list of {code, description} (plus parameter)."""
    words = {
        400: "a parameter is malformed or missing",
        401: "a wrong, empty or revoked API key",
        403: "not allowed (sign in, or a key with the scope)",
        404: "no such service, request, page or resource (a path in neither .json nor .xml)",
        429: "too many requests with this key",
    }
    return {
        code: OpenApiResponse(Open311ErrorListSerializer, description=words[code]) for code in codes
    }
