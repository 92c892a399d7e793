"""The limits hold across gunicorn workers (issue 16, item 7): real gunicorn, 3 worker
processes, on a loopback port, against the test database. Each worker serves one request and
is replaced (--max-requests 1), so every answer comes from a process that has counted
nothing itself: only a shared counter can refuse the (N+1)th lookup."""

from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.db import connection

from gridgov.api.models import ApiKey
from gridgov.api.services import api_key_issue
from gridgov.ratelimits.limits import ALIAS

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(tmp_path: Path) -> str:
    """A URL of the test database, whose committed rows the workers read."""
    if connection.vendor == "sqlite":  # an in-memory test database: a file copy of it
        import sqlite3

        target = sqlite3.connect(tmp_path / "served.sqlite3")
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"spatialite:///{tmp_path / 'served.sqlite3'}"
    url = urlsplit(os.environ["DATABASE_URL"])
    return url._replace(path="/" + connection.settings_dict["NAME"]).geturl()


# With --preload the master imports the application; this also imports what Django loads on
# a first request (the URLconf and every view, the translations), so that each short-lived
# worker forks ready instead of spending a second importing.
WARM = """
def when_ready(server):
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns
    for language in ("zh-hans", "en"):
        translation.activate(language)
"""


def get(url: str, headers: dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.fixture
def server(request, transactional_db, django_db_blocker, tmp_path):
    """gunicorn with 3 workers; yields (base URL, access log path). Stopped by its pid.
    Each worker serves one request and is replaced, unless the test asks for long-lived
    workers (parametrize "server" indirectly with 0: no --max-requests)."""
    max_requests = getattr(request, "param", 1)
    port = free_port()
    log = tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_")}
    env.update(
        {
            "DATABASE_URL": database_url(tmp_path),
            "GRIDGOV_SECRET_KEY": "test-only-not-secret",
            "GRIDGOV_HTTPS": "0",
            "GRIDGOV_ALLOWED_HOSTS": "127.0.0.1",
            "GRIDGOV_BEHIND_PROXY": "1",  # each test client gets its own X-Forwarded-For
            "GRIDGOV_FINDER_RATE_LIMIT": str(LIMIT),
            "DJANGO_SETTINGS_MODULE": "gridgov.settings",
        }
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(WARM)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gridgov.wsgi:application",
            "-c",
            str(config),
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--preload",
            "--max-requests",
            str(max_requests),
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(p)s %(s)s %(U)s",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not answer in 90 s"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with django_db_blocker.unblock():
            caches[ALIAS].clear()  # the workers' counters are committed rows


def answered_by(log: Path, path: str) -> list[tuple[str, str]]:
    time.sleep(0.3)  # the access log line is written after the response
    rows = [line.split() for line in log.read_text().splitlines()]
    return [(pid, status) for pid, status, p in rows if p == path]


def test_the_lookup_limit_holds_across_workers(server):
    base, log = server
    client = {"X-Forwarded-For": "198.51.100.7"}
    codes = [get(f"{base}/api/v1/locate/?lon=0&lat=0", client) for _ in range(LIMIT)]
    assert codes == [404] * LIMIT  # not in our area: the empty test database
    assert get(f"{base}/api/v1/locate/?lon=0&lat=0", client) == 429
    assert get(f"{base}/en/find/?q=1", client) == 429  # one budget with the page
    served = answered_by(log, "/api/v1/locate/")
    assert len({pid for pid, _s in served}) == LIMIT + 1  # a fresh process every time
    # another client, same workers: its own budget
    other = {"X-Forwarded-For": "198.51.100.8"}
    assert get(f"{base}/en/find/?q=1", other) == 200


def test_a_burst_of_parallel_lookups_gets_exactly_the_limit(server):
    """Lookups at once on several workers: the counter is atomic, no count is lost."""
    base, _log = server
    client = {"X-Forwarded-For": "198.51.100.9"}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = list(
            pool.map(lambda _i: get(f"{base}/api/v1/locate/?lon=0&lat=0", client), range(2 * LIMIT))
        )
    assert sorted(codes) == [404] * LIMIT + [429] * LIMIT


@pytest.fixture
def api_key(transactional_db) -> str:
    """A key with a rate of LIMIT a minute, committed before the server starts."""
    return api_key_issue(
        key=ApiKey(name="12345 hotline", can_read=True, rate_limit_per_minute=LIMIT),
        acting_user=None,
    )


def test_a_key_throttle_holds_across_workers(api_key, server):
    base, _log = server
    headers = {"X-Api-Key": api_key, "X-Forwarded-For": "198.51.100.10"}
    codes = [get(f"{base}/api/v1/grids/", headers) for _ in range(LIMIT + 1)]
    assert codes == [200] * LIMIT + [429]


BURST = 40  # the key's rate: many successes, each a chance for DRF's lost update


@pytest.fixture
def burst_key(transactional_db) -> str:
    return api_key_issue(
        key=ApiKey(name="GIS", can_read=True, rate_limit_per_minute=BURST), acting_user=None
    )


@pytest.mark.parametrize("server", [0], indirect=True)  # 3 long-lived workers, all busy
def test_a_parallel_burst_with_one_key_gets_exactly_its_rate(burst_key, server):
    """DRF's throttle read the key's list of request times and wrote it back: requests at
    once on several workers read the same list, and each wrote back one time fewer."""
    base, _log = server
    headers = {"X-Api-Key": burst_key, "X-Forwarded-For": "198.51.100.11"}
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(lambda _i: get(f"{base}/api/v1/grids/", headers), range(2 * BURST)))
    assert sorted(codes) == [200] * BURST + [429] * BURST
