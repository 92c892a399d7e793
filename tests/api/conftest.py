"""API fixtures: a DRF client, members with a building leader, and helpers for GeoJSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.gis.gdal import DataSource
from rest_framework.test import APIClient

from gridgov.grids.models import RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import ReportStatus
from tests.factories import MemberFactory
from tests.world import IN_B1, IN_B3, IN_B4


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def members(tree):
    """王芳 leads building B1 (phone not opted in); 李强 lives in B3, confirmed and a public
    contact (phone opted in); 赵敏 in B4 never reported: only the first two are public."""
    wang = MemberFactory(
        name="王芳",
        location=IN_B1,
        phone="13912345678",
        pledge="有事找我",
        specialty="水电维修",
        address="东湖花园1栋101",
    )
    li = MemberFactory(
        name="李强",
        location=IN_B3,
        phone="13700001111",
        phone_public=True,
        address="西苑1栋202",
        report_status=ReportStatus.CONFIRMED,
    )
    zhao = MemberFactory(name="赵敏", location=IN_B4, address="南山小区1栋303")
    gridrole_assign(grid=tree.b1, member=wang, role=RoleKind.BUILDING_LEADER, acting_user=None)
    return {"wang": wang, "li": li, "zhao": zhao}


def read_geojson(content: bytes, tmp_path: Path) -> tuple[dict, DataSource]:
    """The body as JSON, and as GDAL reads it from a file."""
    path = tmp_path / "body.geojson"
    path.write_bytes(content)
    return json.loads(content), DataSource(str(path))


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def assert_error(response, status: int, parameter: str | None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["parameter"] == parameter, data
    assert data["detail"]
    return data


@pytest.fixture(autouse=True)
def locate_index_checked_every_request(settings):
    """The locate index re-reads its fingerprint on every request here, as each test builds
    its own grids (in production: at most every GRIDGOV_LOCATE_CHECK_SECONDS)."""
    settings.GRIDGOV_LOCATE_CHECK_SECONDS = 0
