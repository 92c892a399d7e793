"""The outbox (gridgov.messaging) in a person's data.

Messages to the person's phone are found like every row holding the number (tracing.py);
those to their e-mail address are added here (``take_outbox``), with the address theirs
wholesale. An erasure then stops every one of those messages that has not left yet
(``outbox_erased``: they fail with the reason, unsent; a message to someone else that
names the person leaves scrubbed) and, once it commits, scrubs the
copies a file outbox wrote (``GRIDGOV_SMS_URL=file://…``) as it scrubbed the rows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from gridgov.messaging.models import Message
from gridgov.messaging.services import messages_cancel, outbox_rewrite
from gridgov.privacy.redaction import scrubber
from gridgov.privacy.tracing import Trace

ERASED_REASON = "not sent: the recipient's data was erased"


def take_outbox(found: Trace, *, emails: Iterable[str]) -> None:
    """Add the messages sent to any of ``emails`` to the rows found."""
    for address in {e.strip() for e in emails if e and "@" in e}:
        for message in Message.objects.filter(to__iexact=address):
            found.add(message)
            found.wholesale[(Message, message.pk)].add("to")


def outbox_erased(found: Trace) -> int:
    """Stop the messages to the person still waiting (not those to others that name them:
    a member's text about the person's request still goes, scrubbed), and scrub the file
    outbox after the commit; how many messages were stopped."""
    ids = [
        pk
        for model, pk in found.rows
        if model is Message and "to" in found.wholesale.get((model, pk), ())
    ]
    stopped = messages_cancel(ids=ids, reason=ERASED_REASON) if ids else 0
    scrub = scrubber(found)
    transaction.on_commit(lambda: outbox_rewrite(scrub), robust=True)
    return stopped
