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
    assert {
        "/api/v1/grids/",
        "/api/v1/locate/",
        "/api/v1/export/{layer}.geojson",
        "/api/v1/members/",
        "/api/v1/residents/",
        "/api/v1/cases/",
        "/api/v1/patrol-routes/",
        "/api/v1/activities/",
        "/api/v1/activities/{id}/",
    } <= set(schema["paths"])
    for path, ops in schema["paths"].items():
        if path.startswith("/api/v1/"):  # every refusal is documented, with its JSON body
            for op in ops.values():
                assert {"400", "401", "403", "404", "429"} <= set(op["responses"]), path


def test_geojson_lists_are_described_as_feature_collections(api, tree):
    """The schema describes the page as served: a FeatureCollection with count, next,
    previous and features (an array of Features), not {count, results}."""
    schema = api.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    for path in (
        "/api/v1/grids/",
        "/api/v1/cases/",
        "/api/v1/patrol-routes/",
        "/api/v1/activities/",
    ):
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        page = components[ok["schema"]["$ref"].rsplit("/", 1)[1]]
        assert set(page["required"]) == {"type", "count", "next", "previous", "features"}
        assert page["properties"]["features"]["type"] == "array", path
    served = api.get("/api/v1/grids/").json()
    assert set(served) == {"type", "count", "next", "previous", "features"}
    params = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/grids/"]["get"]["parameters"]
    }
    assert params["page"]["minimum"] == 1
    assert (params["page_size"]["minimum"], params["page_size"]["maximum"]) == (1, 1000)
    locate = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/locate/"]["get"]["parameters"]
    }
    assert (locate["lat"]["minimum"], locate["lat"]["maximum"]) == (-90, 90)
    assert (locate["lon"]["minimum"], locate["lon"]["maximum"]) == (-180, 180)


def assert_served(response, url: str) -> None:
    """The asset is there: a 200 with a body of its type (not an empty answer)."""
    assert response.status_code == 200, url
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    assert content, url
    kind = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
    for ending, content_type in kind.items():
        if url.split("?")[0].endswith(ending):
            assert content_type in response["Content-Type"], (url, response["Content-Type"])


def test_docs_page_uses_only_local_assets(client):
    r = client.get("/api/docs/")
    assert r.status_code == 200
    html = r.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["'](https?://[^"']+)["']""", html)
    assert urls
    # Swagger UI's start-up code comes from this page itself (?script=): no inline script,
    # so the Content-Security-Policy needs no exception for the API docs.
    assert all(u.startswith(("/static/", "/api/docs/?script")) for u in urls), urls
    assert "<script>" not in html
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", html), "a remote URL"
    for asset in urls:
        assert_served(client.get(asset), asset)
    start_up = client.get("/api/docs/?script=").content.decode()
    assert "/api/schema/" in start_up


OPEN311 = {
    "/open311/v2/services.{format}",
    "/open311/v2/services/{code}.{format}",
    "/open311/v2/requests.{format}",
    "/open311/v2/requests/{id}.{format}",
}


def _schema(api) -> dict:
    schema = api.get("/api/schema/", {"format": "json"}).json()
    validate_schema(schema)
    return schema


def _component(schema: dict, ref: dict) -> dict:
    """The component a $ref (or an array of $ref) names."""
    if ref.get("type") == "array":
        ref = ref["items"]
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_every_public_route_is_in_the_schema(api):
    """Each URL under /api/v1/ and /open311/v2/ appears, the Open311 ones with their
    .{format} suffix (DRF's enumerator drops those unless gridgov.api.schema keeps them)."""
    from django.urls import get_resolver

    from gridgov.api.schema import FormatSuffixEnumerator

    enumerated = {
        path
        for path, *_rest in FormatSuffixEnumerator(get_resolver().url_patterns).get_api_endpoints()
    }
    paths = set(_schema(api)["paths"])
    public = {p for p in enumerated if p.startswith(("/api/v1/", "/open311/"))}
    assert OPEN311 <= public
    assert public <= paths, public - paths


def test_open311_operations_describe_formats_and_errors(api):
    schema = _schema(api)
    ops = {(path, method): op for path in OPEN311 for method, op in schema["paths"][path].items()}
    assert set(ops) == {(p, "get") for p in OPEN311} | {("/open311/v2/requests.{format}", "post")}
    for (path, method), op in ops.items():
        [fmt] = [p for p in op["parameters"] if p["name"] == "format"]
        assert fmt["in"] == "path", path
        assert fmt["schema"]["enum"] == ["json", "xml"], path
        ok = op["responses"]["201" if method == "post" else "200"]
        assert set(ok["content"]) == {"application/json", "text/xml"}, path
        # The spec's error answer is a list (drf-spectacular would unwrap many=True on a
        # non-2xx answer: gridgov.api.schema.Open311ErrorListExtension keeps the array).
        for code in ("401", "404", "429"):
            errors = _component(
                schema, op["responses"][code]["content"]["application/json"]["schema"]
            )
            assert errors["type"] == "array", (path, code)
            error = _component(schema, errors["items"])
            assert set(error["properties"]) == {"code", "description", "parameter"}
    listing = ops["/open311/v2/requests.{format}", "get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "service_request_id",
        "service_code",
        "start_date",
        "end_date",
        "status",
        "page",
        "page_size",
        "api_key",
    }
    post = ops["/open311/v2/requests.{format}", "post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in post


def test_open311_schema_matches_what_the_resources_answer(api, tree, case_categories, make_user):
    """The documented fields are exactly the fields a real answer carries."""
    from gridgov.accounts.models import StaffRole
    from gridgov.cases.services import case_create
    from tests.world import IN_B1

    schema = _schema(api)
    ok = schema["paths"]
    service = _component(
        schema,
        ok["/open311/v2/services.{format}"]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"],
    )
    assert set(service["properties"]) == set(api.get("/open311/v2/services.json").json()[0])

    case_create(
        acting_user=None,
        category=case_categories["repair"],
        channel="phone",
        title="楼道灯不亮",
        requester_name="陈阿姨",
        location=IN_B1,
    )
    api.force_authenticate(make_user("admin", StaffRole.STREET_ADMIN, scope=""))
    [answer] = api.get("/open311/v2/requests.json").json()
    request = _component(
        schema,
        ok["/open311/v2/requests.{format}"]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"],
    )
    assert set(request["properties"]) == set(answer)
    extended = schema["components"]["schemas"][
        request["properties"]["extended_attributes"]["allOf"][0]["$ref"].rsplit("/", 1)[1]
        if "allOf" in request["properties"]["extended_attributes"]
        else request["properties"]["extended_attributes"]["$ref"].rsplit("/", 1)[1]
    ]
    assert set(extended["properties"]) == set(answer["extended_attributes"])
    created = api.post(
        "/open311/v2/requests.json", {"service_code": "repair", "lat": 23.002, "long": 113.102}
    )
    assert created.status_code == 201
    post = _component(
        schema,
        ok["/open311/v2/requests.{format}"]["post"]["responses"]["201"]["content"][
            "application/json"
        ]["schema"],
    )
    assert set(post["properties"]) == set(created.json()[0])


def test_unknown_api_paths_answer_in_the_apis_format(client):
    """A mistyped path gets the API's JSON (or Open311's error list), never an HTML page."""
    r = client.get("/api/v1/no-such-thing/")
    assert r.status_code == 404
    assert r.json()["parameter"] == "path"
    r = client.get("/api/v1/grids")  # missing slash: pointed at the resource
    assert r.status_code == 301
    assert r["Location"] == "/api/v1/grids/"
    r = client.get("/open311/v2/services/%C3%9F~.json")
    assert r.status_code == 404
    assert r.json()[0]["code"] == 404
    r = client.get("/open311/v2/services/%09%0A.json")  # a newline in the path
    assert r.status_code == 404
    assert r.json()[0]["code"] == 404
    r = client.get("/api/v1/no%0Asuch/")
    assert r.status_code == 404
    assert r.json()["parameter"] == "path"
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)  # as a real server: no CSRF page for a POST
    r = strict.post("/open311/v2/requests.txt", {"service_code": "repair"})
    assert r.status_code == 404
    assert r.json()[0]["code"] == 404
    r = client.get("/open311/v2/nothing.xml")
    assert r.status_code == 404
    assert r.content.startswith(b"<?xml")
    assert b"<errors>" in r.content
