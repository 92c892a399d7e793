"""The OpenAPI schema generator behind /api/schema/.

Django REST framework's endpoint enumerator drops every route ending in ``.{format}`` ("the
.json twin of a route described elsewhere"). Open311 GeoReport v2 has no other routes: its
resources *are* ``services.{format}``, ``requests.{format}``... So this enumerator keeps the
``.{format}`` routes of views that ask for it (``schema_keeps_format_suffix = True``), and the
schema describes every public endpoint.

The view at /api/schema/ uses this generator (gridgov/api/urls.py); ``manage.py spectacular``
uses it when SPECTACULAR_SETTINGS["DEFAULT_GENERATOR_CLASS"] names it.
"""

from __future__ import annotations

from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator


class FormatSuffixEnumerator(EndpointEnumerator):
    """Keeps ``.{format}`` routes of views that are only reachable that way."""

    def should_include_endpoint(self, path, callback):
        cls = getattr(callback, "cls", None)
        if (getattr(cls, "schema_keeps_format_suffix", False)
                and path.endswith((".{format}", ".{format}/"))):
            return super().should_include_endpoint(path.rsplit(".{format}", 1)[0], callback)
        return super().should_include_endpoint(path, callback)


class GridGovSchemaGenerator(SchemaGenerator):
    endpoint_inspector_cls = FormatSuffixEnumerator
