"""Real threads against PostGIS: thirty members sign up for five places at once → exactly
five places taken; one member signing up ten times at once → one sign-up; ten organisers
confirming the same hours at once → one ledger entry."""

import threading
from collections import Counter

import pytest
from django.contrib.gis.geos import Point
from django.db import connection, connections
from django.utils import translation

from gridgov.points.models import LedgerEntry
from gridgov.service import services
from gridgov.service.errors import ActivityFull, ServiceError
from gridgov.service.models import Activity, SignUp
from tests.factories import MemberFactory
from tests.service.helpers import PLACE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgis_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: real concurrency needs PostGIS")


def race(n: int, work) -> tuple[Counter, list[BaseException]]:
    """Run ``work(i)`` in n threads released together; count outcomes by exception type."""
    barrier = threading.Barrier(n)
    outcomes: Counter = Counter()
    other: list[BaseException] = []
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                work(i)
            with lock:
                outcomes["ok"] += 1
        except ActivityFull:
            with lock:
                outcomes["full"] += 1
        except ServiceError as exc:
            with lock:
                outcomes[exc.text] += 1
        except BaseException as exc:
            with lock:
                other.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes, other


def test_thirty_members_five_places(publish):
    activity = publish(capacity=5)
    members = [
        MemberFactory(name=f"党员{i:02d}", location=Point(113.102, 23.002, srid=4326))
        for i in range(30)
    ]
    outcomes, other = race(
        30, lambda i: services.signup_create(activity=activity, member=members[i], acting_user=None)
    )
    assert other == []
    assert outcomes == Counter({"ok": 5, "full": 25})
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.places_taken == 5
    assert SignUp.objects.filter(activity=activity, status="active").count() == 5


def test_one_member_ten_times_at_once(publish, people):
    activity = publish(capacity=5)
    outcomes, other = race(
        10,
        lambda i: services.signup_create(activity=activity, member=people.wang, acting_user=None),
    )
    assert other == []
    assert outcomes["ok"] == 1
    assert outcomes["王芳 has already signed up for “清理楼道杂物”."] == 9
    assert Activity.objects.get(pk=activity.pk).places_taken == 1
    assert SignUp.objects.filter(activity=activity).count() == 1


def test_hours_confirmed_once_under_concurrency(publish, people):
    import datetime as dt

    from tests.service.helpers import shift

    activity = publish()
    signup = services.signup_create(activity=activity, member=people.wang, acting_user=None)
    shift(activity, started=dt.timedelta(minutes=10))
    services.signup_checkin_on_site(signup=signup, location=PLACE, acting_user=None)
    outcomes, other = race(
        10,
        lambda i: services.signup_confirm_hours(
            signup=signup, hours="2", acting_user=people.k1_staff
        ),
    )
    assert other == []
    assert outcomes["ok"] == 1
    assert sum(outcomes.values()) == 10
    assert LedgerEntry.objects.filter(source=f"service.signup:{signup.pk}").count() == 1
