"""Publishing, changing and cancelling activities: scoped to the organiser's grid, the
place inside it, specific refusals, an audit row for every write."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridgov.accounts.models import AuditEntry
from gridgov.service import services
from gridgov.service.errors import NotAllowed, ServiceError
from gridgov.service.models import ActivityStatus
from tests.service.helpers import PLACE, refused, shift
from tests.world import IN_B4, OUTSIDE


def test_publish_locates_the_place_and_makes_a_code(publish, tree, people):
    activity = publish()
    assert (activity.community, activity.compound, activity.building) == (tree.c1, tree.k1, None)
    assert activity.grid_code == tree.k1.code
    assert activity.status == ActivityStatus.PUBLISHED
    assert len(activity.checkin_code) == 6
    assert activity.checkin_code.isdigit()
    assert activity.places_taken == 0
    assert activity.length_hours == 2
    entry = AuditEntry.objects.get(action="activity.publish")
    assert entry.actor == people.k1_staff
    assert entry.object_id == str(activity.pk)


def test_codes_differ_between_activities(publish):
    codes = {publish(title=f"活动{i}").checkin_code for i in range(8)}
    assert len(codes) > 1


def test_place_outside_the_organisers_grid_is_refused(publish, tree):
    # in community C1 but outside compound K1: a branch activity must stay in its compound
    with refused(ValidationError, r"lies outside 东湖花园 \(100001001\), the organising grid"):
        publish(location=IN_B4)
    with refused(ValidationError, "lies outside 东湖花园"):
        publish(location=OUTSIDE)


def test_community_staff_publish_anywhere_in_their_community(publish, people, tree):
    activity = publish(grid=tree.c1, by=people.c1_staff, location=tree.b3.geom.point_on_surface)
    assert activity.organiser_grid == tree.c1
    assert activity.compound == tree.k2


def test_staff_cannot_publish_for_a_grid_outside_their_scope(publish, people, tree):
    with refused(NotAllowed, "k1sec may not publish activities for 东湖社区"):
        publish(grid=tree.c1, by=people.k1_staff)
    with refused(NotAllowed, "c2sec may not publish activities for 东湖花园"):
        publish(by=people.c2_staff)
    with refused(NotAllowed, "may not publish"):
        publish(by=people.wang.user)


def test_a_building_cannot_organise(publish, tree, people):
    with refused(ValidationError, "The organising grid must be a community or a compound"):
        publish(grid=tree.b1, by=people.c1_staff, location=tree.b1.geom.point_on_surface)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"starts_in": dt.timedelta(hours=-1)}, "starts_at", "has already passed"),
        ({"length": dt.timedelta(0)}, "ends_at", "The activity must end after it starts."),
        ({"length": dt.timedelta(hours=25)}, "ends_at", "at most 24 hours"),
        ({"capacity": 0}, "capacity", "Places must be a whole number from 1 to 10000, not 0."),
        ({"title": "  "}, "title", "Give the activity a title."),
    ],
)
def test_bad_input_names_the_field(publish, kwargs, field, message):
    with refused(ValidationError, message) as refusal:
        publish(**kwargs)
    assert message in refusal.value.message_dict[field][0]


def test_retired_category_is_refused(publish, service_categories):
    service_categories["epidemic"].active = False
    service_categories["epidemic"].save()
    with refused(ValidationError, "Category 疫情防控 is no longer in use"):
        publish(category="epidemic")


def test_update_before_start_and_not_below_places_taken(publish, people):
    activity = publish(capacity=3)
    services.signup_create(activity=activity, member=people.wang, acting_user=people.wang.user)
    services.signup_create(activity=activity, member=people.li, acting_user=people.li.user)
    with refused(ValidationError, "2 places are already taken"):
        services.activity_update(activity=activity, acting_user=people.k1_staff, capacity=1)
    changed = services.activity_update(
        activity=activity, acting_user=people.c1_staff, capacity=2, title="清理楼道（第二次）"
    )
    assert (changed.capacity, changed.title) == (2, "清理楼道（第二次）")
    assert AuditEntry.objects.filter(action="activity.update").count() == 1
    with refused(NotAllowed, "c2sec does not organise"):
        services.activity_update(activity=activity, acting_user=people.c2_staff, capacity=5)
    with refused(ValidationError, "lies outside 东湖花园"):
        services.activity_update(activity=activity, acting_user=people.k1_staff, location=IN_B4)
    shift(activity, started=dt.timedelta(minutes=5))
    with refused(ServiceError, "has already started: it can no longer be changed"):
        services.activity_update(activity=activity, acting_user=people.k1_staff, capacity=9)


def test_cancel_needs_a_reason_and_closes_sign_ups(publish, people):
    activity = publish()
    with refused(ValidationError, "Say why “清理楼道杂物” is cancelled."):
        services.activity_cancel(activity=activity, acting_user=people.k1_staff, reason=" ")
    with refused(NotAllowed, "only its organisers may cancel it"):
        services.activity_cancel(activity=activity, acting_user=people.wang.user, reason="x")
    activity = services.activity_cancel(
        activity=activity, acting_user=people.k1_staff, reason="台风预警"
    )
    assert activity.status == ActivityStatus.CANCELLED
    assert activity.cancelled_at
    with refused(ServiceError, "“清理楼道杂物” was cancelled: sign-ups are closed."):
        services.signup_create(activity=activity, member=people.wang, acting_user=people.wang.user)
    with refused(ServiceError, "was already cancelled on"):
        services.activity_cancel(activity=activity, acting_user=people.k1_staff, reason="再")


def test_an_ended_activity_cannot_be_cancelled(publish, people):
    activity = shift(publish(), started=dt.timedelta(hours=3))
    assert activity.ends_at < timezone.now()
    with refused(ServiceError, "has already ended: it cannot be cancelled"):
        services.activity_cancel(activity=activity, acting_user=people.k1_staff, reason="x")


def test_unknown_fields_cannot_be_changed(publish, people):
    activity = publish()
    with refused(ServiceError, "places_taken, status cannot be changed here"):
        services.activity_update(
            activity=activity, acting_user=people.k1_staff, status="cancelled", places_taken=0
        )


def test_place_is_checked_with_the_organising_grid_unchanged(publish, tree):
    activity = publish(location=PLACE)
    assert activity.organiser_grid == tree.k1
