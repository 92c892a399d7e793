import pytest

from tests.messaging.helpers import Outbox, use_outbox


@pytest.fixture
def outbox(tmp_path, settings) -> Outbox:
    """This test's own file outbox (the suite's is shared by every test of the run)."""
    return use_outbox(settings, tmp_path / "outbox")
