"""The demo's tests: photos of self-organised service go to a temporary MEDIA_ROOT, and
``transaction=True`` tests can empty the ledger before Django's flush (see
tests/points/conftest.py)."""

import pytest

from tests.points.conftest import ledger_flushable  # noqa: F401


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
