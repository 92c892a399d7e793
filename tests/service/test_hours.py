"""Recording hours (记录): the organiser confirms an attendee's hours once the activity has
started, at most its length; the ledger is credited exactly once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridgov.points.models import LedgerEntry
from gridgov.points.selectors import hours_in_year
from gridgov.service import services
from gridgov.service.errors import NotAllowed, ServiceError
from tests.service.helpers import PLACE, refused, shift


@pytest.fixture
def attended(publish, people):
    """王芳 checked in to a 2-hour activity that started ten minutes ago; 李强 signed up
    but did not come."""
    activity = publish()
    signup = services.signup_create(activity=activity, member=people.wang, acting_user=None)
    absent = services.signup_create(activity=activity, member=people.li, acting_user=None)
    shift(activity, started=dt.timedelta(minutes=10))
    signup = services.signup_checkin_on_site(
        signup=signup, location=PLACE, acting_user=people.wang.user
    )
    return signup, absent


def test_confirm_credits_the_ledger_once(attended, people):
    signup, _ = attended
    signup = services.signup_confirm_hours(signup=signup, hours="1.5", acting_user=people.k1_staff)
    assert signup.hours == Decimal("1.50")
    assert signup.hours_confirmed_by == people.k1_staff
    entry = LedgerEntry.objects.get(source=f"service.signup:{signup.pk}")
    assert signup.ledger_entry == entry
    assert (entry.member, entry.hours, entry.kind) == (people.wang, Decimal("1.50"), "earn")
    assert entry.occurred_on == timezone.localtime(signup.activity.starts_at).date()
    assert "清理楼道杂物" in entry.reason
    with refused(
        ServiceError,
        r"The hours of 王芳 for “清理楼道杂物” were already recorded "
        r"\(1.50 h on ",
    ):
        services.signup_confirm_hours(signup=signup, hours="1", acting_user=people.k1_staff)
    assert LedgerEntry.objects.filter(member=people.wang).count() == 1
    assert hours_in_year(people.wang, entry.occurred_on.year) == Decimal("1.50")


def test_hours_on_an_activity_that_has_not_happened(publish, people):
    activity = publish()
    signup = services.signup_create(activity=activity, member=people.wang, acting_user=None)
    shift(activity, started=dt.timedelta(minutes=-30))  # starts in 30 minutes
    services.signup_checkin_with_code(
        signup=signup, code=activity.checkin_code, acting_user=people.wang.user
    )
    with refused(
        ServiceError,
        r"“清理楼道杂物” has not happened yet \(it starts at .*\): hours "
        "can be recorded once it has started.",
    ):
        services.signup_confirm_hours(signup=signup, hours="1", acting_user=people.k1_staff)


def test_only_for_attendees_who_checked_in(attended, people):
    _, absent = attended
    with refused(
        ServiceError,
        "李强 did not check in to “清理楼道杂物”: hours are recorded only "
        "for attendees who checked in.",
    ):
        services.signup_confirm_hours(signup=absent, hours="1", acting_user=people.k1_staff)


@pytest.mark.parametrize("hours", ["2.01", "0", "-1", "abc", "1.005", "NaN", "Infinity", ""])
def test_hours_at_most_the_length(attended, people, hours):
    signup, _ = attended
    with refused(
        ValidationError,
        r"Hours must be more than 0 and at most 2.00 \(the length "
        r"of “清理楼道杂物”\)",
    ):
        services.signup_confirm_hours(signup=signup, hours=hours, acting_user=people.k1_staff)


def test_only_organisers_confirm(attended, people):
    signup, _ = attended
    for user in (people.c2_staff, people.wang.user):
        with refused(NotAllowed, "only its organisers confirm hours"):
            services.signup_confirm_hours(signup=signup, hours="2", acting_user=user)
    services.signup_confirm_hours(signup=signup, hours="2", acting_user=people.c1_staff)


def test_a_cancelled_activity_earns_nothing_and_hours_block_cancelling(attended, people):
    signup, _ = attended
    services.signup_confirm_hours(signup=signup, hours="2", acting_user=people.k1_staff)
    with refused(ServiceError, "Hours have already been recorded for “清理楼道杂物”"):
        services.activity_cancel(activity=signup.activity, acting_user=people.k1_staff, reason="x")


def test_cancelled_activity_refuses_hours(publish, people):
    activity = publish()
    signup = services.signup_create(activity=activity, member=people.wang, acting_user=None)
    shift(activity, started=dt.timedelta(minutes=-30))
    services.signup_checkin_by_organiser(signup=signup, acting_user=people.k1_staff)
    services.activity_cancel(activity=activity, acting_user=people.k1_staff, reason="暴雨")
    shift(activity, started=dt.timedelta(minutes=10))
    with refused(ServiceError, "“清理楼道杂物” was cancelled: no hours can be recorded."):
        services.signup_confirm_hours(signup=signup, hours="1", acting_user=people.k1_staff)
