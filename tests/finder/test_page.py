"""The public page as anyone gets it: no login, no resident data, masked phones, one building
per lookup, suggestions instead of errors, and a 429 after too many lookups."""

import re

import pytest
from django.test import override_settings

from gridgov.grids.models import Kind, Level
from gridgov.grids.services import grid_create
from tests.factories import box
from tests.pages import shows
from tests.world import DEPUTY_PHONE, GROUP_PHONE, LEADER_MASKED, LEADER_PHONE

pytestmark = pytest.mark.django_db

URL = "/find/"


def get(client, **params):
    response = client.get(URL, params)
    return response, response.content.decode()


def assert_private(page, people):
    """Nothing about residents, no number of a member who did not opt in, no member address."""
    for r in people.residents:
        assert r.name not in page
        assert r.phone not in page
    assert "东湖花园1栋1单元101室" not in page  # the household's address
    assert "私密" not in page  # the leader's home address
    assert LEADER_PHONE not in page
    assert DEPUTY_PHONE not in page
    assert people.other.name not in page  # a member without a role is no contact


def test_blank_page_needs_no_login_and_lists_nobody(client, tree, people):
    response, page = get(client)
    assert response.status_code == 200
    assert 'name="q"' in page
    assert 'lang="zh-hans"' in page
    for name in ("王楼长", "李组长", "赵副组长", "周联系人"):
        assert name not in page  # no enumeration
    assert_private(page, people)


def test_address_lookup_shows_contacts_masked(client, tree, people):
    response, page = get(client, q="东湖花园一栋3单元")
    assert response.status_code == 200
    assert "王楼长" in page
    assert LEADER_MASKED in page
    assert "水电维修" in page
    assert "有事您找我，件件有回音" in page
    assert f'href="tel:{GROUP_PHONE}"' in page  # opted in: shown and callable
    assert "赵副组长" in page
    assert "137****3333" in page
    assert "东湖社区党委" in page
    assert "东湖花园党支部" in page
    assert "/cases/?building=100001001001" in page
    assert "周联系人" not in page  # only this building's contacts
    assert_private(page, people)


def test_every_outcome_is_private(client, tree, people):
    for params in (
        {"q": "1栋"},
        {"q": "东胡花园1栋"},
        {"q": "东湖花园"},
        {"lon": "113.102", "lat": "23.002"},
        {"lon": "113.09", "lat": "23.002"},
        {"building": "100001001001"},
        {"q": "钱居民"},
        {"q": "13311112222"},
    ):
        response, page = get(client, **params)
        assert response.status_code == 200, params
        # What the visitor typed is echoed back to them (the search box, the language
        # switch's return URL) and nowhere else.
        q = params.get("q", "")
        page = page.replace(f'value="{q}"', "").replace(f'value="/find/?q={q}"', "")
        assert_private(page, people)


def test_ambiguous_address_offers_a_choice_list(client, tree, people):
    _, page = get(client, q="西苑1栋")
    links = re.findall(r'href="\?building=(\d+)"', page)
    assert set(links) == {tree.b3.code, people.xiyuan2_b1.code}
    assert "王楼长" not in page
    _, page = get(client, building=people.xiyuan2_b1.code)
    assert "南山社区" in page


def test_no_match_offers_suggestions_not_an_error(client, tree, people):
    response, page = get(client, q="东胡花园1栋")
    assert response.status_code == 200
    assert "?q=%E4%B8%9C%E6%B9%96%E8%8A%B1%E5%9B%AD1%E6%A0%8B" in page  # ?q=东湖花园1栋
    response, page = get(client, q="和安公寓5栋")
    assert response.status_code == 200
    assert "finder-result" in page


def test_outside_names_the_nearest_community_and_metres(client, tree, people):
    _, page = get(client, lon="113.090", lat="23.002")
    assert "东湖社区" in page
    assert re.search(r"11[23]\d", page)  # about 1127 m
    assert "王楼长" not in page


def test_gcj02_location(client, tree, people):
    from geodata.crs import from_wgs84

    lon, lat = from_wgs84([113.102], [23.002], "gcj02")
    _, page = get(client, lon=f"{lon[0]:.7f}", lat=f"{lat[0]:.7f}", crs="gcj02")
    assert "王楼长" in page


@pytest.mark.parametrize(
    "params",
    [{"lon": "x", "lat": "y"}, {"building": "nope"}, {"lon": "113.1", "lat": "23", "crs": "bogus"}],
)
def test_bad_input_is_a_page_not_an_error(client, tree, people, params):
    response, page = get(client, **params)
    assert response.status_code == 200
    assert "finder-result" in page


@override_settings(GRIDGOV_FINDER_RATE_LIMIT=3)
def test_rate_limit_returns_429_after_the_limit(client, tree, people):
    shows(client.get(URL), "找我的楼长")  # the blank form is not a lookup
    for _ in range(3):
        shows(client.get(URL, {"q": "东湖花园1栋"}), "王楼长")
    response = client.get(URL, {"q": "东湖花园1栋"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "王楼长" not in page
    assert "finder-limited" in page
    assert client.get(URL, {"lon": "113.102", "lat": "23.002"}).status_code == 429
    # another client is counted on its own
    shows(client.get(URL, {"q": "东湖花园1栋"}, REMOTE_ADDR="10.0.0.9"), "王楼长")
    # a forged X-Forwarded-For does not reset the counter
    assert client.get(URL, {"q": "东湖花园1栋"}, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_default_limit_is_30_a_minute(client, tree):
    codes = [client.get(URL, {"q": "1栋"}).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30
    assert codes[30] == 429


def test_names_are_escaped(client, tree):
    k = grid_create(
        acting_user=None,
        level=Level.COMPOUND,
        code="100002003",
        name="<b>坏</b>花园",
        kind=Kind.RESIDENTIAL,
        geom=box(113.1101, 23.0091, 113.1109, 23.0099),
        parent=tree.c2,
    )
    grid_create(
        acting_user=None,
        level=Level.BUILDING,
        code="100002003001",
        name="1栋",
        kind=Kind.BUILDING,
        geom=box(113.1102, 23.0092, 113.1108, 23.0098),
        parent=k,
    )
    _, page = get(client, q="<b>坏</b>花园1栋")
    assert "<b>坏</b>" not in page
    assert "&lt;b&gt;坏&lt;/b&gt;" in page


def test_english_page(client, tree, people):
    page = client.get("/en/find/", {"q": "东湖花园1栋"}).content.decode()
    assert 'lang="en"' in page
    assert "Find my building leader" in page
    assert "王楼长" in page


def test_map_uses_only_local_assets(client, tree):
    _, page = get(client)
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/leaflet/leaflet.js" in urls
    assert not [u for u in urls if u.startswith(("http:", "https:", "//"))]
