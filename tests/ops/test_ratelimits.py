"""Rate limits in their own cache, shared by every worker (issue 16, item 7), and the point
lookup API under the finder page's limit (item 1): the counters live in CACHES["ratelimit"]
(the database table made by migrate, or Redis), the rendered maps stay in the default cache.
The test across real gunicorn workers is tests/ops/test_workers.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection

from gridgov.api.models import ApiKey
from gridgov.api.services import api_key_issue
from gridgov.ratelimits.limits import ALIAS, hit
from tests.pages import shows

ROOT = Path(__file__).resolve().parents[2]
LOCATE = "/api/v1/locate/"
FIND = "/en/find/"
TABLE = "gridgov_ratelimit"

pytestmark = pytest.mark.django_db


def expires(key: str):
    cache = caches[ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT expires FROM {TABLE} WHERE cache_key = %s", [cache.make_key(key)])
        return cursor.fetchone()[0]


def test_migrate_made_the_table_and_the_counters_are_rows_in_it():
    assert TABLE in connection.introspection.table_names()
    assert caches["default"].__class__.__name__ == "LocMemCache"  # the rendered maps
    assert [hit("t", "10.0.0.5", 60) for _ in range(3)] == [1, 2, 3]
    assert hit("t", "10.0.0.6", 60) == 1
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        assert cursor.fetchone()[0] == 2


def test_a_count_keeps_the_window_end():
    """Django's DatabaseCache.incr rewrites the row with the default timeout (300 s): a
    client counting on would push its own window further away, forever."""
    hit("w", "10.0.0.5", 60)
    end = expires("rl:w:10.0.0.5")
    for _ in range(5):
        hit("w", "10.0.0.5", 60)
    assert expires("rl:w:10.0.0.5") == end
    assert caches[ALIAS].get("rl:w:10.0.0.5") == 6


def test_an_expired_counter_starts_again():
    cache = caches[ALIAS]
    cache.set("rl:x:10.0.0.5", 41, timeout=-1)  # already expired
    with pytest.raises(ValueError, match="not found"):
        cache.incr("rl:x:10.0.0.5")
    assert hit("x", "10.0.0.5", 60) == 1
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-counted")


# --- the point lookup API: the finder page's limit, one budget -----------------------------


def test_locate_is_refused_after_the_limit_with_json_and_retry_after(client, settings):
    settings.GRIDGOV_FINDER_RATE_LIMIT = 3
    codes = [client.get(LOCATE, {"lon": 0, "lat": 0}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]  # 404: not in our area (no grids here)
    r = client.get(LOCATE, {"lon": 0, "lat": 0})
    assert r.status_code == 429
    assert r["Retry-After"] == "60"
    assert r["Content-Type"].startswith("application/json")
    assert r.json()["detail"]
    # another client has its own budget
    assert client.get(LOCATE, {"lon": 0, "lat": 0}, REMOTE_ADDR="10.0.0.9").status_code == 404


FINDER = "Find my building leader"  # the finder page's heading
TOO_MANY = "Too many lookups"  # its refusal


def assert_layer(response) -> None:
    """A GeoJSON layer answered (empty here: these tests draw no grids)."""
    assert response.status_code == 200, response.content
    assert response.json()["type"] == "FeatureCollection"


def test_the_page_and_the_api_count_together(client, settings):
    settings.GRIDGOV_FINDER_RATE_LIMIT = 3
    shows(client.get(FIND, {"q": "1栋"}), FINDER)
    assert client.get(LOCATE, {"lon": 0, "lat": 0}).status_code == 404
    shows(client.get(FIND, {"q": "1栋"}), FINDER)
    assert client.get(LOCATE, {"lon": 0, "lat": 0}).status_code == 429
    shows(client.get(FIND, {"q": "1栋"}), TOO_MANY, status=429)


def test_a_key_is_limited_by_its_own_rate_not_the_public_one(client, settings):
    settings.GRIDGOV_FINDER_RATE_LIMIT = 1
    key = ApiKey(name="12345 hotline", can_read=True, rate_limit_per_minute=4)
    raw = api_key_issue(key=key, acting_user=None)
    codes = [
        client.get(LOCATE, {"lon": 0, "lat": 0}, HTTP_X_API_KEY=raw).status_code for _ in range(5)
    ]
    assert codes == [404, 404, 404, 404, 429]
    assert client.get(LOCATE, {"lon": 0, "lat": 0}).status_code == 404  # the public budget
    assert client.get(LOCATE, {"lon": 0, "lat": 0}).status_code == 429


# --- the cache from the environment -------------------------------------------------------

CACHE_OF = """
import django
django.setup()
from django.conf import settings
c = settings.CACHES
print(c["ratelimit"]["BACKEND"], c["ratelimit"]["LOCATION"], c["default"]["BACKEND"])
"""


def caches_with(url: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_")}
    env.update(GRIDGOV_SECRET_KEY="x", DJANGO_SETTINGS_MODULE="gridgov.settings")
    if url is not None:
        env["GRIDGOV_RATELIMIT_CACHE_URL"] = url
    done = subprocess.run(
        [sys.executable, "-c", CACHE_OF],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (None, f"gridgov.ratelimits.backends.DatabaseCounterCache {TABLE}"),
        (
            "redis://cache.intranet:6379/2",  # Django's own backend; redis is imported only on use
            "django.core.cache.backends.redis.RedisCache redis://cache.intranet:6379/2",
        ),
        ("locmemcache://", "django.core.cache.backends.locmem.LocMemCache "),
    ],
)
def test_the_ratelimit_cache_comes_from_the_environment(url, expected):
    out = caches_with(url)
    assert out.startswith(expected)
    assert out.endswith("django.core.cache.backends.locmem.LocMemCache")  # maps: unchanged


# --- IPv6: one /64 is one client (review of issue 16) -------------------------------------


def test_ipv6_clients_are_counted_by_their_64(client, settings):
    """A subscriber is routed a whole /64 and may send every request from another address
    in it: per address, the finder's full numbers (?building=) could be walked unlimited."""
    settings.GRIDGOV_FINDER_RATE_LIMIT = 3
    codes = [
        client.get(FIND, {"building": "B1"}, REMOTE_ADDR=f"2001:db8:1:2::{n:x}").status_code
        for n in range(1, 5)
    ]
    assert codes == [200, 200, 200, 429]
    assert (
        client.get(
            LOCATE, {"lon": 0, "lat": 0}, REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:fffe"
        ).status_code
        == 429
    )
    # the next /64 is another subscriber
    shows(client.get(FIND, {"building": "B1"}, REMOTE_ADDR="2001:db8:1:3::1"), FINDER)


def test_ipv4_clients_are_counted_by_their_address(client, settings):
    settings.GRIDGOV_FINDER_RATE_LIMIT = 1
    shows(client.get(FIND, {"q": "1栋"}, REMOTE_ADDR="198.51.100.1"), FINDER)
    shows(client.get(FIND, {"q": "1栋"}, REMOTE_ADDR="198.51.100.1"), TOO_MANY, status=429)
    shows(client.get(FIND, {"q": "1栋"}, REMOTE_ADDR="198.51.100.2"), FINDER)
    # an IPv4-mapped IPv6 address is that IPv4 client
    shows(client.get(FIND, {"q": "1栋"}, REMOTE_ADDR="::ffff:198.51.100.2"), TOO_MANY, status=429)


# --- the cull never drops a live counter ---------------------------------------------------


def test_a_flood_of_addresses_does_not_reset_a_live_counter(settings):
    """Past MAX_ENTRIES Django's DatabaseCache deletes a third of the rows, live ones too: a
    flood of new addresses would give the client being limited a fresh budget."""
    settings.CACHES = {
        **settings.CACHES,
        ALIAS: {**settings.CACHES[ALIAS], "OPTIONS": {"MAX_ENTRIES": 5, "CULL_FREQUENCY": 3}},
    }
    assert caches[ALIAS]._max_entries == 5
    caches[ALIAS].set("rl:stale:10.0.0.1", 1, timeout=-1)  # an expired window
    assert [hit("flood", "10.0.0.0", 60) for _ in range(3)] == [1, 2, 3]
    for n in range(1, 30):  # 29 other clients, each a new row past MAX_ENTRIES
        assert hit("flood", f"10.0.0.{n}", 60) == 1
    assert hit("flood", "10.0.0.0", 60) == 4  # the first, lowest key: culled first before
    assert all(hit("flood", f"10.0.0.{n}", 60) == 2 for n in range(1, 30))
    with connection.cursor() as cursor:  # expired rows are swept
        cursor.execute(
            f"SELECT COUNT(*) FROM {TABLE} WHERE cache_key = %s",
            [caches[ALIAS].make_key("rl:stale:10.0.0.1")],
        )
        assert cursor.fetchone()[0] == 0


# --- Redis: the window's expiry is set with its first count --------------------------------

REDIS_URL = os.environ.get("GRIDGOV_TEST_REDIS_URL", "")


@pytest.mark.skipif(
    not REDIS_URL,
    reason="needs a Redis server: set GRIDGOV_TEST_REDIS_URL "
    "(e.g. redis://127.0.0.1:6379/15, a database it may clear) and install "
    "the redis package; neither is a dependency of the project",
)
def test_on_redis_every_counter_has_an_expiry(settings):
    """Django's RedisCache.incr is EXISTS then INCR: a key expiring in between is made
    again by INCR without expiry, and its client is limited for good."""
    pytest.importorskip("redis", reason="the redis package is not installed")
    settings.CACHES = {
        **settings.CACHES,
        ALIAS: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
    cache = caches[ALIAS]
    cache.clear()
    raw = cache._cache.get_client(write=True)
    assert [hit("r", "10.0.0.5", 60) for _ in range(3)] == [1, 2, 3]
    key = cache.make_key("rl:r:10.0.0.5")
    assert 0 < raw.ttl(key) <= 60
    raw.persist(key)  # a counter left without expiry (by Django's incr) is given one
    assert hit("r", "10.0.0.5", 60) == 4
    assert 0 < raw.ttl(key) <= 60
    raw.delete(key)  # the window expired: the next count starts one, with its expiry
    assert hit("r", "10.0.0.5", 60) == 1
    assert 0 < raw.ttl(key) <= 60
    cache.clear()


# --- the API key throttle: the same counter ------------------------------------------------


def test_the_key_throttle_is_one_atomic_counter(client):
    """DRF's throttle read a list of request times and wrote it back (parallel requests all
    passed) with a full set() every request, whose database cache counts the table."""
    from django.test.utils import CaptureQueriesContext

    key = ApiKey(name="12345 hotline", can_read=True, rate_limit_per_minute=3)
    raw = api_key_issue(key=key, acting_user=None)
    assert_layer(client.get("/api/v1/grids/", HTTP_X_API_KEY=raw))
    with CaptureQueriesContext(connection) as queries:
        assert_layer(client.get("/api/v1/grids/", HTTP_X_API_KEY=raw))
    assert not [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(*)" in q["sql"].upper() and TABLE in q["sql"]
    ]
    assert caches[ALIAS].get(f"rl:api_key:{key.pk}_{key.prefix}") == 2
    assert_layer(client.get("/api/v1/grids/", HTTP_X_API_KEY=raw))
    r = client.get("/api/v1/grids/", HTTP_X_API_KEY=raw)
    assert r.status_code == 429
    assert r["Retry-After"] == "60"
