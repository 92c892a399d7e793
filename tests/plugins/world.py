"""Fixtures of the shared world (tests/world.py), loaded for the whole suite by
tests/conftest.py:

- ``tree``: the fixed grid tree, built for each test (in the test's transaction);
- ``people``: the cast of the domain tests on that tree (a folder may define its own
  ``people``: tests/finder's are the contacts of a building);
- ``contacts``: building B1's contacts as the finder shows them;
- ``reporting``, ``register``: dual reporting's units and staff, and registering through the
  public page;
- ``fresh_cache``: the default cache emptied before and after the test;
- ``make_user``: a user holding one role over one grid;
- ``case_categories``, ``service_categories``, ``post_kinds``: the seeded catalogue by code
  (seeded again when a ``transaction=True`` test's flush emptied it);
- ``ledger_flushable``: for ``transaction=True`` tests that write ledger entries;
- ``english``: the active language English, for tests asserting refusal texts (a folder
  makes it autouse in its conftest);
- ``world``: the trust tests' world, built once per test module inside a transaction that
  is rolled back after the module's last test; each test runs in a savepoint of it (as
  every ``db`` test does) and gets its own copy of the Python objects, so neither the rows
  nor the objects a test changes reach the next test. A module extends its world by
  overriding ``shared_world`` (tests/trust/test_admin_matrix.py adds the admin's records).
  A ``transaction=True`` or live-server test cannot share it (it commits): it asks for
  ``tree`` and builds what it needs."""

from __future__ import annotations

import copy

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings

from tests.factories import StaffFactory
from tests.factories.catalogue import case_categories as seeded_case_categories
from tests.factories.catalogue import post_kinds as seeded_post_kinds
from tests.factories.catalogue import service_categories as seeded_service_categories
from tests.world import (
    IN_B1,
    Cast,
    Contacts,
    Tree,
    World,
    build_cast,
    build_contacts,
    build_tree,
    build_world,
)
from tests.world.reporting import Reporting, build_reporting, registration_form


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    """The world of one module, committed nowhere: see the module docstring."""
    with django_db_blocker.unblock():
        if connection.in_atomic_block:
            raise pytest.UsageError(
                "the shared world was asked for inside a test's transaction (by "
                "request.getfixturevalue?): name `world` among the test's arguments"
            )
        outer = transaction.atomic()
        outer.__enter__()
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("world-media")))
    media.enable()
    try:
        with django_db_blocker.unblock():
            built = build_world(build_tree())
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        media.disable()


def _commits(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(request.fixturenames)) or (
        marker is not None and bool(marker.kwargs.get("transaction"))
    )


@pytest.fixture
def world(request, shared_world, db) -> World:
    if _commits(request):
        raise pytest.UsageError(
            f"{request.node.nodeid}: the shared world lives in a transaction that a "
            "transaction=True or live-server test would commit; build from `tree` instead"
        )
    return copy.deepcopy(shared_world)


@pytest.fixture
def tree(request, db) -> Tree:
    """The fixed tree (tests/world.py); a test of the shared world gets the world's."""
    if "shared_world" in request.fixturenames:
        return request.getfixturevalue("world").tree
    return build_tree()


@pytest.fixture
def people(tree) -> Cast:
    return build_cast(tree)


@pytest.fixture
def contacts(tree) -> Contacts:
    return build_contacts(tree)


@pytest.fixture
def reporting(tree) -> Reporting:
    return build_reporting(tree)


@pytest.fixture
def register(reporting):
    """Register through the public page (in English) with a fresh client; returns the
    response (followed) and the client, now signed in when it worked."""

    def post(point=IN_B1, *, client=None, **overrides):
        client = client or Client()
        response = client.post(
            "/en/reporting/register/", registration_form(reporting, point, **overrides), follow=True
        )
        return response, client

    return post


@pytest.fixture
def fresh_cache():
    """The default cache (rate-limit counters of the pages, cached maps) empty before and
    after the test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    """A user holding one role over one grid (or a street admin over a code prefix)."""

    def make(username: str, role: str, grid=None, scope: str = "", **extra):
        return StaffFactory(username=username, role=role, grid=grid, scope=scope, **extra)

    return make


@pytest.fixture
def case_categories(db) -> dict:
    return seeded_case_categories()


@pytest.fixture
def service_categories(db) -> dict:
    return seeded_service_categories()


@pytest.fixture
def post_kinds(db) -> dict:
    return seeded_post_kinds()


@pytest.fixture
def english():
    """Refusals asserted in English (the zh-hans catalogue translates them)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def ledger_flushable(transactional_db):
    """For ``transaction=True`` tests (live server, threads) that write ledger entries: Django
    flushes such a test's tables afterwards, and on SQLite that is a row-by-row DELETE which
    the ledger's trigger refuses. Requesting this fixture empties the ledger first, through the
    only door there is (``points_reset_all``). (PostgreSQL flushes with TRUNCATE, which the
    row triggers do not see.)"""
    yield
    if connection.vendor == "sqlite":
        from gridgov.points.services import points_reset_all

        # rows of other apps referring to entries go in the flush right after
        with connection.constraint_checks_disabled():
            points_reset_all()
