"""Signing up (报名): one place per member, never beyond capacity, until the end; cancelling
before the start frees the place."""

import datetime as dt

from gridgov.accounts.models import AuditEntry
from gridgov.service import services
from gridgov.service.errors import ActivityFull, NotAllowed, ServiceError
from gridgov.service.models import Activity, SignUp, SignUpStatus
from tests.service.helpers import refused, shift


def test_sign_up_takes_a_place(publish, people):
    activity = publish(capacity=2)
    signup = services.signup_create(
        activity=activity, member=people.wang, acting_user=people.wang.user
    )
    assert signup.status == SignUpStatus.ACTIVE
    assert signup.member == people.wang
    assert Activity.objects.get(pk=activity.pk).places_taken == 1
    assert AuditEntry.objects.filter(action="signup.create", actor=people.wang.user).exists()


def test_full_activity_refuses_the_next_member(publish, people):
    activity = publish(capacity=1)
    services.signup_create(activity=activity, member=people.wang, acting_user=None)
    with refused(ActivityFull, "“清理楼道杂物” is full: all 1 places are taken."):
        services.signup_create(activity=activity, member=people.li, acting_user=None)


def test_twice_is_refused(publish, people):
    activity = publish()
    services.signup_create(activity=activity, member=people.wang, acting_user=None)
    with refused(ServiceError, "王芳 has already signed up for “清理楼道杂物”."):
        services.signup_create(activity=activity, member=people.wang, acting_user=None)


def test_members_sign_only_themselves_up(publish, people):
    activity = publish()
    with refused(NotAllowed, "li may only sign themselves up"):
        services.signup_create(activity=activity, member=people.wang, acting_user=people.li.user)
    with refused(NotAllowed, "not linked to a party member"):
        services.signup_create(activity=activity, member=None, acting_user=people.nobody)


def test_members_of_other_communities_may_join(publish, people):
    signup = services.signup_create(
        activity=publish(), member=people.zhao, acting_user=people.zhao.user
    )
    assert signup.pk


def test_sign_up_until_the_end_not_after(publish, people):
    activity = shift(publish(), started=dt.timedelta(minutes=30))
    services.signup_create(activity=activity, member=people.wang, acting_user=None)
    shift(activity, started=dt.timedelta(hours=3))
    with refused(ServiceError, r"“清理楼道杂物” ended at .*: sign-ups are closed."):
        services.signup_create(activity=activity, member=people.li, acting_user=None)


def test_cancel_before_start_frees_the_place_and_allows_signing_up_again(publish, people):
    activity = publish(capacity=1)
    signup = services.signup_create(
        activity=activity, member=people.wang, acting_user=people.wang.user
    )
    with refused(NotAllowed, "li may not cancel the sign-up of 王芳"):
        services.signup_cancel(signup=signup, acting_user=people.li.user)
    signup = services.signup_cancel(signup=signup, acting_user=people.wang.user)
    assert signup.status == SignUpStatus.CANCELLED
    assert signup.cancelled_at
    assert Activity.objects.get(pk=activity.pk).places_taken == 0
    with refused(ServiceError, "was already cancelled"):
        services.signup_cancel(signup=signup, acting_user=people.wang.user)
    other = services.signup_create(activity=activity, member=people.li, acting_user=None)
    with refused(ActivityFull, "is full"):
        services.signup_create(activity=activity, member=people.wang, acting_user=None)
    services.signup_cancel(signup=other, acting_user=people.k1_staff)  # an organiser may
    again = services.signup_create(activity=activity, member=people.wang, acting_user=None)
    assert again.pk != signup.pk
    assert SignUp.objects.filter(activity=activity, member=people.wang).count() == 2


def test_no_cancelling_once_started(publish, people):
    activity = publish()
    signup = services.signup_create(activity=activity, member=people.wang, acting_user=None)
    shift(activity, started=dt.timedelta(minutes=1))
    with refused(
        ServiceError,
        r"started at .*: a sign-up can only be cancelled before the "
        "start",
    ):
        services.signup_cancel(signup=signup, acting_user=people.wang.user)
