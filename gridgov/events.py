"""Cross-app reactions: a small, explicit registry of handlers (not Django signals).

An app that changes something emits a named event (``emit("case.dispatched", case=...,
acting_user=..., member=...)``); an app above it that reacts (the notices) registers its
handlers by name in its ``AppConfig.ready()`` with ``on(...)``, in one explicit list. The
emitter never imports its listeners, so imports go one way: listeners above emitters.

Handlers run when the event is emitted, inside the emitter's transaction (services emit
from inside ``transaction.atomic``): what they write commits with the change or rolls back
with it, so a change that never commits notifies nobody, and a change never commits
without its reactions. Whatever leaves the database (email) a handler sends with
``transaction.on_commit`` (``notices.services.notify`` does). A handler that raises rolls
the change back, as any failure inside a service does.

This module is at the floor: it imports nothing of gridgov.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]

_handlers: dict[str, list[Handler]] = {}


def on(event: str, handler: Handler) -> None:
    """Run ``handler(**payload)`` on every ``emit(event, **payload)``; registering the same
    handler twice for an event keeps one."""
    registered = _handlers.setdefault(event, [])
    if handler not in registered:
        registered.append(handler)


def emit(event: str, **payload: Any) -> None:
    """Run the handlers registered for ``event``, in the order they were registered, with
    the payload as keyword arguments. No handler: nothing happens."""
    for handler in list(_handlers.get(event, ())):
        handler(**payload)


def handlers(event: str) -> list[Handler]:
    """The handlers registered for ``event`` (a copy, for tests and docs)."""
    return list(_handlers.get(event, ()))
