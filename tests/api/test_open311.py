"""Open311 GeoReport v2: services and requests, JSON and XML, GET and POST, errors."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from gridgov.accounts.models import StaffRole
from gridgov.cases.models import Case
from gridgov.cases.services import case_close, case_create
from tests.factories import HouseholdFactory
from tests.world import IN_B1, IN_B4

BASE = "/open311/v2/"
pytestmark = pytest.mark.django_db

REQUIRED = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture
def staff(tree, make_user):
    return make_user("admin", StaffRole.STREET_ADMIN, scope="")


@pytest.fixture
def case(tree, case_categories):
    return case_create(
        acting_user=None,
        category=case_categories["repair"],
        channel="phone",
        title="楼道灯不亮",
        description="三楼楼道灯坏了",
        requester_name="陈阿姨",
        location=IN_B1,
    )


def test_services_json_and_xml(api, case_categories):
    data = api.get(BASE + "services.json").json()
    assert {s["service_code"] for s in data} == set(case_categories)
    assert set(data[0]) >= {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    r = api.get(BASE + "services.xml")
    assert r["Content-Type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "services"
    assert {s.findtext("service_code") for s in root.findall("service")} == set(case_categories)
    assert api.get(BASE + "services/repair.json").json() == {
        "service_code": "repair",
        "attributes": [],
    }
    r = api.get(BASE + "services/nope.json")
    assert r.status_code == 404
    assert r.json()[0]["parameter"] == "service_code"


def test_requests_need_an_account(api, case):
    assert api.get(BASE + "requests.json").status_code == 403
    assert api.post(BASE + "requests.json", {"service_code": "repair"}).status_code == 403


def test_request_fields_json_and_xml(api, staff, case, tree):
    api.force_authenticate(staff)
    [item] = api.get(BASE + "requests.json").json()
    assert REQUIRED <= set(item)
    assert item["service_request_id"] == case.number
    assert item["status"] == "open"
    assert item["status_notes"]
    assert item["lat"] == 23.002
    assert item["long"] == 113.102
    assert item["extended_attributes"] == {
        "community_code": tree.c1.code,
        "compound_code": tree.k1.code,
        "building_code": tree.b1.code,
        "detailed_status": "new",
        "channel": "phone",
    }
    root = ET.fromstring(api.get(BASE + "requests.xml").content)
    assert root.tag == "service_requests"
    [req] = root.findall("request")
    assert req.findtext("service_request_id") == case.number
    assert req.findtext("extended_attributes/building_code") == tree.b1.code
    assert {child.tag for child in req} >= REQUIRED
    assert (
        api.get(BASE + f"requests/{case.number}.json").json()[0]["service_request_id"]
        == case.number
    )
    one = ET.fromstring(api.get(BASE + f"requests/{case.number}.xml").content)
    assert one.find("request/status").text == "open"


def test_closed_status_and_filters(api, staff, case, case_categories):
    other = case_create(
        acting_user=None,
        category=case_categories["repair"],
        channel="phone",
        title="门坏了",
        requester_name="李",
        location=IN_B4,
    )
    case_close(case=other, acting_user=None, reason="not_ours", note="物业负责")
    api.force_authenticate(staff)

    def ids(**query):
        r = api.get(BASE + "requests.json", query)
        assert r.status_code == 200, r.content
        return [i["service_request_id"] for i in r.json()]

    assert ids(status="closed") == [other.number]
    assert ids(status="open") == [case.number]
    closed = api.get(BASE + "requests.json", {"status": "closed"}).json()[0]
    assert closed["status"] == "closed"
    assert closed["expected_datetime"] is None
    assert closed["extended_attributes"]["detailed_status"] == "closed"
    assert ids(service_request_id=case.number, status="closed") == [case.number]
    assert ids(service_code="counsel") == []
    assert sorted(ids(page_size=1, page=1) + ids(page_size=1, page=2)) == sorted(
        [case.number, other.number]
    )
    # The default window is 90 days.
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - dt.timedelta(days=91))
    assert ids() == [other.number]
    start = (timezone.now() - dt.timedelta(days=100)).isoformat()
    assert len(ids(start_date=start)) == 2


@pytest.mark.parametrize(
    ("query", "parameter", "status"),
    [
        ({"status": "fixed"}, "status", 400),
        ({"status": ""}, "status", 400),  # as the schema says (minLength 1), not "both"
        ({"start_date": "yesterday"}, "start_date", 400),
        (
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "end_date",
            400,
        ),
        ({"page": 5, "page_size": 1}, "page", 404),
        ({"page_size": 5000}, "page_size", 400),
    ],
)
def test_bad_queries(api, staff, case, query, parameter, status):
    api.force_authenticate(staff)
    r = api.get(BASE + "requests.json", query)
    assert r.status_code == status, r.content
    [error] = r.json()
    assert error["parameter"] == parameter
    assert error["code"] == status
    assert error["description"]
    xml = ET.fromstring(api.get(BASE + "requests.xml", query).content)
    assert xml.tag == "errors"
    assert xml.findtext("error/parameter") == parameter


def test_post_creates_a_located_online_case(api, staff, case_categories, tree):
    api.force_authenticate(staff)
    r = api.post(
        BASE + "requests.json",
        {
            "service_code": "repair",
            "lat": "23.003",
            "long": "113.113",
            "description": "单元门禁坏了\n进不去",
            "first_name": "小",
            "last_name": "林",
            "phone": "13600002222",
            "email": "lin@example.org",
        },
    )
    assert r.status_code == 201, r.content
    [answer] = r.json()
    case = Case.objects.get(number=answer["service_request_id"])
    assert case.channel == "online"
    assert case.title == "单元门禁坏了"
    assert case.requester_name == "小 林"
    assert case.requester_phone == "13600002222"
    assert (case.community, case.compound, case.building) == (tree.c2, tree.k3, tree.b4)
    xml = api.post(
        BASE + "requests.xml", {"service_code": "repair", "lat": 23.003, "long": 113.113}
    )
    assert xml.status_code == 201
    assert ET.fromstring(xml.content).findtext("request/service_request_id")


def test_post_by_a_known_address(api, staff, case_categories, tree):
    HouseholdFactory(address="东湖花园1栋303")
    api.force_authenticate(staff)
    r = api.post(
        BASE + "requests.json", {"service_code": "repair", "address_string": "东湖花园1栋303"}
    )
    assert r.status_code == 201, r.content
    case = Case.objects.get(number=r.json()[0]["service_request_id"])
    assert case.building == tree.b1
    assert case.address == "东湖花园1栋303"


@pytest.mark.parametrize(
    ("data", "parameter"),
    [
        ({"lat": 23.003, "long": 113.113}, "service_code"),
        ({"service_code": "nope", "lat": 23.003, "long": 113.113}, "service_code"),
        ({"service_code": "repair"}, "lat"),
        ({"service_code": "repair", "lat": 23.003}, "long"),
        ({"service_code": "repair", "lat": 95, "long": 113.113}, "lat"),
        ({"service_code": "repair", "lat": 23.003, "long": "east"}, "long"),
        ({"service_code": "repair", "lat": 30.0, "long": 120.0}, "lat"),  # outside every grid
        ({"service_code": "repair", "address_string": "火星1号"}, "address_string"),
        ({"service_code": "repair", "lat": 23.003, "long": 113.113, "email": "x"}, "email"),
        # PostgreSQL refuses NUL in text outright (a 500 there before).
        (
            {"service_code": "repair", "lat": 23.003, "long": 113.113, "description": "门\x00坏了"},
            "description",
        ),
    ],
)
def test_post_bad_input(api, staff, case_categories, tree, data, parameter):
    api.force_authenticate(staff)
    r = api.post(BASE + "requests.json", data)
    assert r.status_code == 400, r.content
    assert r.json()[0]["parameter"] == parameter
    assert not Case.objects.exists()


def test_unknown_request_is_404(api, staff, case):
    api.force_authenticate(staff)
    r = api.get(BASE + "requests/2000-999999.json")
    assert r.status_code == 404
    assert r.json()[0]["parameter"] == "service_request_id"
