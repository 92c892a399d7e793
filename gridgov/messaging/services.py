"""Writers of the outbox: queue a message in the caller's transaction, send what is due.

A message is queued in the transaction of the change it is about, so a change that rolls
back sends nothing. It leaves after the commit when its way out is cheap (a file, a local
mail backend), otherwise on the scheduler's next pass (``send_due``). A sender first
*claims* the messages it sends (a token and a lease written in one short transaction:
``select_for_update(skip_locked=True)`` on PostgreSQL; on SQLite the transaction takes the
write lock when it begins), so two schedulers, or a scheduler and a request's after-commit,
never send one message twice. A failed attempt is retried later (``RETRY_DELAYS``); after
``MAX_ATTEMPTS``, or at once when retrying cannot help, the message is "failed" and stays
visible in the admin with its last error."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from gridgov import events
from gridgov.messaging.backends import (
    EmailSender,
    FileBackend,
    SendError,
    sms_available,
    sms_backend,
)
from gridgov.messaging.models import Channel, Message, Status

log = logging.getLogger(__name__)

# Wait after the 1st, 2nd … failed attempt; the attempt after the last delay is the last.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# How long a claim holds: longer than any one send can take (the gateway's timeout). A
# sender that died mid-send leaves its messages to be claimed again after it.
LEASE = dt.timedelta(minutes=5)
BATCH = 50
MAX_BATCHES = 20  # per pass: a backlog is worked off over several passes
PHONE = re.compile(r"\+?\d{5,20}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")

SENT_EVENT = "message.sent"  # emitted with message=<Message> after each message is sent


def sms_queue(*, phone: str, text: str, key: str = "", ref: str = "") -> Message | None:
    """Queue an SMS to ``phone`` (digits, as ``people.services.normalise_phone`` gives
    them). None when SMS is off (``sms_available()``), the number is not one, or this
    number already has a message with ``key``."""
    if not sms_available() or not PHONE.fullmatch(phone or ""):
        return None
    return message_queue(channel=Channel.SMS, to=phone, body=text, key=key, ref=ref)


def email_queue(
    *, address: str, subject: str, text: str, key: str = "", ref: str = ""
) -> Message | None:
    """Queue an e-mail to ``address``; None when it is not an address or was queued with
    ``key`` before."""
    if not EMAIL.fullmatch(address or ""):
        return None
    return message_queue(
        channel=Channel.EMAIL, to=address, subject=subject[:200], body=text, key=key, ref=ref
    )


def message_queue(
    *, channel: str, to: str, body: str, subject: str = "", key: str = "", ref: str = ""
) -> Message | None:
    """The one writer of new messages (see the module's docstring)."""
    if key and Message.objects.filter(channel=channel, to=to, key=key).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin leaves the caller intact
            message = Message.objects.create(
                channel=channel,
                to=to,
                subject=subject,
                body=body,
                key=key[:120],
                ref=ref[:80],
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return None
    if _cheap(channel):
        pk = message.pk
        transaction.on_commit(lambda: _send_after_commit(pk), robust=True)
    return message


def _cheap(channel: str) -> bool:
    if channel == Channel.EMAIL:
        return EmailSender().cheap
    backend = sms_backend()
    return backend is not None and backend.cheap


def _send_after_commit(pk: int) -> None:
    try:
        send_due(ids=[pk])
    except Exception:  # the request that queued it has committed: the scheduler retries
        log.exception("messaging: sending message %s after the commit failed", pk)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_until__lt=now
    )


def _claim(*, now: dt.datetime, limit: int, ids: Iterable[int] | None) -> list[Message]:
    """Take up to ``limit`` due messages for this sender, counting the attempt."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = Message.objects.filter(_claimable(now))
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        pks = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        if not pks:
            return []
        # the same condition again: a row another sender took meanwhile is not taken twice
        Message.objects.filter(_claimable(now), pk__in=pks).update(
            status=Status.SENDING,
            claim=token,
            claimed_until=now + LEASE,
            attempts=F("attempts") + 1,
        )
    return list(Message.objects.filter(claim=token).order_by("pk"))


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def _finish(message: Message, now: dt.datetime, error: SendError | None, provider_id: str) -> str:
    mine = Message.objects.filter(pk=message.pk, claim=message.claim)
    if error is None:
        mine.update(
            status=Status.SENT,
            sent_at=timezone.now(),
            claim="",
            claimed_until=None,
            provider_id=provider_id,
            last_error="",
        )
        try:
            events.emit(SENT_EVENT, message=message)
        except Exception:  # the message is out; a listener's failure must not resend it
            log.exception("messaging: a listener of %s failed for #%s", SENT_EVENT, message.pk)
        return Status.SENT
    if error.permanent or message.attempts >= MAX_ATTEMPTS:
        mine.update(
            status=Status.FAILED, claim="", claimed_until=None, last_error=error.reason[:2000]
        )
        log.warning(
            "messaging: %s #%s failed after %d attempts: %s",
            message.channel,
            message.pk,
            message.attempts,
            error.reason,
        )
        return Status.FAILED
    mine.update(
        status=Status.QUEUED,
        next_attempt_at=now + retry_delay(message.attempts),
        claim="",
        claimed_until=None,
        last_error=error.reason[:2000],
    )
    log.info("messaging: %s #%s will be retried: %s", message.channel, message.pk, error.reason)
    return "retry"


def send_due(
    *, now: dt.datetime | None = None, ids: Iterable[int] | None = None, limit: int = BATCH
) -> dict[str, int]:
    """Send every message due at ``now`` (only ``ids`` when given); how many were sent,
    will be retried ("retry") and failed."""
    now = now or timezone.now()
    counts: Counter = Counter()
    email = EmailSender()
    senders: dict[str, Callable[..., str]] = {Channel.EMAIL: email.send}
    sms = sms_backend()
    senders[Channel.SMS] = sms.send if sms is not None else _sms_off
    try:
        for _batch in range(MAX_BATCHES):
            claimed = _claim(now=now, limit=limit, ids=ids)
            for message in claimed:
                provider_id, error = "", None
                try:
                    provider_id = senders[message.channel](message)
                except SendError as e:
                    error = e
                counts[_finish(message, now, error, provider_id)] += 1
            if len(claimed) < limit:
                break
    finally:
        email.close()
    return dict(counts)


def _sms_off(message: Message) -> str:
    raise SendError("SMS is off (GRIDGOV_SMS_URL=none)", permanent=True)


def outbox_rewrite(change: Callable[[str], str]) -> int:
    """Apply ``change`` to the text of every message file of a file outbox (erasure:
    gridgov.privacy); how many files changed. Other backends keep no files: 0."""
    from gridgov.messaging.backends import write_atomically

    backend = sms_backend()
    if not isinstance(backend, FileBackend) or not backend.folder.is_dir():
        return 0
    changed = 0
    for path in sorted(backend.folder.glob("*.txt")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        new = change(text)
        if new != text:
            write_atomically(path, new)
            changed += 1
    return changed


def messages_cancel(*, ids: Iterable[int], reason: str) -> int:
    """Fail, unsent, the messages among ``ids`` that still wait (erasure: a text to a number
    that is no longer anyone's must not leave); how many."""
    return Message.objects.filter(
        pk__in=list(ids), status__in=[Status.QUEUED, Status.SENDING]
    ).update(status=Status.FAILED, claim="", claimed_until=None, last_error=reason[:2000])
