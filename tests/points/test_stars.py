"""Star ratings (星级志愿者) from GRIDGOV_STAR_THRESHOLDS: cumulative confirmed hours, and
a clear ImproperlyConfigured for a malformed setting."""

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from gridgov.points import selectors, services

DEFAULT = ["1:20", "2:100", "3:300", "4:600", "5:1000"]


@override_settings(GRIDGOV_STAR_THRESHOLDS=DEFAULT)
@pytest.mark.parametrize(
    ("hours", "stars"),
    [
        ("0", 0),
        ("19.99", 0),
        ("20", 1),
        ("99.5", 1),
        ("100", 2),
        ("599.99", 3),
        ("600", 4),
        ("1000", 5),
        ("5000", 5),
    ],
)
def test_stars_at_the_boundaries(hours, stars):
    assert selectors.stars_for_hours(Decimal(hours)) == stars


@pytest.mark.parametrize(
    "value",
    [
        "1:20,2:100",
        " 2:100 , 1:20 ",
        ["2:100", "1:20"],
        [(1, 20), (2, "100")],
        ["1: 20", "2 :100"],
    ],
)
def test_accepted_forms(value):
    with override_settings(GRIDGOV_STAR_THRESHOLDS=value):
        assert selectors.star_thresholds() == [(1, Decimal(20)), (2, Decimal(100))]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (["1-20"], "'1-20' is not 'stars:hours'"),
        (["1:20:3"], "is not 'stars:hours'"),
        (["one:20"], "stars that are not a whole number"),
        (["0:20"], "stars that are not a whole number from 1"),
        (["1:lots"], "hours that are not a number"),
        (["1:-5"], "number of hours ≥ 0"),
        (["1:NaN"], "number of hours ≥ 0"),
        (["1:20", "1:30"], "names 1 stars twice"),
        (["1:100", "2:50"], "needs 50 hours for 2 stars, not more than 100 for 1"),
        (42, "is not a list"),
        ([None], "is not 'stars:hours'"),
    ],
)
def test_malformed_thresholds_say_what_is_wrong(value, says):
    with (
        override_settings(GRIDGOV_STAR_THRESHOLDS=value),
        pytest.raises(ImproperlyConfigured, match="GRIDGOV_STAR_THRESHOLDS") as exc,
    ):
        selectors.star_thresholds()
    assert says in str(exc.value)
    assert "e.g. '1:20,2:100,3:300'" in str(exc.value)


@override_settings(GRIDGOV_STAR_THRESHOLDS=["1:10", "2:30", "3:60"])
def test_member_stars_count_every_year_and_corrections(people, earn):
    from django.utils import timezone

    today = timezone.localdate()
    earn(people.wang, 8, on=today.replace(year=today.year - 1, month=6, day=1))
    earn(people.wang, 4)
    stars = selectors.member_stars(people.wang)
    assert (stars.stars, stars.hours, stars.next_stars, stars.to_next) == (1, 12, 2, 18)
    assert stars.marks == [True, False, False]
    services.ledger_adjust(
        member=people.wang, hours=-3, points=0, reason="多记", acting_user=people.c1_staff
    )
    assert selectors.member_stars(people.wang).stars == 0
    earn(people.wang, 60)
    stars = selectors.member_stars(people.wang)
    assert (stars.stars, stars.next_stars, stars.to_next) == (3, None, None)


@override_settings(GRIDGOV_STAR_THRESHOLDS=[])
def test_no_thresholds_no_stars(people, earn):
    earn(people.wang, 500)
    assert selectors.member_stars(people.wang).stars == 0
    assert selectors.member_stars(people.wang).marks == []
