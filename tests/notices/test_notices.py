"""Notices: who hears of a new request, a dispatch, a looming deadline; read state; email."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from gridgov.cases.models import Case
from gridgov.cases.services import (
    case_create,
    case_dispatch,
    case_resolve,
    case_respond,
    case_take,
)
from gridgov.notices.models import Notice
from gridgov.notices.reminders import sla_reminders
from tests.notices.helpers import raise_request

OUTSIDE = Point(100.0, 10.0, srid=4326)


def _page(client, user):
    client.force_login(user)
    return client.get("/en/notices/").content.decode()


def test_a_new_request_reaches_the_grid_staff_and_nobody_outside(
    client, case_categories, people, leader
):
    case = raise_request(case_categories, people)
    assert f"New request {case.number} in your grid: 楼道堆物" in _page(client, leader)
    # The secretary who typed it in is not told of their own case; C2's secretary is not
    # told of C1's.
    assert not Notice.objects.filter(user__in=[people.c1_staff, people.c2_staff]).exists()


def test_the_navigation_counts_unread_notices_and_opening_one_reads_it(
    client, case_categories, people, leader
):
    case = raise_request(case_categories, people)
    client.force_login(leader)
    assert "Notices (1)" in client.get("/en/").content.decode()
    notice = Notice.objects.get(user=leader)
    response = client.post(f"/en/notices/{notice.pk}/open/")
    assert response.status_code == 302
    assert response.url.endswith(f"/cases/{case.number}/")
    assert "Notices (1)" not in client.get("/en/").content.decode()
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_nobody_can_open_someone_elses_notice(client, case_categories, people, leader):
    raise_request(case_categories, people)
    notice = Notice.objects.get(user=leader)
    client.force_login(people.stranger)
    assert client.post(f"/en/notices/{notice.pk}/open/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_member_a_request_is_dispatched_to_hears_of_it(
    client, case_categories, people, django_user_model
):
    member_user = django_user_model.objects.create_user(
        username="wangfang", password="x-Pass-2026!"
    )
    people.wang.user = member_user
    people.wang.save(update_fields=["user"])
    case = raise_request(case_categories, people)
    case_dispatch(case=case, member=people.wang, acting_user=people.c1_staff)
    assert f"Request {case.number} was dispatched to you" in _page(client, member_user)


def test_the_requester_hears_when_the_request_is_resolved(client, case_categories, people):
    case = raise_request(case_categories, people, requester_user=people.resident)
    case_dispatch(case=case, member=people.wang, acting_user=people.c1_staff)
    case_take(case=case, member=people.wang, acting_user=people.c1_staff)
    case_resolve(case=Case.objects.get(pk=case.pk), acting_user=people.c1_staff, note="已清理")
    assert f"Your request {case.number} has an answer: resolved" in _page(client, people.resident)


def test_a_refused_request_notifies_nobody(case_categories, people, leader):
    with pytest.raises(ValidationError):
        case_create(
            acting_user=people.c1_staff,
            category=case_categories["sanitation"],
            channel="phone",
            title="界外",
            requester_name="陈先生",
            location=OUTSIDE,
        )
    assert not Notice.objects.exists()


def test_a_deadline_about_to_be_missed_is_reminded_once(case_categories, people, leader):
    # A consultation must be answered within 5 minutes; 4 minutes have passed.
    now = timezone.now()
    case = raise_request(
        case_categories, people, category="consultation", at=now - dt.timedelta(minutes=4)
    )
    Notice.objects.all().delete()
    # the staff over the case's grid: the C1 secretary, K1's branch secretary and grid leader
    assert sla_reminders(now=now) == 3
    reminded = {n.user for n in Notice.objects.all()}
    assert reminded == {people.c1_staff, people.k1_staff, leader}
    assert sla_reminders(now=now) == 0  # a second sweep repeats nothing
    reminder = Notice.objects.get(user=leader)
    assert reminder.kind == "sla_due"
    assert reminder.params["number"] == case.number
    # The command runs the same sweep and repeats nothing either.
    call_command("send_reminders", stdout=io.StringIO())
    assert Notice.objects.count() == 3


def test_an_answered_case_is_not_reminded(case_categories, people, leader):
    now = timezone.now()
    case = raise_request(
        case_categories, people, category="consultation", at=now - dt.timedelta(minutes=4)
    )
    case_respond(case=case, acting_user=people.c1_staff, note="已电话答复")
    Notice.objects.all().delete()
    assert sla_reminders(now=now) == 0


def test_email_goes_out_after_the_commit_when_configured(
    case_categories, people, leader, settings, django_capture_on_commit_callbacks
):
    settings.GRIDGOV_NOTICE_EMAIL = True
    leader.email = "leader@example.org"
    leader.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = raise_request(case_categories, people)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["leader@example.org"]
    assert case.number in mail.outbox[0].subject
    assert Notice.objects.get(user=leader).emailed_at is not None


def test_no_email_without_a_mail_server(
    case_categories, people, leader, settings, django_capture_on_commit_callbacks
):
    settings.GRIDGOV_NOTICE_EMAIL = False
    leader.email = "leader@example.org"
    leader.save()
    with django_capture_on_commit_callbacks(execute=True):
        raise_request(case_categories, people)
    assert mail.outbox == []
    assert Notice.objects.filter(user=leader).exists()
