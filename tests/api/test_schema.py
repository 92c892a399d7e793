"""OpenAPI schema and offline docs."""

import re

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi(api):
    r = api.get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    schema = r.json()
    validate_schema(schema)
    assert {"/api/v1/grids/", "/api/v1/locate/", "/api/v1/export/{layer}.geojson",
            "/api/v1/members/", "/api/v1/residents/", "/api/v1/cases/",
            "/api/v1/patrol-routes/"} <= set(schema["paths"])


def test_docs_page_uses_only_local_assets(client):
    r = client.get("/api/docs/")
    assert r.status_code == 200
    html = r.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["'](https?://[^"']+)["']""", html)
    assert urls
    assert all(u.startswith("/static/") for u in urls), urls
    assert "/api/schema/" in html
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", html), "a remote URL"
    for asset in urls:
        assert client.get(asset).status_code == 200, asset
