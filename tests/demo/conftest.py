"""The demo's tests: photos of self-organised service go to a temporary MEDIA_ROOT, and
``transaction=True`` tests can empty the ledger before Django's flush (the suite's
``ledger_flushable``, tests/plugins/world.py)."""

import pytest

from tests.factories.catalogue import seed_catalogue


@pytest.fixture(autouse=True)
def catalogue(django_db_blocker):
    """The rows the migrations seed (request, service and post categories), which the demo
    builds on: a ``transaction=True`` test elsewhere ends with a flush that empties them, as
    if the database had never been migrated. Seeded again the migrations' own way."""
    with django_db_blocker.unblock():
        seed_catalogue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
