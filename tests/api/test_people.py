"""Members and residents: who sees what."""

import pytest

from gridgov.accounts.models import StaffRole
from tests.factories import ResidentFactory

MEMBERS, RESIDENTS = "/api/v1/members/", "/api/v1/residents/"
pytestmark = pytest.mark.django_db

PUBLIC_FIELDS = {
    "name",
    "kind",
    "specialty",
    "pledge",
    "phone",
    "community_code",
    "compound_code",
    "building_code",
}


def names(response):
    assert response.status_code == 200, response.content
    return sorted(m["name"] for m in response.json()["results"])


def test_anonymous_sees_the_public_members_projection(api, members):
    r = api.get(MEMBERS)
    assert names(r) == ["李强", "王芳"]  # 赵敏 never reported and holds no role
    rows = {m["name"]: m for m in r.json()["results"]}
    assert all(set(m) == PUBLIC_FIELDS for m in rows.values())
    assert rows["王芳"]["phone"] == "139****5678"  # not opted in: masked
    assert rows["李强"]["phone"] == "137****1111"  # opted in, but a list: masked too
    assert "address" not in r.content.decode()
    assert "location" not in r.content.decode()


def test_a_member_account_sees_only_the_public_projection(api, tree, members, make_user):
    api.force_authenticate(make_user("m", StaffRole.MEMBER, tree.b1))
    r = api.get(MEMBERS)
    assert names(r) == ["李强", "王芳"]
    assert all(set(m) == PUBLIC_FIELDS for m in r.json()["results"])


def test_a_grid_leader_sees_full_records_of_their_grid_only(api, tree, members, make_user):
    api.force_authenticate(make_user("gl", StaffRole.GRID_LEADER, tree.k2))
    r = api.get(MEMBERS)
    assert names(r) == ["李强"]
    full = r.json()["results"][0]
    assert full["address"] == "西苑1栋202"
    assert full["location"] == [113.107, 23.003]
    # ... and the public projection of everyone when asked.
    assert names(api.get(MEMBERS, {"view": "public"})) == ["李强", "王芳"]


def test_member_filters_and_bad_view(api, tree, members):
    assert names(api.get(MEMBERS, {"grid": tree.k2.code})) == ["李强"]
    assert names(api.get(MEMBERS, {"grid": tree.c2.code})) == []  # 赵敏 is not public
    r = api.get(MEMBERS, {"view": "everything"})
    assert r.status_code == 400
    assert r.json()["parameter"] == "view"


def test_residents_need_a_role_that_reads_residents(api, tree, make_user):
    ResidentFactory(name="住户甲")
    r = api.get(RESIDENTS)
    assert r.status_code == 403
    assert r.json()["detail"]
    api.force_authenticate(make_user("bl", StaffRole.BUILDING_LEADER, tree.b1))
    assert api.get(RESIDENTS).status_code == 403


def test_residents_are_scoped(api, tree, make_user):
    ResidentFactory(name="住户甲")  # in B1 (community C1)
    api.force_authenticate(make_user("c1", StaffRole.COMMUNITY_SECRETARY, tree.c1))
    rows = api.get(RESIDENTS).json()["results"]
    assert [r["name"] for r in rows] == ["住户甲"]
    assert rows[0]["building_code"] == tree.b1.code
    api.force_authenticate(make_user("c2", StaffRole.COMMUNITY_SECRETARY, tree.c2))
    assert api.get(RESIDENTS).json()["results"] == []
