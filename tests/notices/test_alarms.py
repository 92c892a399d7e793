"""The service-level alarm: the moment a request misses a deadline, the community secretary
hears of it (in-app notice, SMS, e-mail), exactly once, through the scheduler's pass."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from gridgov.cases.services import case_respond
from gridgov.messaging.models import Channel, Message, Status
from gridgov.notices.alarms import sla_breach_alarms
from gridgov.notices.models import Notice, NoticeKind
from tests.messaging.helpers import use_outbox
from tests.notices.sla import SECRETARY_PHONE, community, raise_case


@pytest.fixture
def outbox(tmp_path, settings):
    return use_outbox(settings, tmp_path / "outbox")


@pytest.fixture
def c1(tree, make_user):
    return community(tree, make_user)


def _alarms():
    return Notice.objects.filter(kind=NoticeKind.SLA_BREACHED)


def test_a_missed_5_minute_deadline_notifies_the_secretary_exactly_once(c1, outbox, settings):
    settings.GRIDGOV_NOTICE_EMAIL = True
    case = raise_case(at=timezone.now() - dt.timedelta(minutes=6))
    for _ in range(2):  # a pass that runs again notifies nobody twice
        call_command("scheduler", "--once", stdout=io.StringIO())
    [alarm] = _alarms()
    assert alarm.user == c1.secretary
    assert alarm.params["number"] == case.number
    assert alarm.params["deadline"] == "first_response"
    assert alarm.url.endswith(f"/cases/{case.number}/")
    # the SMS left through the outbox, in the site's language, once
    [sms] = outbox.to(SECRETARY_PHONE)
    assert f"诉求 {case.number} 已超过首次答复时间时限" in sms
    assert "咨询低保政策" in sms
    assert len(outbox.texts()) == 1
    # and the e-mail, through the same queue (beside the one of the new request)
    [email] = [m for m in mail.outbox if "已超过" in m.subject]
    assert email.to == ["c1sec@example.org"]
    assert case.number in email.subject
    alarm.refresh_from_db()
    assert alarm.emailed_at is not None
    assert set(Message.objects.values_list("channel", "status")) == {
        (Channel.SMS, Status.SENT),
        (Channel.EMAIL, Status.SENT),
    }
    assert Message.objects.filter(channel=Channel.SMS).count() == 1


def test_nobody_else_is_alarmed(c1, outbox):
    raise_case(at=timezone.now() - dt.timedelta(minutes=6))
    sla_breach_alarms()
    assert list(_alarms().values_list("user", flat=True)) == [c1.secretary.pk]


def test_a_deadline_not_yet_missed_alarms_nobody(c1, outbox):
    raise_case(at=timezone.now() - dt.timedelta(minutes=4))
    assert sla_breach_alarms() == 0
    # a minute and a half later it is missed: the next pass alarms
    assert sla_breach_alarms(now=timezone.now() + dt.timedelta(seconds=90)) == 1


def test_an_answered_request_alarms_nobody(c1, outbox):
    case = raise_case(at=timezone.now() - dt.timedelta(minutes=4))
    case_respond(case=case, acting_user=c1.secretary, note="已电话答复")
    assert sla_breach_alarms(now=timezone.now() + dt.timedelta(minutes=10)) == 0


def test_the_resolution_deadline_has_its_own_alarm(c1, outbox):
    now = timezone.now()
    case = raise_case(at=now - dt.timedelta(hours=25))
    case_respond(case=case, acting_user=c1.secretary, note="已电话答复")
    assert sla_breach_alarms(now=now) == 1
    assert _alarms().get().params["deadline"] == "resolution"
    assert sla_breach_alarms(now=now) == 0


def test_a_breach_older_than_the_lookback_is_left_to_the_work_queue(c1, outbox):
    # both deadlines were missed more than a day ago (the resolution one 25 hours ago)
    raise_case(at=timezone.now() - dt.timedelta(hours=49))
    assert sla_breach_alarms() == 0


def test_the_sms_reads_in_the_site_language_with_a_link(c1, outbox, settings):
    settings.GRIDGOV_SITE_URL = "https://grid.intranet/"
    with translation.override("en"):  # whoever acted, the text is the site's
        case = raise_case(at=timezone.now() - dt.timedelta(minutes=6))
        sla_breach_alarms()
    [message] = Message.objects.filter(channel=Channel.SMS)
    assert message.to == SECRETARY_PHONE
    text, link = message.body.split("\n")
    assert text.startswith(f"诉求 {case.number} 已超过首次答复时间时限（")
    assert link == f"https://grid.intranet{_alarms().get().url}"


def test_without_sms_the_secretary_still_gets_the_notice(c1, settings):
    settings.GRIDGOV_SMS_URL = "none"
    raise_case(at=timezone.now() - dt.timedelta(minutes=6))
    assert sla_breach_alarms() == 1
    assert not Message.objects.exists()
