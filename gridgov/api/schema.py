"""The OpenAPI schema generator behind /api/schema/.

Django REST framework's endpoint enumerator drops every route ending in ``.{format}`` ("the
.json twin of a route described elsewhere"). Open311 GeoReport v2 has no other routes: its
resources *are* ``services.{format}``, ``requests.{format}``... So this enumerator keeps the
``.{format}`` routes of views that ask for it (``schema_keeps_format_suffix = True``), and the
schema describes every public endpoint.

The view at /api/schema/ uses this generator (gridgov/api/urls.py); ``manage.py spectacular``
uses it when SPECTACULAR_SETTINGS["DEFAULT_GENERATOR_CLASS"] names it.

Also here, so that the schema says what the API answers (schemathesis checks it, bench/proof):
GridGovAutoSchema (the JSON error answers of every /api/v1/ operation), the GeoJSON page
(a FeatureCollection with count/next/previous/features) and Open311's error list.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class FormatSuffixEnumerator(EndpointEnumerator):
    """Keeps ``.{format}`` routes of views that are only reachable that way."""

    def should_include_endpoint(self, path, callback):
        cls = getattr(callback, "cls", None)
        if getattr(cls, "schema_keeps_format_suffix", False) and path.endswith(
            (".{format}", ".{format}/")
        ):
            return super().should_include_endpoint(path.rsplit(".{format}", 1)[0], callback)
        return super().should_include_endpoint(path, callback)


class GridGovSchemaGenerator(SchemaGenerator):
    endpoint_inspector_cls = FormatSuffixEnumerator


# --- the error answers of /api/v1/ ---------------------------------------------------------


class ApiErrorSerializer(serializers.Serializer):
    """Every refusal of /api/v1/ (gridgov/api/errors.py): the first message, the parameter at
    fault (null when none is), and every message by parameter."""

    detail = serializers.CharField()
    parameter = serializers.CharField(allow_null=True, help_text="the parameter at fault, or null")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="messages by parameter (non_field_errors: not tied to one)",
    )


API_ERRORS = {
    400: "a parameter is malformed or out of range (parameter names it)",
    401: "a wrong, malformed, empty or revoked API key, or a key in the address "
    "(WWW-Authenticate: Api-Key)",
    403: "not allowed: sign in, or a role or key scope that may read this",
    404: "a page past the end (parameter: page), or no such resource",
    429: "too many requests with this API key (Retry-After: seconds)",
}


class GridGovAutoSchema(AutoSchema):
    """Every /api/v1/ operation lists the JSON error answers it can give (400, 401, 403, 404,
    429) unless the view describes a code itself: any request may carry a bad key (401), a
    key without the read scope (403) or exceed the key's rate (429), and every operation
    checks its parameters (400) and pages (404)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response" and self.path.startswith("/api/v1/"):
            for code, words in API_ERRORS.items():
                if str(code) not in responses:
                    responses[str(code)] = self._get_response_for_code(
                        OpenApiResponse(ApiErrorSerializer, description=words),
                        str(code),
                        media_types=["application/json"],
                        direction=direction,
                    )
        return responses


# --- GeoJSON pages ---------------------------------------------------------------------------


def feature_collection_page(features: dict) -> dict:
    """A page of a GeoJSON list: a FeatureCollection with the pagination members."""
    link = {"type": "string", "format": "uri", "nullable": True}
    return {
        "type": "object",
        "required": ["type", "count", "next", "previous", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "count": {"type": "integer", "minimum": 0, "example": 123},
            "next": {**link, "example": "http://127.0.0.1:8000/api/v1/grids/?page=4"},
            "previous": {**link, "example": "http://127.0.0.1:8000/api/v1/grids/?page=2"},
            "features": features,
        },
    }


# --- Open311: error lists --------------------------------------------------------------------


class Open311ErrorListExtension(OpenApiSerializerExtension):
    """Open311's error answer is a list of {code, description, parameter}. drf-spectacular
    unwraps ``many=True`` serializers on non-2xx answers (its list mechanics are for 2xx
    only), so the list is its own serializer, described here as an array."""

    target_class = "gridgov.api.open311_schema.Open311ErrorListSerializer"

    def get_name(self, auto_schema, direction):
        return "Open311Errors"

    def map_serializer(self, auto_schema, direction):
        from gridgov.api.open311_schema import Open311ErrorSerializer

        item = auto_schema.resolve_serializer(Open311ErrorSerializer, direction)
        return {"type": "array", "minItems": 1, "items": item.ref}


NO_NUL = "^[^\\x00]*$"


def no_nul_in_text(result, generator, request, public):
    """drf-spectacular post-processing hook: every free-text query or path parameter says
    it takes no NUL character, as the API refuses one with a 400 naming the parameter
    (gridgov.api.keys.refuse_nul)."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if (
                    schema.get("type") == "string"
                    and "pattern" not in schema
                    and "enum" not in schema
                    and "format" not in schema
                ):
                    schema["pattern"] = NO_NUL
    return result
