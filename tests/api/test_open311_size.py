"""A body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE: Open311 answers its own error list (413,
JSON or XML as the URL says, naming the limit), not Django's HTML 400 page; the rest of the
API answers its JSON error body. Nothing is created."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings

from gridgov.accounts.models import StaffRole
from gridgov.cases.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]  # English messages
BIG = "x" * (3 * 1024 * 1024)  # 3 MB, over the default 2.5 MB


@pytest.fixture
def staff(tree, make_user):
    return make_user("admin", StaffRole.STREET_ADMIN, scope="")


def post(api, url: str, fmt: str):
    data = {"service_code": "repair", "lat": 23.002, "long": 113.102, "description": BIG}
    return api.post(url, data, format=fmt, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("body", ["multipart", "json"])
@pytest.mark.parametrize("signed_in", [True, False])
def test_open311_post_too_large_is_an_open311_error_in_the_urls_format(
    api, staff, case_categories, body, signed_in
):
    assert len(BIG) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if signed_in:
        api.force_authenticate(staff)
    limit = str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)

    r = post(api, "/open311/v2/requests.json", body)
    assert r.status_code == 413
    assert r["Content-Type"].startswith("application/json")
    [error] = r.json()
    assert error["code"] == 413
    assert error["parameter"] is None
    assert limit in error["description"]
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in error["description"]

    r = post(api, "/open311/v2/requests.xml", body)
    assert r.status_code == 413
    assert r["Content-Type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "413"
    assert limit in root.findtext("error/description")
    assert Case.objects.count() == 0


def test_open311_just_under_the_limit_is_read(api, staff, case_categories):
    """The limit is the server's: a large body under it is read and judged on its fields."""
    api.force_authenticate(staff)
    data = {"service_code": "repair", "lat": 23.002, "long": 113.102, "description": "x" * 5000}
    r = api.post("/open311/v2/requests.json", data, format="json")
    assert r.status_code == 400
    assert r.json()[0]["parameter"] == "description"


def test_rest_api_post_too_large_is_a_json_error(api, staff):
    api.force_authenticate(staff)
    r = api.post("/api/v1/cases/", {"description": BIG}, format="json")
    assert r.status_code == 413
    body = r.json()
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in body["detail"]
    assert Case.objects.count() == 0
