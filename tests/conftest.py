"""Shared fixtures: a small real grid tree (built through the services) and scoped users."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry

from gridgov.accounts.models import Assignment
from gridgov.grids.models import Grid, Kind, Level
from gridgov.grids.services import grid_create


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


def wkt(text: str) -> GEOSGeometry:
    """Geometry from WKT with an explicit SRID (WGS84)."""
    return GEOSGeometry(text, srid=4326)


def box(x0: float, y0: float, x1: float, y1: float) -> GEOSGeometry:
    return wkt(f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))")


@dataclass
class Tree:
    """Two communities. C1 holds compounds K1 (buildings B1 | B2 sharing the edge x=113.103,
    and open ground north of them) and K2 (building B3); C2 holds K3 with building B4."""

    c1: Grid
    k1: Grid
    b1: Grid
    b2: Grid
    k2: Grid
    b3: Grid
    c2: Grid
    k3: Grid
    b4: Grid


@pytest.fixture
def tree(db) -> Tree:
    def make(level, code, name, geom, parent=None, kind=None):
        kind = kind or {1: Kind.COMMUNITY, 2: Kind.RESIDENTIAL, 3: Kind.BUILDING}[level]
        return grid_create(
            acting_user=None, level=level, code=code, name=name, kind=kind, geom=geom, parent=parent
        )

    c1 = make(Level.COMMUNITY, "100001", "东湖社区", box(113.100, 23.000, 113.110, 23.010))
    k1 = make(Level.COMPOUND, "100001001", "东湖花园", box(113.101, 23.001, 113.105, 23.009), c1)
    b1 = make(Level.BUILDING, "100001001001", "1栋", box(113.101, 23.001, 113.103, 23.003), k1)
    b2 = make(Level.BUILDING, "100001001002", "2栋", box(113.103, 23.001, 113.105, 23.003), k1)
    k2 = make(Level.COMPOUND, "100001002", "西苑", box(113.105, 23.001, 113.109, 23.009), c1)
    b3 = make(Level.BUILDING, "100001002001", "1栋", box(113.106, 23.002, 113.108, 23.004), k2)
    c2 = make(Level.COMMUNITY, "100002", "南山社区", box(113.110, 23.000, 113.120, 23.010))
    k3 = make(Level.COMPOUND, "100002001", "南山小区", box(113.111, 23.001, 113.119, 23.009), c2)
    b4 = make(Level.BUILDING, "100002001001", "1栋", box(113.112, 23.002, 113.114, 23.004), k3)
    return Tree(c1, k1, b1, b2, k2, b3, c2, k3, b4)


@pytest.fixture
def make_user(db):
    """A user holding one role over one grid (or a street admin over a code prefix)."""

    def make(username: str, role: str, grid: Grid | None = None, scope: str = "", **extra):
        user = get_user_model().objects.create_user(
            username=username, password="x-Pass-2026!", **extra
        )
        Assignment.objects.create(
            user=user, role=role, grid=grid, scope_code=grid.code if grid else scope
        )
        return user

    return make


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
