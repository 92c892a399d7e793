"""The outbox is personal data: a person's copy lists the messages sent to them, and an
erasure finds them (by phone number or by the account's e-mail address), stops those still
waiting and scrubs the file outbox's copies once it commits."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from gridgov.messaging.models import Message, Status
from gridgov.messaging.services import email_queue, send_due, sms_queue
from gridgov.privacy.services import member_erase, personal_data, phone_erase
from gridgov.privacy.tracing import ERASED
from tests.factories import MemberFactory, UserFactory
from tests.messaging.helpers import use_outbox

PHONE = "13912345678"
IN_B1 = Point(113.102, 23.002, srid=4326)


@pytest.fixture
def outbox(tmp_path, settings):
    return use_outbox(settings, tmp_path / "outbox")


@pytest.fixture
def member(db):
    user = UserFactory(username="wangfang", email="wangfang@example.org")
    return MemberFactory(name="王芳", phone=PHONE, location=IN_B1, user=user, confirmed=True)


def test_a_persons_copy_lists_the_messages_sent_to_them(member, outbox):
    sms_queue(phone=PHONE, text="王芳同志：诉求已派给您")
    email_queue(address="WangFang@example.org", subject="提醒", text="明天有活动")
    copy = personal_data(member=member)
    assert sorted(m["to"] for m in copy["related"]["messaging.message"]) == [
        PHONE,
        "WangFang@example.org",
    ]


def test_erasing_a_member_erases_their_messages_and_stops_the_waiting_ones(
    member, outbox, django_capture_on_commit_callbacks
):
    sent = sms_queue(phone=PHONE, text="王芳同志：诉求 2026-000001 已派给您")
    send_due()
    waiting = sms_queue(phone=PHONE, text="王芳同志：明天有活动")
    mailed = email_queue(address="wangfang@example.org", subject="王芳：提醒", text="明天有活动")
    other = sms_queue(phone="13700000001", text="张书记：诉求已超时")
    [before] = outbox.to(PHONE)
    assert PHONE in before
    assert "王芳" in before

    with django_capture_on_commit_callbacks(execute=True):
        done = member_erase(member=member, acting_user=None, reason="本人申请 2026-05-01")
    assert done["redacted"]["messaging.message"] == 3

    for message in (sent, waiting, mailed):
        message.refresh_from_db()
        assert message.to.startswith(ERASED)
        assert "王芳" not in message.body + message.subject
        assert PHONE not in message.body
    assert sent.status == Status.SENT  # what left, left
    assert waiting.status == Status.FAILED
    assert "erased" in waiting.last_error
    assert mailed.status == Status.FAILED
    other.refresh_from_db()
    assert other.status == Status.QUEUED
    assert other.to == "13700000001"
    # the file outbox's copy is scrubbed after the commit
    [after] = [t for t in outbox.texts() if f"Message: {sent.pk}" in t]
    assert PHONE not in after
    assert "王芳" not in after
    assert f"To: {ERASED}" in after
    assert "诉求 2026-000001 已派给您" in after
    assert send_due() == {"sent": 1}  # only the other person's message leaves
    assert len(outbox.files()) == 2
    assert outbox.to("13700000001")


def test_erasing_a_number_stops_its_messages(db, outbox, django_capture_on_commit_callbacks):
    waiting = sms_queue(phone="13800001234", text="陈先生：您的诉求已受理")
    with django_capture_on_commit_callbacks(execute=True):
        phone_erase(phone="138 0000 1234", acting_user=None, reason="来电申请")
    waiting.refresh_from_db()
    assert waiting.status == Status.FAILED
    assert waiting.to.startswith(ERASED)
    assert Message.objects.filter(status=Status.QUEUED).count() == 0
