"""A case's requester (name, phone, room) as each viewer sees it: the page and the API show
the same, from one rule (cases.selectors.requester_seen_by)."""

import pytest

from gridgov.accounts.models import StaffRole

NAME, PHONE, ROOM = "陈阿姨", "13800001234", "惠景花园3栋2单元302室"


@pytest.fixture
def case(new_case):
    return new_case(requester_name=NAME, requester_phone=PHONE, address=ROOM)


def _page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(f"/cases/{case.number}/")
    assert response.status_code == 200
    return response.content.decode()


def _api(client, user, case) -> dict:
    client.force_login(user)
    response = client.get("/api/v1/cases/", {"page_size": 100})
    assert response.status_code == 200
    found = [f for f in response.json()["features"] if f["id"] == case.number]
    assert found, "the case is listed for this viewer"
    return found[0]["properties"]


@pytest.mark.parametrize("role", [StaffRole.MEMBER, StaffRole.BUILDING_LEADER])
def test_member_and_building_leader_see_no_name_phone_or_room(client, tree, make_user, case, role):
    viewer = make_user(f"v-{role}", role, tree.b1)
    page = _page(client, viewer, case)
    for secret in (NAME, PHONE, PHONE[-4:], "302室"):
        assert secret not in page
    assert tree.b1.name in page  # the place is still said, by its building
    props = _api(client, viewer, case)
    assert props["requester_name"] is None
    assert props["requester_phone"] is None
    assert "302" not in props["address"]
    assert tree.b1.name in props["address"]


def test_secretary_sees_requester_on_page_and_api_alike(client, people, case):
    page = _page(client, people.c1_staff, case)
    assert NAME in page
    assert PHONE in page
    assert ROOM in page
    props = _api(client, people.c1_staff, case)
    assert (props["requester_name"], props["requester_phone"], props["address"]) == (
        NAME,
        PHONE,
        ROOM,
    )


def test_requester_sees_their_own_request_in_full(client, people, case):
    page = _page(client, people.resident, case)
    assert NAME in page
    assert PHONE in page
    assert ROOM in page
