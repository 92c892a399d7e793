"""The outbox: a message queued in a test appears in the file outbox; it leaves after the
commit, never with a rolled-back change; one claim per message; retries, then failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from gridgov.messaging import services
from gridgov.messaging.backends import SendError, sms_available
from gridgov.messaging.models import Channel, Message, Status
from gridgov.messaging.services import email_queue, send_due, sms_queue

pytestmark = pytest.mark.django_db


def test_a_message_sent_in_a_test_appears_in_the_outbox(outbox):
    message = sms_queue(phone="13800001234", text="您有一条新诉求：楼道灯不亮")
    assert message.status == Status.QUEUED
    assert outbox.files() == []
    assert send_due() == {"sent": 1}
    [text] = outbox.texts()
    head, body = text.split("\n\n", 1)
    assert head.splitlines()[:2] == ["To: 13800001234", "Channel: sms"]
    assert "Time: " in head
    assert f"Message: {message.pk}" in head
    assert body == "您有一条新诉求：楼道灯不亮\n"
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert send_due() == {}  # nothing left: a second pass sends nothing


def test_the_outbox_is_this_runs_own(outbox, fresh_outbox):
    """The suite's outbox is a folder of this run (pytest's temporary directory), and a test
    may take one of its own; neither is the project's var/outbox."""
    assert "var/outbox" not in str(fresh_outbox)
    assert fresh_outbox.is_dir()
    assert outbox.folder != fresh_outbox


def test_it_leaves_right_after_the_commit_when_cheap(outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sms_queue(phone="13800001234", text="已派单")
        assert outbox.files() == []  # not inside the transaction
    assert len(outbox.to("13800001234")) == 1
    assert Message.objects.get().status == Status.SENT


def test_a_change_that_rolls_back_sends_nothing(outbox, django_capture_on_commit_callbacks):
    def change_that_fails():
        with transaction.atomic():
            sms_queue(phone="13800001234", text="不会发出")
            raise RuntimeError("the change fails")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError, match="the change fails"),
    ):
        change_that_fails()
    assert not Message.objects.exists()
    assert send_due() == {}
    assert outbox.files() == []


def test_a_key_sends_once_per_number(outbox):
    assert sms_queue(phone="13800001234", text="一", key="k") is not None
    assert sms_queue(phone="13800001234", text="二", key="k") is None
    assert sms_queue(phone="13900001234", text="三", key="k") is not None
    assert Message.objects.count() == 2


def test_what_is_no_number_or_no_address_is_not_queued(outbox):
    assert sms_queue(phone="", text="x") is None
    assert sms_queue(phone="138-0000", text="x") is None
    assert email_queue(address="nobody", subject="s", text="x") is None
    assert not Message.objects.exists()


def test_with_sms_off_nothing_is_queued_and_features_can_ask(settings):
    settings.GRIDGOV_SMS_URL = "none"
    assert sms_available() is False
    assert sms_queue(phone="13800001234", text="x") is None
    assert not Message.objects.exists()


def test_an_sms_left_queued_when_sms_was_turned_off_fails_for_good(outbox, settings):
    message = sms_queue(phone="13800001234", text="x")
    settings.GRIDGOV_SMS_URL = "none"
    assert send_due() == {"failed": 1}
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "GRIDGOV_SMS_URL=none" in message.last_error


def test_sending_twice_writes_one_file(outbox):
    """A message sent again (its sender died before marking it sent) rewrites its own file."""
    message = sms_queue(phone="13800001234", text="一次")
    send_due()
    Message.objects.filter(pk=message.pk).update(status=Status.QUEUED)
    send_due()
    assert len(outbox.files()) == 1


def test_one_claim_per_message(outbox):
    """Two senders asking at once: the second finds the message taken."""
    sms_queue(phone="13800001234", text="x")
    now = timezone.now()
    first = services._claim(now=now, limit=10, ids=None)
    second = services._claim(now=now, limit=10, ids=None)
    assert len(first) == 1
    assert second == []
    assert first[0].status == Status.SENDING
    assert first[0].attempts == 1
    # a sender that died holds it only until its lease runs out
    later = now + services.LEASE + dt.timedelta(seconds=1)
    [again] = services._claim(now=later, limit=10, ids=None)
    assert again.pk == first[0].pk
    assert again.attempts == 2
    assert again.claim != first[0].claim


def test_a_failing_send_is_retried_with_backoff_then_failed(outbox, monkeypatch):
    message = sms_queue(phone="13800001234", text="x")

    def refuse(self, message):
        raise SendError("gateway away")

    monkeypatch.setattr("gridgov.messaging.backends.FileBackend.send", refuse)
    now = timezone.now()
    for attempt in range(1, services.MAX_ATTEMPTS):
        assert send_due(now=now) == {"retry": 1}
        message.refresh_from_db()
        assert message.status == Status.QUEUED
        assert message.attempts == attempt
        assert message.next_attempt_at == now + services.retry_delay(attempt)
        assert message.last_error == "gateway away"
        assert send_due(now=message.next_attempt_at - dt.timedelta(seconds=1)) == {}
        now = message.next_attempt_at
    assert send_due(now=now) == {"failed": 1}
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == services.MAX_ATTEMPTS
    assert send_due(now=now + dt.timedelta(days=1)) == {}


def test_a_permanent_refusal_fails_at_once(outbox, monkeypatch):
    message = sms_queue(phone="13800001234", text="x")

    def refuse(self, message):
        raise SendError("HTTP 400 not a number", permanent=True)

    monkeypatch.setattr("gridgov.messaging.backends.FileBackend.send", refuse)
    assert send_due() == {"failed": 1}
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 1


def test_email_goes_through_the_same_queue(outbox):
    message = email_queue(address="sec@example.org", subject="超时提醒", text="诉求已超时")
    assert mail.outbox == []  # queued, not sent in the caller's work
    assert send_due() == {"sent": 1}
    [sent] = mail.outbox
    assert sent.to == ["sec@example.org"]
    assert sent.subject == "超时提醒"
    assert sent.body == "诉求已超时"
    message.refresh_from_db()
    assert message.channel == Channel.EMAIL
    assert message.status == Status.SENT
    assert outbox.files() == []  # e-mail is not an SMS


def test_a_mail_server_that_fails_is_retried(outbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    message = email_queue(address="sec@example.org", subject="s", text="t")
    assert send_due() == {"retry": 1}
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.last_error


def test_a_smtp_server_is_not_used_inside_the_request(
    outbox, settings, django_capture_on_commit_callbacks
):
    """Only local mail backends are cheap enough for the request's after-commit."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    with django_capture_on_commit_callbacks() as callbacks:
        email_queue(address="sec@example.org", subject="s", text="t")
    assert callbacks == []
