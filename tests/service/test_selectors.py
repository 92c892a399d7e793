"""The readers other features use, checked against hand-counted figures: activities a
member attended, hours per member and per grid in a date range, tomorrow's activities,
counts per category."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridgov.grids.models import Level
from gridgov.service import selectors, services
from gridgov.service.models import Activity
from tests.service.helpers import PLACE, shift, upload


def held(publish, people, *, title, days_ago, attendees, hours="2", **kw):
    """An activity held ``days_ago`` days ago (at 10:00 local), attended by the given
    members with ``hours`` each confirmed."""
    activity = publish(title=title, **kw)
    signups = [
        services.signup_create(activity=activity, member=m, acting_user=None) for m in attendees
    ]
    # check in and confirm while it runs (started five minutes ago), then move it back to
    # its day in the past
    shift(activity, started=dt.timedelta(minutes=5), length=dt.timedelta(hours=3))
    for s in signups:
        services.signup_checkin_by_organiser(signup=s, acting_user=None)
        if hours:
            services.signup_confirm_hours(signup=s, hours=hours, acting_user=None)
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) - dt.timedelta(
        days=days_ago
    )
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=3)
    )
    activity.refresh_from_db()
    return activity


@pytest.fixture
def history(publish, people, tree, service_categories):
    """Four activities over the last weeks and one self-organised service, by hand:
    - A (K1, clean_home, 3 days ago): 王芳 2 h, 李强 2 h
    - B (K1, clean_home, 10 days ago): 王芳 1.5 h
    - C (C2, culture_sports, 40 days ago): 赵敏 3 h, 王芳 3 h
    - D (K1, clean_home, 5 days ago): 李强 checked in, no hours yet
    - 王芳's self-organised service 2 days ago in C2, 1.25 h, confirmed (neighbourly)
    """
    a = held(publish, people, title="A", days_ago=3, attendees=[people.wang, people.li])
    b = held(publish, people, title="B", days_ago=10, attendees=[people.wang], hours="1.5")
    c = held(
        publish,
        people,
        title="C",
        days_ago=40,
        attendees=[people.zhao, people.wang],
        hours="3",
        grid=tree.c2,
        by=people.c2_staff,
        location=tree.b4.geom.centroid,
        category="culture_sports",
    )
    d = held(publish, people, title="D", days_ago=5, attendees=[people.li], hours=None)
    record = services.selfservice_submit(
        member=people.wang,
        acting_user=None,
        description="陪老人",
        hours="1.25",
        served_on=timezone.localdate() - dt.timedelta(days=2),
        category=service_categories["neighbourly"],
        photo=upload(),
        location=tree.b4.geom.centroid,
    )
    services.selfservice_confirm(record=record, acting_user=None)
    return {"a": a, "b": b, "c": c, "d": d}


def days(n):
    return timezone.localdate() - dt.timedelta(days=n)


def test_activities_attended(history, people):
    assert [a.title for a in selectors.activities_attended(people.wang, days(60), days(0))] == [
        "C",
        "B",
        "A",
    ]
    assert [a.title for a in selectors.activities_attended(people.wang, days(14), days(0))] == [
        "B",
        "A",
    ]
    assert [a.title for a in selectors.activities_attended(people.li, days(14), days(0))] == [
        "D",
        "A",
    ]  # checked in counts as attended, hours or not


def test_hours_per_member(history, people, tree):
    assert selectors.hours_per_member(days(14), days(0)) == {
        people.wang.pk: Decimal("4.75"),  # 2 + 1.5 + 1.25
        people.li.pk: Decimal("2.00"),
    }
    assert selectors.hours_per_member(days(60), days(0))[people.wang.pk] == Decimal("7.75")
    assert selectors.hours_per_member(days(60), days(0), prefix=tree.c2.code) == {
        people.zhao.pk: Decimal("3.00")
    }


def test_hours_per_grid(history, people, tree):
    by_place = selectors.hours_per_grid(days(60), days(0))
    assert by_place == {
        tree.c1.code: Decimal("5.50"),  # A 4 + B 1.5
        tree.c2.code: Decimal("7.25"),
    }  # C 6 + self-service 1.25
    by_member = selectors.hours_per_grid(days(60), days(0), by="member")
    assert by_member == {
        tree.c1.code: Decimal("9.75"),  # 王芳 7.75 + 李强 2
        tree.c2.code: Decimal("3.00"),
    }
    compounds = selectors.hours_per_grid(days(14), days(0), level=Level.COMPOUND)
    assert compounds == {tree.k1.code: Decimal("5.50"), tree.k3.code: Decimal("1.25")}


def test_counts_per_category(history):
    rows = {r["category"].code: r for r in selectors.counts_per_category(days(60), days(0))}
    assert len(rows) == 10
    clean = rows["clean_home"]
    assert (clean["activities"], clean["signups"], clean["attendees"], clean["activity_hours"]) == (
        3,
        4,
        4,
        Decimal("5.50"),
    )
    sports = rows["culture_sports"]
    assert (sports["activities"], sports["attendees"], sports["activity_hours"]) == (
        1,
        2,
        Decimal("6.00"),
    )
    assert (rows["neighbourly"]["self_services"], rows["neighbourly"]["self_hours"]) == (
        1,
        Decimal("1.25"),
    )
    assert rows["epidemic"]["activities"] == 0


def test_activities_tomorrow(publish, people):
    now = timezone.localtime()
    tomorrow_10 = (now + dt.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    soon = publish(title="明天的活动")
    Activity.objects.filter(pk=soon.pk).update(
        starts_at=tomorrow_10, ends_at=tomorrow_10 + dt.timedelta(hours=2)
    )
    later = publish(title="后天的活动")
    Activity.objects.filter(pk=later.pk).update(
        starts_at=tomorrow_10 + dt.timedelta(days=1),
        ends_at=tomorrow_10 + dt.timedelta(days=1, hours=2),
    )
    cancelled = publish(title="取消的活动")
    Activity.objects.filter(pk=cancelled.pk).update(
        starts_at=tomorrow_10, ends_at=tomorrow_10 + dt.timedelta(hours=2)
    )
    services.activity_cancel(activity=cancelled, acting_user=None, reason="改期")
    services.signup_create(activity=soon, member=people.wang, acting_user=None)
    gone = services.signup_create(activity=soon, member=people.li, acting_user=None)
    services.signup_cancel(signup=gone, acting_user=None)
    assert [a.title for a in selectors.activities_tomorrow()] == ["明天的活动"]
    assert [s.member.name for s in selectors.signups_tomorrow()] == ["王芳"]


def test_my_signups_and_place(publish, people):
    activity = publish()
    services.signup_create(activity=activity, member=people.wang, acting_user=None)
    assert [s.activity for s in selectors.my_signups(people.wang)] == [activity]
    assert selectors.my_signups(None).count() == 0
    assert activity.location.equals_exact(PLACE, 1e-9)
