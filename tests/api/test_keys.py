"""API keys: issued in the admin (shown once, stored hashed), scopes, revocation, the
per-key rate limit and the use log."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from gridgov.accounts.models import AuditEntry
from gridgov.api.models import ApiKey, ApiKeyUse
from gridgov.api.services import api_key_issue, api_key_revoke
from gridgov.cases.models import Case
from gridgov.cases.services import case_create
from tests.api.conftest import assert_error
from tests.pages import shows
from tests.world import IN_B1, IN_B4

pytestmark = pytest.mark.django_db
O311 = "/open311/v2/"
GRIDS = "/api/v1/grids/"
KEY_RE = re.compile(r"gg_[0-9a-f]{8}_[-\w]{20,}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def issue(**fields) -> tuple[ApiKey, str]:
    key = ApiKey(name=fields.pop("name", "12345 hotline"), **fields)
    raw = api_key_issue(key=key, acting_user=None)
    return key, raw


def grid_codes(response) -> set[str]:
    """The codes of the grids a GeoJSON answer holds."""
    assert response.status_code == 200, response.content
    return {f["properties"]["code"] for f in response.json()["features"]}


def service_codes(response) -> set[str]:
    """The service codes of an Open311 service list."""
    assert response.status_code == 200, response.content
    return {s["service_code"] for s in response.json()}


@pytest.fixture
def cases(tree, case_categories):
    """One case in community 100001 (B1), one in 100002 (B4)."""
    make = lambda point, title: case_create(  # noqa: E731
        acting_user=None,
        category=case_categories["repair"],
        channel="phone",
        title=title,
        requester_name="陈阿姨",
        location=point,
    )
    return make(IN_B1, "东湖"), make(IN_B4, "南山")


def test_admin_issues_a_key_shown_once_and_stored_hashed(client, tree):
    admin = get_user_model().objects.create_superuser("root", password="x-Pass-2026!")
    client.force_login(admin)
    r = client.post(
        reverse("admin:api_apikey_add"),
        {
            "name": "12345 hotline",
            "can_post_requests": "on",
            "scope_code": "",
            "rate_limit_per_minute": "60",
        },
        follow=True,
    )
    assert r.status_code == 200
    [raw] = set(KEY_RE.findall(r.content.decode()))
    key = ApiKey.objects.get()
    assert raw.startswith(f"gg_{key.prefix}_")
    assert key.created_by == admin
    assert key.can_post_requests
    assert not key.can_read
    assert key.rate_limit_per_minute == 60
    stored = " ".join(str(v) for v in ApiKey.objects.values().get().values())
    assert raw not in stored
    assert raw[12:] not in stored
    assert len(key.secret_hash) == 64
    audit = AuditEntry.objects.get(action="api_key.issued")
    assert raw not in str(audit.after)
    assert "secret_hash" not in audit.after
    # Shown once: the change page and the list do not show it again.
    for url in (
        reverse("admin:api_apikey_change", args=[key.pk]),
        reverse("admin:api_apikey_changelist"),
    ):
        page = client.get(url).content.decode()
        assert raw not in page
        assert key.prefix in page
    # Never deletable; revoked through the action.
    assert client.post(reverse("admin:api_apikey_delete", args=[key.pk])).status_code == 403
    r = client.post(
        reverse("admin:api_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
        follow=True,
    )
    assert r.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is not None
    # The use log is read-only.
    shows(client.get("/en/admin/api/apikeyuse/"), "Select API key use to view")
    assert client.get(reverse("admin:api_apikeyuse_add")).status_code == 403


@pytest.mark.parametrize("how", ["authorization", "x-api-key"])
def test_a_valid_key_reads_layers(api, tree, how):
    key, raw = issue(can_read=True)
    headers = (
        {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
        if how == "authorization"
        else {"HTTP_X_API_KEY": raw}
    )
    r = api.get(GRIDS, {"level": 1}, **headers)
    assert r.status_code == 200, r.content
    assert {f["properties"]["code"] for f in r.json()["features"]} == {"100001", "100002"}
    use = ApiKeyUse.objects.get()
    assert (use.key, use.method, use.status_code) == (key, "GET", 200)
    assert use.path == "/api/v1/grids/?level=1"
    assert use.remote_addr == "127.0.0.1"
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize(
    ("headers", "parameter"),
    [
        ({"HTTP_X_API_KEY": "gg_0123abcd_nope-nope-nope-nope-nope"}, "X-Api-Key"),
        ({"HTTP_X_API_KEY": "not a key"}, "X-Api-Key"),
        ({"HTTP_X_API_KEY": ""}, "X-Api-Key"),
        ({"HTTP_AUTHORIZATION": "Api-Key gg_0123abcd_nope-nope-nope-nope-nope"}, "Authorization"),
        ({"HTTP_AUTHORIZATION": "Api-Key"}, "Authorization"),
    ],
)
def test_a_wrong_key_is_refused_naming_where_it_came(api, tree, headers, parameter):
    issue(can_read=True)
    r = api.get(GRIDS, **headers)
    data = assert_error(r, 401, parameter)
    assert r["WWW-Authenticate"] == "Api-Key"
    assert "features" not in data
    assert ApiKeyUse.objects.get().status_code == 401


def test_a_key_of_right_prefix_but_wrong_secret_is_refused(api, tree):
    key, raw = issue(can_read=True)
    assert_error(api.get(GRIDS, HTTP_X_API_KEY=raw[:-2] + "xx"), 401, "X-Api-Key")
    use = ApiKeyUse.objects.get()
    assert use.key is None
    assert use.prefix == key.prefix


def test_a_revoked_key_is_refused(api, tree, cases):
    key, raw = issue(can_read=True, can_post_requests=True)
    api_key_revoke(key=key, acting_user=None)
    data = assert_error(api.get(GRIDS, HTTP_X_API_KEY=raw), 401, "X-Api-Key")
    key.refresh_from_db()
    assert f"{key.revoked_at:%Y-%m-%d}" in data["detail"]  # "revoked on <date>" in any language
    r = api.get(O311 + "requests.json", {"api_key": raw})
    assert r.status_code == 401
    assert r.json()[0]["parameter"] == "api_key"
    assert list(ApiKeyUse.objects.order_by("id").values_list("key", "status_code")) == [
        (key.pk, 401),
        (key.pk, 401),
    ]


def test_api_key_in_a_rest_address_is_refused(api, tree):
    _key, raw = issue(can_read=True)
    assert_error(api.get(GRIDS, {"api_key": raw}), 401, "api_key")
    assert raw not in ApiKeyUse.objects.get().path


def test_a_post_only_key_may_not_read_layers(api, tree):
    _key, raw = issue(can_read=False, can_post_requests=True)
    assert_error(api.get(GRIDS, HTTP_X_API_KEY=raw), 403, "api_key")
    # ... but it may read the service catalogue it posts against.
    assert "repair" in service_codes(api.get(O311 + "services.json", {"api_key": raw}))


def test_a_key_is_not_an_account(api, tree):
    _key, raw = issue(can_read=True)
    assert api.get("/api/v1/residents/", HTTP_X_API_KEY=raw).status_code == 403


def test_a_read_only_key_cannot_post_a_request(api, tree, case_categories):
    _key, raw = issue(can_read=True)
    r = api.post(
        O311 + "requests.json",
        {"api_key": raw, "service_code": "repair", "lat": 23.003, "long": 113.113},
    )
    assert r.status_code == 403
    assert r.json()[0]["parameter"] == "api_key"
    assert not Case.objects.exists()


@pytest.mark.parametrize("how", ["body", "query", "header"])
def test_a_post_key_creates_a_located_case(api, tree, case_categories, how):
    key, raw = issue(can_read=False, can_post_requests=True)
    data = {
        "service_code": "repair",
        "lat": "23.003",
        "long": "113.113",
        "description": "单元门禁坏了",
        "first_name": "小",
        "last_name": "林",
    }
    url, extra = O311 + "requests.json", {}
    if how == "body":
        data["api_key"] = raw
    elif how == "query":
        url += f"?api_key={raw}"
    else:
        extra["HTTP_X_API_KEY"] = raw
    r = api.post(url, data, **extra)
    assert r.status_code == 201, r.content
    case = Case.objects.get(number=r.json()[0]["service_request_id"])
    assert (case.community, case.compound, case.building) == (tree.c2, tree.k3, tree.b4)
    assert case.channel == "online"
    assert case.requester_name == "小 林"
    use = ApiKeyUse.objects.get()
    assert (use.key, use.method, use.status_code) == (key, "POST", 201)
    assert raw not in use.path


def test_a_post_key_outside_every_grid_names_lat(api, tree, case_categories):
    _key, raw = issue(can_read=False, can_post_requests=True)
    r = api.post(
        O311 + "requests.json",
        {"api_key": raw, "service_code": "repair", "lat": 40.0, "long": 116.0},
    )
    assert r.status_code == 400
    assert r.json()[0]["parameter"] == "lat"
    assert ApiKeyUse.objects.get().status_code == 400


def test_open311_reads_are_limited_to_the_key_scope(api, tree, cases):
    east, south = cases
    _key, raw = issue(can_read=True, scope_code="100001")
    r = api.get(O311 + "requests.json", {"api_key": raw})
    assert r.status_code == 200, r.content
    assert [x["service_request_id"] for x in r.json()] == [east.number]
    assert api.get(O311 + f"requests/{south.number}.json", HTTP_X_API_KEY=raw).status_code == 404
    _all, everything = issue(name="city platform", can_read=True)
    got = {
        x["service_request_id"]
        for x in api.get(O311 + "requests.json", HTTP_X_API_KEY=everything).json()
    }
    assert got == {east.number, south.number}
    _post, post_only = issue(name="hotline", can_read=False, can_post_requests=True)
    r = api.get(O311 + "requests.json", {"api_key": post_only})
    assert r.status_code == 403
    assert r.json()[0]["parameter"] == "api_key"


def test_rate_limit_answers_429_after_n_requests(api, tree):
    key, raw = issue(can_read=True, rate_limit_per_minute=3)
    codes = [api.get(GRIDS, HTTP_X_API_KEY=raw).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = api.get(GRIDS, HTTP_X_API_KEY=raw)
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0
    assert r["Content-Type"].startswith("application/json")
    assert r.json()["detail"]
    # Another key has its own budget; callers without a key are not throttled here.
    _other, other = issue(name="GIS", can_read=True)
    assert grid_codes(api.get(GRIDS, HTTP_X_API_KEY=other)) >= {"100001", "100002"}
    assert grid_codes(api.get(GRIDS)) >= {"100001", "100002"}
    assert list(
        ApiKeyUse.objects.filter(key=key).order_by("id").values_list("status_code", flat=True)
    ) == [200, 200, 200, 429, 429]


def test_anonymous_callers_are_unchanged(api, tree, cases):
    assert grid_codes(api.get(GRIDS)) >= {"100001", "100002"}
    assert api.get(O311 + "requests.json").status_code == 403
    assert not ApiKeyUse.objects.exists()


def test_an_empty_key_is_refused_wherever_it_is_even_beside_a_good_one(api, cases):
    """One rule for every place: an empty key is a misconfigured client, never anonymous
    and never overruled by a good key elsewhere in the request."""
    _key, raw = issue(can_read=True)
    r = api.get(f"{O311}services.json", {"api_key": ""}, HTTP_X_API_KEY=raw)
    assert r.status_code == 401
    # the API speaks the site's language (zh-hans): "Empty API key."
    assert r.json() == [{"code": 401, "description": "接口密钥为空。", "parameter": "api_key"}]
    r = api.get(f"{O311}requests.json", HTTP_X_API_KEY="")
    assert r.status_code == 401
    assert r.json()[0]["parameter"] == "X-Api-Key"
    assert_error(api.get(GRIDS, HTTP_X_API_KEY=""), 401, "X-Api-Key")
    assert_error(api.get(GRIDS, HTTP_AUTHORIZATION="Api-Key "), 401, "Authorization")
    assert "repair" in service_codes(api.get(f"{O311}services.json", HTTP_X_API_KEY=raw))
