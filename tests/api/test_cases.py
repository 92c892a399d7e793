"""Cases and patrol routes: signed in, scoped."""

import pytest
from django.contrib.gis.geos import LineString

from gridgov.accounts.models import StaffRole
from gridgov.cases.services import case_create
from gridgov.patrols.services import route_create
from tests.api.conftest import assert_error
from tests.world import IN_B1, IN_B4

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases(tree, case_categories):
    def make(point, title):
        return case_create(
            acting_user=None,
            category=case_categories["repair"],
            channel="phone",
            title=title,
            requester_name="陈阿姨",
            requester_phone="13800001234",
            location=point,
        )

    return make(IN_B1, "东湖的灯"), make(IN_B4, "南山的门")


def test_anonymous_cannot_list_cases(api, two_cases):
    assert api.get("/api/v1/cases/").status_code == 403


def test_cases_are_scoped_geojson(api, tree, two_cases, make_user):
    api.force_authenticate(make_user("c1", StaffRole.COMMUNITY_SECRETARY, tree.c1))
    data = api.get("/api/v1/cases/").json()
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    assert feature["properties"]["title"] == "东湖的灯"
    assert feature["properties"]["building_code"] == tree.b1.code
    assert feature["properties"]["requester_phone"] == "13800001234"
    assert feature["geometry"] == {"type": "Point", "coordinates": [113.102, 23.002]}


def test_building_leader_sees_cases_without_personal_data(api, tree, two_cases, make_user):
    api.force_authenticate(make_user("bl", StaffRole.BUILDING_LEADER, tree.b1))
    [feature] = api.get("/api/v1/cases/").json()["features"]
    assert feature["properties"]["requester_phone"] is None


def test_case_filters_and_bad_bbox(api, tree, two_cases, make_user):
    api.force_authenticate(make_user("admin", StaffRole.STREET_ADMIN, scope=""))
    assert len(api.get("/api/v1/cases/").json()["features"]) == 2
    got = api.get("/api/v1/cases/", {"bbox": "113.11,23,113.12,23.01"}).json()
    assert [f["properties"]["title"] for f in got["features"]] == ["南山的门"]
    assert_error(api.get("/api/v1/cases/", {"status": "lost"}), 400, "status")
    assert_error(api.get("/api/v1/cases/", {"bbox": "1,2"}), 400, "bbox")


def test_patrol_routes_are_scoped(api, tree, make_user):
    line = LineString((113.1055, 23.0015), (113.1085, 23.0085), srid=4326)
    route_create(acting_user=None, grid=tree.k2, name="西苑夜巡", line=line)
    assert api.get("/api/v1/patrol-routes/").status_code == 403
    api.force_authenticate(make_user("c1", StaffRole.COMMUNITY_SECRETARY, tree.c1))
    [feature] = api.get("/api/v1/patrol-routes/").json()["features"]
    assert feature["properties"]["grid_code"] == tree.k2.code
    assert feature["properties"]["last_patrolled"] is None
    assert feature["geometry"]["type"] == "LineString"
    api.force_authenticate(make_user("c2", StaffRole.COMMUNITY_SECRETARY, tree.c2))
    assert api.get("/api/v1/patrol-routes/").json()["features"] == []


def test_patrol_routes_filter_by_active_and_refuse_anything_else(api, tree, make_user):
    line = LineString((113.1055, 23.0015), (113.1085, 23.0085), srid=4326)
    route_create(acting_user=None, grid=tree.k2, name="西苑夜巡", line=line)
    route_create(acting_user=None, grid=tree.k2, name="旧线路", line=line, active=False)
    api.force_authenticate(make_user("c1", StaffRole.COMMUNITY_SECRETARY, tree.c1))

    def names(query: str) -> set[str]:
        response = api.get(f"/api/v1/patrol-routes/?{query}")
        assert response.status_code == 200, response.content
        return {f["properties"]["name"] for f in response.json()["features"]}

    assert names("active=true") == names("active=1") == names("active=True") == {"西苑夜巡"}
    assert names("active=false") == names("active=0") == {"旧线路"}
    assert names("active=") == {"西苑夜巡", "旧线路"}  # empty: not filtered
    # A misspelt or numeric value used to be read as "unknown" and return every route.
    for value in ("yes-please", "5.57e-167", "2"):
        assert_error(api.get(f"/api/v1/patrol-routes/?active={value}"), 400, "active")
