"""Behind a reverse proxy (GRIDGOV_BEHIND_PROXY=1) the client is the address the trusted proxy
appended to X-Forwarded-For: a lockout or a rate limit holds that client, not everyone behind
the proxy, and a client cannot escape it by typing its own X-Forwarded-For (issue 16, item 6).
Served directly, X-Forwarded-For is ignored."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from gridgov.ratelimits.limits import client_ip, client_key

PROXY = "10.1.1.1"  # the reverse proxy: REMOTE_ADDR of every request it forwards
LOGIN = "/en/accounts/login/"


def ip(
    settings, xff: str | None, *, behind: bool = True, count: int = 1, remote: str = PROXY
) -> str:
    settings.GRIDGOV_BEHIND_PROXY, settings.GRIDGOV_PROXY_COUNT = behind, count
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return client_ip(RequestFactory().get("/", **meta))


def test_served_directly_the_header_is_ignored(settings):
    assert ip(settings, "203.0.113.9", behind=False, remote="198.51.100.4") == "198.51.100.4"


@pytest.mark.parametrize(
    ("xff", "count", "client"),
    [
        ("10.0.0.5", 1, "10.0.0.5"),
        ("1.2.3.4, 10.0.0.5", 1, "10.0.0.5"),  # forged left-most entry, then what the proxy saw
        ("1.2.3.4,10.0.0.5", 1, "10.0.0.5"),
        ("1.2.3.4, 10.0.0.5, 172.16.0.2", 2, "10.0.0.5"),  # CDN then load balancer
        ("10.0.0.5", 2, "10.0.0.5"),  # the outer proxy was bypassed: what the inner one saw
        ("10.0.0.5:51234", 1, "10.0.0.5"),  # proxies that append the port
        ("[2001:db8::7]:443", 1, "2001:db8::7"),
        ("2001:DB8::7", 1, "2001:db8::7"),
    ],
)
def test_behind_the_proxy_the_entry_the_proxy_appended(settings, xff, count, client):
    assert ip(settings, xff, count=count) == client


@pytest.mark.parametrize("xff", [None, "", " , ", "unknown", "1.2.3.4, not-an-address"])
def test_no_usable_entry_means_the_peer_address(settings, xff):
    assert ip(settings, xff) == PROXY


# --- two proxies: what the count relies on (docs/OPERATIONS.md, the client_ip docstring) --


def test_two_proxies_that_append_give_the_client(settings):
    # the client typed 1.2.3.4; the load balancer appended the client, nginx the balancer
    assert ip(settings, "1.2.3.4, 203.0.113.7, 172.16.0.2", count=2) == "203.0.113.7"


def test_two_proxies_rely_on_the_inner_one_being_unreachable(settings):
    """A client reaching nginx directly (past the load balancer) sends its own header,
    which nginx extends: the entry taken is the one it typed. Hence: the inner proxies
    must accept connections only from the proxy in front of them."""
    assert ip(settings, "1.2.3.4, 203.0.113.7", count=2, remote=PROXY) == "1.2.3.4"


def test_two_proxies_rely_on_each_appending(settings):
    """An inner proxy that replaces the header (X-Forwarded-For $remote_addr) leaves one
    entry, the load balancer's address: every client is then one client."""
    assert ip(settings, "172.16.0.2", count=2) == "172.16.0.2"


# --- whom a rate limit counts: the IPv4 address, the IPv6 /64 -----------------------------


@pytest.mark.parametrize(
    ("remote", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::7", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:DB8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_the_rate_limit_key(settings, remote, key):
    settings.GRIDGOV_BEHIND_PROXY = False
    assert client_key(RequestFactory().get("/", REMOTE_ADDR=remote)) == key


def test_the_rate_limit_key_behind_the_proxy(settings):
    settings.GRIDGOV_BEHIND_PROXY = True
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="[2001:db8:9:9::1]:443"
    )
    assert client_key(request) == "2001:db8:9:9::/64"
    assert client_key(RequestFactory().get("/", REMOTE_ADDR="")) == "unknown"


# --- django-axes --------------------------------------------------------------------------


@pytest.fixture
def staffer(django_user_model):
    return django_user_model.objects.create_user(username="guessme", password="Right-Horse-42")


def login(client, password: str, xff: str):
    return client.post(
        LOGIN,
        {"username": "guessme", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=xff,
    )


def test_a_lockout_behind_the_proxy_holds_only_the_guessing_client(client, settings, staffer):
    settings.GRIDGOV_BEHIND_PROXY = True
    for _ in range(4):
        again = login(client, "wrong", "10.0.0.5")
        assert again.status_code == 200
        assert "Wrong username or password." in again.content.decode()
    fifth = login(client, "wrong", "10.0.0.5")  # the fifth locks 10.0.0.5
    assert fifth.status_code == 429
    assert "Too many failed logins" in fifth.content.decode()
    assert login(client, "Right-Horse-42", "10.0.0.5").status_code == 429
    # the same account from another client, through the same proxy, still logs in
    assert login(client, "Right-Horse-42", "10.0.0.6").status_code == 302
    client.logout()
    # a forged left-most entry does not make 10.0.0.5 someone else
    assert login(client, "Right-Horse-42", "10.0.0.6, 10.0.0.5").status_code == 429
    assert login(client, "Right-Horse-42", "192.0.2.1,10.0.0.5").status_code == 429


def test_axes_records_the_client_not_the_proxy(client, settings, staffer):
    from axes.models import AccessAttempt

    settings.GRIDGOV_BEHIND_PROXY = True
    login(client, "wrong", "8.8.8.8, 10.0.0.5")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.5"]


def test_axes_keeps_the_exact_ipv6_address(client, staffer):
    """The lockout holds one username from one exact address, and its rows record which
    address tried (docs/OPERATIONS.md: the rate limits count a /64, axes does not)."""
    from axes.models import AccessAttempt

    for _ in range(5):
        client.post(
            LOGIN, {"username": "guessme", "password": "wrong"}, REMOTE_ADDR="2001:db8:1:2::5"
        )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["2001:db8:1:2::5"]
    assert (
        client.post(
            LOGIN,
            {"username": "guessme", "password": "Right-Horse-42"},
            REMOTE_ADDR="2001:db8:1:2::5",
        ).status_code
        == 429
    )
    assert (
        client.post(
            LOGIN,
            {"username": "guessme", "password": "Right-Horse-42"},
            REMOTE_ADDR="2001:db8:1:2::6",
        ).status_code
        == 302
    )


def test_served_directly_a_typed_header_does_not_evade_the_lockout(client, staffer):
    for n in range(5):
        client.post(
            LOGIN,
            {"username": "guessme", "password": "wrong"},
            REMOTE_ADDR="10.0.0.7",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
        )
    assert (
        client.post(
            LOGIN,
            {"username": "guessme", "password": "Right-Horse-42"},
            REMOTE_ADDR="10.0.0.7",
            HTTP_X_FORWARDED_FOR="10.9.9.9",
        ).status_code
        == 429
    )


# --- the rate limits use the same address -------------------------------------------------


def assert_answered(response, text: str) -> None:
    assert response.status_code == 200
    assert text in response.content.decode()


def assert_too_many(response, text: str) -> None:
    assert response.status_code == 429
    assert text in response.content.decode()


def test_every_limiter_counts_the_client_behind_the_proxy(client, settings, db):
    """The finder page and the point-lookup API (one budget) and the reporting registration:
    per client the proxy saw, whatever the client typed in front of it."""
    settings.GRIDGOV_BEHIND_PROXY = True
    settings.GRIDGOV_FINDER_RATE_LIMIT = 2
    settings.GRIDGOV_REPORTING_REGISTER_LIMIT = 1
    a = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "10.0.0.5"}
    forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "10.0.0.6, 10.0.0.5"}
    b = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "10.0.0.6"}
    assert_answered(client.get("/en/find/", {"q": "1栋"}, **a), "Find my building leader")
    assert client.get("/api/v1/locate/", {"lon": 0, "lat": 0}, **a).status_code == 404
    assert_too_many(client.get("/en/find/", {"q": "1栋"}, **forged), "Too many lookups")
    assert client.get("/api/v1/locate/", {"lon": 0, "lat": 0}, **forged).status_code == 429
    assert_answered(client.get("/en/find/", {"q": "1栋"}, **b), "Find my building leader")

    register = "/en/reporting/register/"
    assert_answered(client.post(register, {}, **a), "This field is required.")  # the form again
    assert client.post(register, {}, **forged).status_code == 429
    assert_answered(client.post(register, {}, **b), "This field is required.")
