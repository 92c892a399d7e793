"""Open311 reads give a request's address (which holds the room) as the case page does
(cases.selectors.requester_seen_by): whole to those who read residents there and to the
requester, the place's grid names to members and building leaders; an API key keeps it only
when its scope is the whole district. A key's scope is an exact code prefix."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from gridgov.accounts.models import StaffRole
from gridgov.api.models import ApiKey
from gridgov.api.services import api_key_issue
from gridgov.cases.models import Case
from gridgov.cases.services import case_create
from tests.world import IN_B1, IN_B4

BASE = "/open311/v2/"
ROOM = "东湖花园1栋2单元302室"
DESCRIPTION = "三楼楼道灯坏了一周"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def requester():
    return get_user_model().objects.create_user(username="chen", password="x-Pass-2026!")


@pytest.fixture
def case(tree, case_categories, requester):
    return case_create(
        acting_user=None,
        category=case_categories["repair"],
        channel="phone",
        title="楼道灯不亮",
        description=DESCRIPTION,
        requester_name="陈阿姨",
        requester_phone="13800001234",
        address=ROOM,
        location=IN_B1,
        requester_user=requester,
    )


def _both(api, case, **auth) -> list[dict]:
    """The request as the list and the single request give it (JSON), and its XML address."""
    listed = [
        r
        for r in api.get(BASE + "requests.json", **auth).json()
        if r["service_request_id"] == case.number
    ]
    one = api.get(BASE + f"requests/{case.number}.json", **auth)
    assert one.status_code == 200, one.content
    xml = api.get(BASE + f"requests/{case.number}.xml", **auth).content.decode()
    return [*listed, *one.json(), {"address": xml, "description": xml}]


@pytest.mark.parametrize("role", [StaffRole.MEMBER, StaffRole.BUILDING_LEADER])
def test_members_and_building_leaders_get_the_place_not_the_room(api, tree, make_user, case, role):
    api.force_authenticate(make_user(f"v-{role}", role, tree.b1))
    seen = _both(api, case)
    assert len(seen) == 3
    for item in seen:
        assert "302室" not in item["address"]
        assert tree.b1.name in item["address"]
        assert tree.k1.name in item["address"]
        assert DESCRIPTION in item["description"]  # the request's content: shown
        assert "陈阿姨" not in str(item)
        assert "13800001234" not in str(item)


def test_resident_readers_and_the_requester_get_the_room(api, tree, make_user, case, requester):
    for user in (make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1), requester):
        api.force_authenticate(user)
        for item in _both(api, case):
            assert ROOM in item["address"]
            assert DESCRIPTION in item["description"]


def _key(**fields) -> str:
    return api_key_issue(
        key=ApiKey(name=fields.pop("name", "city"), can_read=True, **fields), acting_user=None
    )


def test_a_key_keeps_the_room_only_over_the_whole_district(api, tree, case):
    district = _key(name="city platform", scope_code="")
    for item in _both(api, case, HTTP_X_API_KEY=district):
        assert ROOM in item["address"]
    community = _key(name="东湖 system", scope_code=tree.c1.code)
    for item in _both(api, case, HTTP_X_API_KEY=community):
        assert "302室" not in item["address"]
        assert tree.b1.name in item["address"]
        assert DESCRIPTION in item["description"]


def test_a_key_scope_is_case_exact(api, tree, case_categories):
    """A key scoped to ``AB`` reads ``AB…`` cases, not ``ab…`` ones (SQLite's LIKE ignores
    ASCII case: the policy's filter does not)."""
    upper, lower = (
        case_create(
            acting_user=None,
            category=case_categories["repair"],
            channel="phone",
            title=t,
            requester_name="李",
            location=p,
        )
        for t, p in (("大写", IN_B1), ("小写", IN_B4))
    )
    Case.objects.filter(pk=upper.pk).update(grid_code="AB0101")
    Case.objects.filter(pk=lower.pk).update(grid_code="ab0101")
    raw = _key(scope_code=tree.c1.code)
    # A scope of letters (a city whose codes hold them); set past the form's check that the
    # test tree has such a grid.
    ApiKey.objects.update(scope_code="AB")
    got = [
        r["service_request_id"] for r in api.get(BASE + "requests.json", HTTP_X_API_KEY=raw).json()
    ]
    assert got == [upper.number]
    assert api.get(BASE + f"requests/{lower.number}.json", HTTP_X_API_KEY=raw).status_code == 404
