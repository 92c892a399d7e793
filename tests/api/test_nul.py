"""A NUL character in any parameter is a 400 naming it, on every backend (PostgreSQL refuses
NUL in text, which made 500s there before: found by the proof run's fuzzing)."""

from __future__ import annotations

import pytest

from gridgov.api.models import ApiKey
from gridgov.api.services import api_key_issue
from tests.api.conftest import assert_error


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/grids/?code=100\x00", "code"),
        ("/api/v1/activities/?grid=100001\x00", "grid"),
        ("/api/v1/export/members.geojson?grid=\x00", "grid"),
        ("/api/v1/export/grids.geojson?grid=100001&crs=wgs84\x00", "crs"),
        ("/api/v1/locate/?lon=113.1\x00&lat=23", "lon"),
        ("/api/v1/grids/?x\x00y=1", "x\\x00y"),
    ],
)
def test_nul_in_a_parameter_is_a_400_naming_it(api, tree, url, parameter):
    key = api_key_issue(key=ApiKey(name="city platform", can_read=True), acting_user=None)
    path, _, query = url.partition("?")
    r = api.get(path, QUERY_STRING=query, HTTP_X_API_KEY=key)
    data = assert_error(r, 400, parameter)
    assert "\\x00" in data["detail"]  # the API answers in zh-hans: 含有空字符（\\x00）
