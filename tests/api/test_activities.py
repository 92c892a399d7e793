"""/api/v1/activities/: service activities as GeoJSON, public notice fields only."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.utils import timezone

from gridgov.accounts.models import StaffRole
from gridgov.api.models import ApiKey
from gridgov.api.services import api_key_issue
from gridgov.people.models import OrgKind, PartyOrganisation
from gridgov.service import services
from gridgov.service.models import ServiceCategory
from tests.api.conftest import assert_error
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/activities/"
seed = importlib.import_module("gridgov.service.migrations.0002_seed_categories")

IN_K1 = Point(113.102, 23.006, srid=4326)  # open ground in compound K1 (community C1)
IN_B4 = Point(113.113, 23.003, srid=4326)  # community C2
PUBLIC = {
    "title",
    "category",
    "category_name",
    "starts_at",
    "ends_at",
    "status",
    "capacity",
    "places_left",
    "address",
    "organiser_grid_code",
    "organiser_organisation",
    "grid_code",
    "community_code",
    "compound_code",
    "building_code",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the per-key throttle counts in the cache
    yield
    cache.clear()


@pytest.fixture
def kinds(db) -> dict[str, ServiceCategory]:
    return {
        code: ServiceCategory.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in seed.CATEGORIES
    }


@pytest.fixture
def acts(tree, make_user, kinds):
    """K1's clean-up in two days (a member signed up), C2's visit in ten days, and K1's
    cancelled talk in twenty days."""
    k1_staff = make_user("k1sec", StaffRole.BRANCH_SECRETARY, tree.k1)
    c2_staff = make_user("c2sec", StaffRole.COMMUNITY_SECRETARY, tree.c2)
    PartyOrganisation.objects.create(
        kind=OrgKind.COMPOUND_BRANCH, name="东湖花园党支部", grid=tree.k1
    )
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)

    def publish(title, by, grid, point, days, category, capacity=10):
        start = today + dt.timedelta(days=days)
        return services.activity_publish(
            acting_user=by,
            organiser_grid=grid,
            title=title,
            category=kinds[category],
            location=point,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=capacity,
            description="带好手套",
            address="活动室",
        )

    clean = publish("清理楼道杂物", k1_staff, tree.k1, IN_K1, 2, "clean_home", capacity=3)
    visit = publish(
        "探访独居老人", c2_staff, tree.c2, IN_B4, 10, next(c for c in kinds if c != "clean_home")
    )
    talk = publish("政策宣讲", k1_staff, tree.k1, IN_K1, 20, "clean_home")
    services.activity_cancel(activity=talk, acting_user=k1_staff, reason="场地维修")
    member_user = get_user_model().objects.create_user(username="wang", password="x-Pass-2026!")
    wang = MemberFactory(
        name="王芳",
        location=Point(113.102, 23.002, srid=4326),
        phone="13912345678",
        user=member_user,
    )
    services.signup_create(activity=clean, member=wang, acting_user=member_user)
    return {
        "clean": clean,
        "visit": visit,
        "talk": talk,
        "wang": wang,
        "member_user": member_user,
        "today": today,
    }


def test_a_member_reads_the_public_notices_as_geojson(api, acts):
    api.force_authenticate(acts["member_user"])
    r = api.get(URL)
    assert r.status_code == 200
    data = r.json()
    assert data["type"] == "FeatureCollection"
    assert data["count"] == 3
    assert [f["properties"]["title"] for f in data["features"]] == [
        "清理楼道杂物",
        "探访独居老人",
        "政策宣讲",
    ]  # soonest first
    clean = data["features"][0]
    assert clean["id"] == acts["clean"].pk
    assert clean["geometry"] == {"type": "Point", "coordinates": [113.102, 23.006]}
    assert set(clean["properties"]) == PUBLIC
    p = clean["properties"]
    assert (p["capacity"], p["places_left"]) == (3, 2)  # one member signed up
    assert p["organiser_organisation"] == "东湖花园党支部"
    assert (p["organiser_grid_code"], p["community_code"], p["compound_code"]) == (
        "100001001",
        "100001",
        "100001001",
    )
    assert p["category"] == "clean_home"
    assert p["status"] == "published"
    assert data["features"][2]["properties"]["status"] == "cancelled"
    # Nothing about the members who signed up, nor the organisers' check-in code.
    text = r.content.decode()
    assert "王芳" not in text
    assert "13912345678" not in text
    assert acts["clean"].checkin_code not in text
    assert "带好手套" not in text


def test_anonymous_callers_are_refused_and_keys_need_the_read_scope(api, acts):
    assert_error(api.get(URL), 403, None)
    assert_error(api.get(f"{URL}{acts['clean'].pk}/"), 403, None)
    reader = api_key_issue(key=ApiKey(name="city platform", can_read=True), acting_user=None)
    r = api.get(URL, HTTP_X_API_KEY=reader)
    assert r.status_code == 200
    assert r.json()["count"] == 3
    poster = api_key_issue(
        key=ApiKey(name="12345", can_read=False, can_post_requests=True), acting_user=None
    )
    assert_error(api.get(URL, HTTP_X_API_KEY=poster), 403, "api_key")
    # A key narrowed to another grid still reads every notice (they are public notices).
    narrow = api_key_issue(
        key=ApiKey(name="GIS", can_read=True, scope_code="100002"), acting_user=None
    )
    assert api.get(URL, HTTP_X_API_KEY=narrow).json()["count"] == 3


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"grid": "100001"}, ["清理楼道杂物", "政策宣讲"]),
        ({"grid": "100002"}, ["探访独居老人"]),
        ({"grid": "100001002"}, []),
        ({"category": "clean_home"}, ["清理楼道杂物", "政策宣讲"]),
        ({"bbox": "113.110,23.000,113.120,23.010"}, ["探访独居老人"]),
    ],
)
def test_filters(api, acts, query, titles):
    api.force_authenticate(acts["member_user"])
    r = api.get(URL, query)
    assert r.status_code == 200, r.content
    assert [f["properties"]["title"] for f in r.json()["features"]] == titles


def test_date_filters_take_days_and_date_times(api, acts):
    api.force_authenticate(acts["member_user"])
    day = lambda n: (acts["today"] + dt.timedelta(days=n)).date().isoformat()  # noqa: E731

    def titles(**query):
        r = api.get(URL, query)
        assert r.status_code == 200, r.content
        return [f["properties"]["title"] for f in r.json()["features"]]

    assert titles(**{"from": day(3)}) == ["探访独居老人", "政策宣讲"]
    assert titles(to=day(2)) == ["清理楼道杂物"]  # a date includes its whole day
    assert titles(**{"from": day(2), "to": day(10)}) == ["清理楼道杂物", "探访独居老人"]
    # A date-time: the visit (9:00-11:00 on day 10) is still on at 10:30, over at 11:30.
    at = acts["today"] + dt.timedelta(days=10, hours=1, minutes=30)
    assert titles(**{"from": at.isoformat()}) == ["探访独居老人", "政策宣讲"]
    assert titles(**{"from": (at + dt.timedelta(hours=1)).isoformat()}) == ["政策宣讲"]
    assert titles(**{"from": day(10), "to": day(2)}) == []  # an empty range, not an error
    # The calendar's ends are valid dates (fuzzing found year 1 made a 500).
    assert len(titles(**{"from": "0001-01-01", "to": "9999-12-31"})) == 3
    assert titles(**{"from": "9999-12-31T23:59:59+14:00"}) == []
    assert titles(to="0001-01-01T00:00:00-12:00") == []
    # ISO 8601 offsets go to ±23:59, PostgreSQL's only to ±15:59 (a 500 there, found by the
    # proof run): the moment is the same, read in UTC.
    assert titles(
        to=(at - dt.timedelta(hours=20))
        .astimezone(dt.timezone(dt.timedelta(hours=19, minutes=24)))
        .isoformat()
    ) == ["清理楼道杂物"]
    assert titles(to="3579-06-16T19:11:05+19:24") == ["清理楼道杂物", "探访独居老人", "政策宣讲"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=113.2,23,113.1,23.1", "bbox"),
        ("bbox=113,95,114,96", "bbox"),
        ("from=yesterday", "from"),
        ("from=2026-13-01", "from"),
        ("to=2026-02-30", "to"),
        ("to=23/11/2026", "to"),
        ("page=0", "page"),
        ("page_size=1001", "page_size"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api, acts, query, parameter):
    api.force_authenticate(acts["member_user"])
    assert_error(api.get(f"{URL}?{query}"), 400, parameter)


def test_one_activity(api, acts):
    api.force_authenticate(acts["member_user"])
    r = api.get(f"{URL}{acts['visit'].pk}/")
    assert r.status_code == 200
    feature = r.json()
    assert feature["type"] == "Feature"
    assert feature["id"] == acts["visit"].pk
    assert set(feature["properties"]) == PUBLIC
    assert feature["properties"]["community_code"] == "100002"
    assert feature["properties"]["organiser_organisation"] is None  # none recorded for C2
    assert_error(api.get(f"{URL}999999/"), 404, "id")
    assert_error(api.get(f"{URL}abc/"), 404, "path")


def test_pages(api, acts):
    api.force_authenticate(acts["member_user"])
    first = api.get(URL, {"page_size": 2}).json()
    assert len(first["features"]) == 2
    assert first["count"] == 3
    assert first["next"]
    assert_error(api.get(URL, {"page_size": 2, "page": 3}), 404, "page")


def test_schema_describes_what_the_endpoint_answers(api, acts):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    listing = schema["paths"]["/api/v1/activities/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "grid",
        "from",
        "to",
        "category",
        "bbox",
        "page",
        "page_size",
    }
    assert {"200", "400", "401", "403", "404", "429"} <= set(listing["responses"])
    one = schema["paths"]["/api/v1/activities/{id}/"]["get"]
    feature = schema["components"]["schemas"][
        one["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    ]
    assert set(feature["properties"]["properties"]["properties"]) == PUBLIC
