"""Suite-wide settings for tests (plain HTTP, a fast password hasher, fresh rate limits) and
the shared world's fixtures (tests/plugins/world.py: ``tree``, ``people``, ``make_user``,
``world``) and the browser's (tests/plugins/browser.py)."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.plugins.world", "tests.plugins.browser"]


@pytest.fixture(autouse=True, scope="session")
def plain_http_test_server():
    """Production settings redirect to https and mark cookies secure; the test client and
    the live server speak plain HTTP on loopback. (tests/accounts/test_hardening.py checks
    the production behaviour in a separate process.)"""
    from django.conf import settings

    saved = {
        k: getattr(settings, k)
        for k in (
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_HSTS_SECONDS",
        )
    }
    settings.SECURE_SSL_REDIRECT = settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    yield
    for k, v in saved.items():
        setattr(settings, k, v)


@pytest.fixture(autouse=True, scope="session")
def fresh_outbox(tmp_path_factory):
    """SMS leave through a file outbox of this test run's own (gridgov.messaging), so the
    SpatiaLite and PostGIS suites running side by side never read each other's messages.
    tests/messaging gives each of its tests a folder of its own (its ``outbox`` fixture)."""
    from django.conf import settings

    folder = tmp_path_factory.mktemp("outbox")
    saved = settings.GRIDGOV_SMS_URL
    settings.GRIDGOV_SMS_URL = f"file://{folder}"
    yield folder
    settings.GRIDGOV_SMS_URL = saved


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Tests make hundreds of logins; hashing each with Django's production PBKDF2 (a million
    rounds, ~0.6 s) made a third of the suite's time. The password validators and the login
    throttle, which the tests exercise, do not depend on the hasher; production keeps
    Django's default (tests/accounts/test_hardening.py checks the production settings)."""
    from django.test import override_settings

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    fast.enable()  # sends setting_changed, which clears Django's cached hashers
    yield
    fast.disable()


@pytest.fixture(autouse=True)
def fresh_rate_limits(request, django_db_blocker):
    """Rate-limit counters are rows of the database cache (CACHES["ratelimit"], whose table
    every migrate makes). A test inside the test database's transaction leaves none; a
    live-server or transactional test commits them: cleared after it, so the next test's
    client starts at zero."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    ):
        from django.core.cache import caches

        with django_db_blocker.unblock():
            caches["ratelimit"].clear()
