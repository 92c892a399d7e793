"""What a stranger learns about members, through every public way out: the members API, the
``members`` export layer, the point lookup's contact and the building-contact page. One rule
(Member.objects.public): current role holders whatever their reporting status, and confirmed
members who chose to be a public contact; a full number only on the building-contact page,
and only when the member opted in."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from gridgov.accounts.models import StaffRole
from gridgov.grids.models import GridRole, RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import OrgKind, PartyOrganisation, ReportStatus
from tests.api.conftest import body
from tests.factories import MemberFactory
from tests.world import IN_B1

MEMBERS = "/api/v1/members/"
pytestmark = pytest.mark.django_db

# name -> (phone, reporting status, opted in to show the number)
PEOPLE = {
    "楼长甲": ("13811110001", ReportStatus.REJECTED, True),  # B1's leader: public by role
    "支书乙": ("13811110002", ReportStatus.NOT_REPORTED, False),  # K1's branch secretary
    "确认公开": ("13811110003", ReportStatus.CONFIRMED, True),
    "确认不公开": ("13811110004", ReportStatus.CONFIRMED, False),
    "待确认": ("13811110005", ReportStatus.REGISTERED, True),
    "已驳回": ("13811110006", ReportStatus.REJECTED, True),
    "未报到": ("13811110007", ReportStatus.NOT_REPORTED, True),
    "已卸任": ("13811110008", ReportStatus.NOT_REPORTED, True),  # B2's leader until yesterday
    "明日上任": ("13811110009", ReportStatus.NOT_REPORTED, True),  # B2's leader from tomorrow
}
PUBLIC = ["支书乙", "楼长甲", "确认公开"]
PHONES = [phone for phone, _, _ in PEOPLE.values()]


@pytest.fixture
def crowd(tree):
    """Everyone lives in building B1."""
    m = {
        name: MemberFactory(
            name=name,
            phone=phone,
            report_status=status,
            phone_public=opted,
            location=IN_B1,
            address=f"东湖花园1栋{i}01室",
        )
        for i, (name, (phone, status, opted)) in enumerate(PEOPLE.items(), 1)
    }
    gridrole_assign(
        grid=tree.b1, member=m["楼长甲"], role=RoleKind.BUILDING_LEADER, acting_user=None
    )
    PartyOrganisation.objects.create(
        kind=OrgKind.COMPOUND_BRANCH, name="东湖花园党支部", grid=tree.k1, secretary=m["支书乙"]
    )
    today = timezone.localdate()
    GridRole.objects.create(
        grid=tree.b2,
        member=m["已卸任"],
        role=RoleKind.BUILDING_LEADER,
        since=today - dt.timedelta(days=400),
        until=today - dt.timedelta(days=1),
    )
    GridRole.objects.create(
        grid=tree.b2,
        member=m["明日上任"],
        role=RoleKind.BUILDING_LEADER,
        since=today + dt.timedelta(days=1),
    )
    return m


def no_full_number(text: str) -> bool:
    return not any(phone in text for phone in PHONES)


def test_a_stranger_lists_only_public_members_and_no_full_number(api, crowd):
    r = api.get(MEMBERS, {"page_size": 1000, "view": "full"})
    assert r.status_code == 200
    rows = r.json()["results"]
    assert sorted(m["name"] for m in rows) == PUBLIC
    assert {m["name"]: m["phone"] for m in rows}["确认公开"] == "138****0003"  # opted in
    text = r.content.decode()
    assert no_full_number(text)
    assert "东湖花园1栋" not in text
    assert "report_status" not in text


def test_a_member_account_gets_what_a_stranger_gets(api, tree, crowd, make_user):
    api.force_authenticate(make_user("m", StaffRole.MEMBER, tree.b1))
    r = api.get(MEMBERS, {"page_size": 1000})
    assert sorted(m["name"] for m in r.json()["results"]) == PUBLIC
    assert no_full_number(r.content.decode())


def test_scoped_staff_still_read_every_record_of_their_grid(api, tree, crowd, make_user):
    api.force_authenticate(make_user("sec", StaffRole.COMMUNITY_SECRETARY, tree.c1))
    rows = {m["name"]: m for m in api.get(MEMBERS, {"page_size": 1000}).json()["results"]}
    assert set(rows) == set(PEOPLE)  # unconfirmed and rejected included: their work
    assert rows["待确认"]["phone"] == "13811110005"
    assert rows["待确认"]["report_status"] == ReportStatus.REGISTERED
    # Asked for the public view, they get the stranger's.
    public = api.get(MEMBERS, {"view": "public"}).json()["results"]
    assert sorted(m["name"] for m in public) == PUBLIC
    # Outside their grid: nothing in full.
    api.force_authenticate(make_user("sec2", StaffRole.COMMUNITY_SECRETARY, tree.c2))
    assert api.get(MEMBERS).json()["results"] == []


@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])  # made by the database / by Python
def test_the_members_export_layer_carries_public_members_masked(api, crowd, crs):
    text = body(api.get("/api/v1/export/members.geojson", {"crs": crs})).decode()
    features = json.loads(text)["features"]
    assert sorted(f["properties"]["name"] for f in features) == PUBLIC
    phones = {f["properties"]["name"]: f["properties"]["phone"] for f in features}
    assert phones == {"楼长甲": "138****0001", "支书乙": "138****0002", "确认公开": "138****0003"}
    assert no_full_number(text)


def test_the_point_lookup_contact_is_masked_even_when_opted_in(api, tree, crowd):
    data = api.get("/api/v1/locate/", {"lon": IN_B1.x, "lat": IN_B1.y}).json()
    assert data["contact"]["name"] == "楼长甲"  # rejected registration, public by role
    assert data["contact"]["phone"] == "138****0001"
    assert no_full_number(json.dumps(data))


def test_a_role_not_yet_begun_or_ended_gives_no_contact(api, tree, crowd):
    data = api.get("/api/v1/locate/", {"lon": 113.1045, "lat": 23.002}).json()
    assert data["building"]["code"] == tree.b2.code
    assert data["contact"] is None


def test_the_building_contact_page_alone_shows_an_opted_in_number(client, tree, crowd):
    page = client.get("/find/", {"building": tree.b1.code}).content.decode()
    assert 'href="tel:13811110001"' in page  # the leader opted in
    assert all(phone not in page for phone in PHONES[1:])
    page = client.get("/find/", {"building": tree.b2.code}).content.decode()
    assert "已卸任" not in page
    assert "明日上任" not in page
