"""The registry of cross-app reactions (gridgov.events): explicit, in the emitter's
transaction, and the only road from cases to notices."""

from __future__ import annotations

import pytest

from gridgov import events
from gridgov.cases.models import Case
from gridgov.notices import case_notices
from gridgov.notices.models import Notice
from tests.notices.helpers import raise_request


@pytest.fixture
def registry(monkeypatch):
    """A copy of the registry: what a test registers is gone after it."""
    monkeypatch.setattr(events, "_handlers", {k: list(v) for k, v in events._handlers.items()})
    return events


def test_the_notices_subscribe_to_the_case_events_they_answer():
    for event, handler in case_notices.SUBSCRIPTIONS:
        assert handler in events.handlers(event)
    assert events.handlers("case.taken") == []


def test_handlers_run_in_order_once_each_with_the_payload(registry):
    heard = []
    registry.on("test.thing", lambda **p: heard.append(("a", p)))
    second = lambda **p: heard.append(("b", p))  # noqa: E731
    registry.on("test.thing", second)
    registry.on("test.thing", second)
    registry.emit("test.thing", n=1)
    registry.emit("test.nobody_listens", n=2)
    assert heard == [("a", {"n": 1}), ("b", {"n": 1})]


def test_a_handler_that_fails_rolls_the_case_back_with_its_notices(
    registry, case_categories, people, leader
):
    def boom(**payload):
        raise RuntimeError("handler failed")

    registry.on("case.created", boom)
    with pytest.raises(RuntimeError):
        raise_request(case_categories, people)
    assert not Case.objects.exists()
    assert not Notice.objects.exists()
