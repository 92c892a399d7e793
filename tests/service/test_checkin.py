"""Check-in (签到): on site within GRIDGOV_CHECKIN_DISTANCE_M metres (measured in metres,
GCJ-02 input converted), with the organiser's code, or by the organiser; only in the window
from an hour before the start to the end; each refusal says why."""

import datetime as dt
import re

import pytest
from django.contrib.gis.geos import Point

from geodata.crs import from_wgs84
from gridgov.accounts.models import AuditEntry
from gridgov.service import services
from gridgov.service.errors import CheckinRefused, NotAllowed
from gridgov.service.models import CheckinMethod, SignUp
from tests.service.helpers import PLACE, refused, shift


@pytest.fixture
def signed(publish, people):
    """王芳 signed up for an activity that started ten minutes ago."""
    activity = publish()
    signup = services.signup_create(activity=activity, member=people.wang, acting_user=None)
    shift(activity, started=dt.timedelta(minutes=10))
    return signup


def on_site(signup, point, user):
    return services.signup_checkin_on_site(signup=signup, location=point, acting_user=user)


def test_on_site_within_the_distance(signed, people):
    near = Point(PLACE.x, PLACE.y + 0.001, srid=4326)  # about 111 m north
    signup = on_site(signed, near, people.wang.user)
    assert signup.checked_in_at
    assert signup.checkin_method == CheckinMethod.ON_SITE
    assert 105 < signup.checkin_distance_m < 115
    assert signup.checkin_location.equals_exact(near, 1e-9)
    assert AuditEntry.objects.filter(action="signup.checkin_on_site").count() == 1


def test_too_far_says_how_far(signed, people):
    far = Point(PLACE.x + 0.01, PLACE.y, srid=4326)  # about 1,024 m east at 23°N
    with refused(
        CheckinRefused,
        r"You are [\d,]+ m from the place of “清理楼道杂物”: on-site "
        r"check-in is accepted within 200 m\.",
    ) as _:
        try:
            on_site(signed, far, people.wang.user)
        except CheckinRefused as exc:
            metres = int(re.search(r"You are ([\d,]+) m", exc.text).group(1).replace(",", ""))
            assert 1015 <= metres <= 1030  # metres, not degrees
            raise


def test_distance_limit_is_a_setting(signed, people, settings):
    settings.GRIDGOV_CHECKIN_DISTANCE_M = 50
    with refused(CheckinRefused, "within 50 m"):
        on_site(signed, Point(PLACE.x, PLACE.y + 0.001, srid=4326), people.wang.user)


def test_gcj02_position_is_converted(signed, people):
    lon, lat = from_wgs84([PLACE.x], [PLACE.y], "gcj02")
    # read as WGS84, the Chinese-map coordinates lie hundreds of metres away ...
    as_wgs = services.point_from_input(float(lon[0]), float(lat[0]), "wgs84")
    with refused(CheckinRefused, "m from the place"):
        on_site(signed, as_wgs, people.wang.user)
    # ... flagged as GCJ-02 they are converted back to the place itself
    as_gcj = services.point_from_input(float(lon[0]), float(lat[0]), "gcj02")
    assert on_site(signed, as_gcj, people.wang.user).checkin_distance_m < 1


def test_unreadable_positions(signed):
    for lon, lat, crs, message in [
        ("", "", "wgs84", "The position could not be read"),
        ("abc", "23", "wgs84", "could not be read"),
        ("200", "23", "wgs84", "could not be read"),
        ("113.1", "23", "bd09", "Unknown coordinate system bd09"),
    ]:
        with pytest.raises(Exception, match=message):
            services.point_from_input(lon, lat, crs)


def test_window_opens_an_hour_before_and_closes_at_the_end(publish, people):
    activity = publish(starts_in=dt.timedelta(hours=2))
    signup = services.signup_create(activity=activity, member=people.wang, acting_user=None)
    with refused(
        CheckinRefused,
        r"Check-in for “清理楼道杂物” opens at .*, 60 minutes before "
        "the start.",
    ):
        on_site(signup, PLACE, people.wang.user)
    shift(activity, started=dt.timedelta(minutes=-50))  # starts in 50 minutes: open
    signup = on_site(signup, PLACE, people.wang.user)
    assert signup.checked_in_at
    other = services.signup_create(activity=activity, member=people.li, acting_user=None)
    shift(activity, started=dt.timedelta(hours=2, minutes=1))  # ended a minute ago
    with refused(CheckinRefused, r"“清理楼道杂物” ended at .*: check-in is closed."):
        services.signup_checkin_with_code(
            signup=other, code=activity.checkin_code, acting_user=people.li.user
        )


def test_with_the_organisers_code(signed, people):
    code = signed.activity.checkin_code
    signup = services.signup_checkin_with_code(
        signup=signed, code=f" {code} ", acting_user=people.wang.user
    )
    assert signup.checkin_method == CheckinMethod.CODE
    assert signup.checkin_distance_m is None
    with refused(CheckinRefused, r"王芳 already checked in to “清理楼道杂物” at "):
        services.signup_checkin_with_code(signup=signup, code=code, acting_user=people.wang.user)


def test_wrong_codes_are_counted_and_then_locked(signed, people):
    wrong = "x" + signed.activity.checkin_code
    for left in range(services.MAX_CODE_FAILURES - 1, -1, -1):
        with pytest.raises(
            CheckinRefused,
            match=rf"That is not the check-in code of "
            rf"“清理楼道杂物” \({left} tries left\)",
        ):
            services.signup_checkin_with_code(
                signup=signed, code=wrong, acting_user=people.wang.user
            )
    assert SignUp.objects.get(pk=signed.pk).code_failures == services.MAX_CODE_FAILURES
    assert AuditEntry.objects.filter(action="signup.checkin_code_wrong").count() == 5
    with refused(CheckinRefused, "Too many wrong codes"):
        services.signup_checkin_with_code(
            signup=signed, code=signed.activity.checkin_code, acting_user=people.wang.user
        )
    # on site still works
    assert on_site(signed, PLACE, people.wang.user).checked_in_at


def test_only_the_member_checks_in_and_the_organiser_may_check_them_in(signed, people):
    with refused(NotAllowed, "li may only check themselves in"):
        on_site(signed, PLACE, people.li.user)
    with refused(NotAllowed, "c2sec does not organise"):
        services.signup_checkin_by_organiser(signup=signed, acting_user=people.c2_staff)
    signup = services.signup_checkin_by_organiser(signup=signed, acting_user=people.c1_staff)
    assert signup.checkin_method == CheckinMethod.ORGANISER


def test_no_checkin_for_cancelled_activity_or_sign_up(publish, people):
    activity = publish()
    signup = services.signup_create(activity=activity, member=people.wang, acting_user=None)
    services.signup_cancel(signup=signup, acting_user=None)
    shift(activity, started=dt.timedelta(minutes=5))
    with refused(CheckinRefused, "The sign-up of 王芳 for “清理楼道杂物” was cancelled"):
        on_site(signup, PLACE, people.wang.user)
    activity2 = publish(title="义诊")
    signup2 = services.signup_create(activity=activity2, member=people.wang, acting_user=None)
    services.activity_cancel(activity=activity2, acting_user=None, reason="医生有事")
    shift(activity2, started=dt.timedelta(minutes=5))
    with refused(CheckinRefused, "“义诊” was cancelled: there is nothing to check in to."):
        on_site(signup2, PLACE, people.wang.user)
