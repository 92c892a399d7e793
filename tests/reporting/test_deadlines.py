"""Reporting deadlines: "reported in time" is confirmed with reported_on on or before the
year's deadline (the community's own, else the general one, else 31 December)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import AuditEntry
from gridgov.people.models import Member
from gridgov.reporting.models import ReportingDeadline
from gridgov.reporting.selectors import (
    Standing,
    deadline_for,
    late_members,
    not_in_time_members,
    report_standing,
    reported_in_time,
    unreported_members,
    with_standing,
)
from gridgov.reporting.services import ReportingNotAllowed, deadline_set, report_confirm
from tests.reporting.helpers import IN_B4

pytestmark = pytest.mark.usefixtures("english", "fresh_cache")
TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


def confirm_on_page(staff_user, member):
    client = Client()
    client.force_login(staff_user)
    client.post(f"/en/reporting/members/{member.pk}/confirm/")
    member.refresh_from_db()
    return member


def test_registered_and_confirmed_after_the_deadline_is_late(register, reporting):
    year = YESTERDAY.year
    deadline_set(year=year, deadline=YESTERDAY, acting_user=None)
    register()
    member = confirm_on_page(reporting.c1sec, Member.objects.get())
    assert member.reported_on == TODAY
    assert report_standing(member, year) == Standing.LATE
    assert not reported_in_time(member, year)
    assert list(late_members(year=year)) == [member]
    assert list(unreported_members(year=year)) == []
    assert list(not_in_time_members(year=year)) == [member]
    # a slow community does not make a member late: reported_on is the day they sent it
    register(name="李强", phone="13800000002", username="liqiang")
    slow = Member.objects.get(name="李强")
    Member.objects.filter(pk=slow.pk).update(
        report_submitted_at=timezone.now() - dt.timedelta(days=2)
    )
    slow = confirm_on_page(reporting.c1sec, slow)
    assert slow.reported_on == TODAY - dt.timedelta(days=2)
    assert reported_in_time(slow, year)


def test_without_any_deadline_the_end_of_the_year_counts(register, reporting):
    register()
    member = confirm_on_page(reporting.c1sec, Member.objects.get())
    assert deadline_for(year=TODAY.year, community=member.community) == dt.date(TODAY.year, 12, 31)
    assert reported_in_time(member, TODAY.year)
    # not reported by the end of the year before: late for that year
    assert report_standing(member, TODAY.year - 1) == Standing.LATE


def test_the_communitys_own_deadline_wins_over_the_general_one(reporting, tree):
    year = 2025
    deadline_set(year=year, deadline=dt.date(2025, 3, 31), acting_user=None)
    deadline_set(
        year=year, deadline=dt.date(2025, 6, 30), community=tree.c2, acting_user=reporting.c2sec
    )
    assert deadline_for(year=year, community=tree.c1) == dt.date(2025, 3, 31)
    assert deadline_for(year=year, community=tree.c2) == dt.date(2025, 6, 30)
    assert deadline_for(year=year, community=tree.c2.pk) == dt.date(2025, 6, 30)


def test_standing_in_the_database_agrees_with_standing_of_one_member(register, reporting):
    year = 2025
    deadline_set(year=year, deadline=dt.date(2025, 3, 31), acting_user=None)
    deadline_set(
        year=year,
        deadline=dt.date(2025, 6, 30),
        community=reporting.c2sec.assignments.get().grid,
        acting_user=reporting.c2sec,
    )
    register(name="早报", phone="13900000001", username="a")
    register(name="晚报", phone="13900000002", username="b")
    register(IN_B4, name="南山报", phone="13900000003", username="c")
    register(name="待审", phone="13900000004", username="d")
    register(name="驳回", phone="13900000005", username="e")
    by = {m.name: m for m in Member.objects.all()}
    report_confirm(member=by["早报"], acting_user=reporting.c1sec, reported_on=dt.date(2025, 3, 31))
    report_confirm(member=by["晚报"], acting_user=reporting.c1sec, reported_on=dt.date(2025, 4, 1))
    # April is late for C1 (31 March) but in time for C2 (30 June)
    report_confirm(
        member=by["南山报"], acting_user=reporting.c2sec, reported_on=dt.date(2025, 4, 1)
    )
    from gridgov.reporting.services import report_reject

    report_reject(member=by["驳回"], acting_user=reporting.c1sec, reason="信息不全")
    expected = {
        "早报": Standing.IN_TIME,
        "晚报": Standing.LATE,
        "南山报": Standing.IN_TIME,
        "待审": Standing.AWAITING,
        "驳回": Standing.REJECTED,
    }
    annotated = dict(with_standing(Member.objects.all(), year=year).values_list("name", "standing"))
    assert annotated == expected
    assert {m.name: report_standing(m, year) for m in Member.objects.all()} == expected
    assert {m.name for m in late_members(year=year)} == {"晚报"}
    assert {m.name for m in unreported_members(year=year)} == {"待审", "驳回"}


def test_setting_a_deadline_twice_moves_it_and_is_audited(reporting, tree):
    deadline_set(
        year=2025, deadline=dt.date(2025, 3, 31), community=tree.c1, acting_user=reporting.c1sec
    )
    row = deadline_set(
        year=2025,
        deadline=dt.date(2025, 4, 30),
        community=tree.c1,
        acting_user=reporting.c1sec,
        note="延期一个月",
    )
    assert ReportingDeadline.objects.count() == 1
    assert row.deadline == dt.date(2025, 4, 30)
    audit = AuditEntry.objects.filter(action="deadline.set").order_by("id").last()
    assert audit.before["deadline"] == "2025-03-31"
    assert audit.after["deadline"] == "2025-04-30"


def test_deadline_refusals(reporting, tree):
    with pytest.raises(ReportingNotAllowed, match="general deadline"):
        deadline_set(year=2025, deadline=dt.date(2025, 3, 31), acting_user=reporting.c1sec)
    with pytest.raises(ReportingNotAllowed, match="outside their communities"):
        deadline_set(
            year=2025, deadline=dt.date(2025, 3, 31), community=tree.c2, acting_user=reporting.c1sec
        )
    with pytest.raises(ValidationError, match="must fall in 2025"):
        deadline_set(
            year=2025, deadline=dt.date(2026, 1, 31), community=tree.c1, acting_user=reporting.c1sec
        )
    assert not ReportingDeadline.objects.exists()


def test_one_general_deadline_per_year_in_the_database(db):
    ReportingDeadline.objects.create(year=2025, deadline=dt.date(2025, 3, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingDeadline.objects.create(year=2025, deadline=dt.date(2025, 4, 30))
