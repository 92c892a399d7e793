"""Readers: scoping, the open list with SLA states, the unanswered metric, duplicates in
metres."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from gridgov.accounts.models import StaffRole
from gridgov.cases import services
from gridgov.cases.models import CaseCategory
from gridgov.cases.selectors import (
    cases_visible_to,
    duplicate_suggestions,
    open_cases,
    sla_state,
    unanswered_cases,
)
from tests.world import IN_B1, IN_B4

METRES_PER_DEGREE_LAT_23N = 110_758  # meridian arc of 1° latitude at 23°N (WGS84)


def test_scoping(new_case, people, make_user, tree, django_user_model):
    c1_case = new_case()
    c2_case = new_case(location=IN_B4)
    compound_leader = make_user("k2lead", StaffRole.GRID_LEADER, tree.k2)
    k2_case = new_case(location=Point(113.107, 23.003, srid=4326), requester_user=None)
    admin = django_user_model.objects.create_superuser("root", password="x-Pass-2026!")

    assert set(cases_visible_to(people.c1_staff)) == {c1_case, k2_case}
    assert set(cases_visible_to(people.c2_staff)) == {c2_case}
    assert set(cases_visible_to(compound_leader)) == {k2_case}
    assert set(cases_visible_to(people.resident)) == {c1_case, c2_case}  # their own
    assert set(cases_visible_to(people.stranger)) == set()
    assert set(cases_visible_to(admin)) == {c1_case, c2_case, k2_case}


def test_sla_states():
    now = timezone.now()
    window = dt.timedelta(hours=4)
    assert sla_state(now + dt.timedelta(hours=3), window, None, now) == "ok"
    assert sla_state(now + dt.timedelta(minutes=59), window, None, now) == "due_soon"
    assert sla_state(now - dt.timedelta(seconds=1), window, None, now) == "breached"
    assert sla_state(now, window, now - dt.timedelta(seconds=1), now) == "ok"
    assert sla_state(now - dt.timedelta(hours=1), window, now, now) == "breached"


def test_open_cases_oldest_first_with_sla(new_case, people, case_categories):
    now = timezone.now()
    consult = services.case_create(
        acting_user=people.c1_staff,
        category=case_categories["consultation"],
        channel="window",
        title="低保怎么申请",
        requester_name="孙大爷",
        location=IN_B1,
        at=now - dt.timedelta(minutes=6),
    )
    repair = new_case()  # just now
    old = services.case_create(
        acting_user=people.c1_staff,
        category=case_categories["sanitation"],
        channel="phone",
        title="垃圾桶满了",
        requester_name="周女士",
        location=IN_B1,
        at=now - dt.timedelta(minutes=50),
    )
    done = services.case_close(case=new_case(), acting_user=people.c1_staff, reason="not_ours")

    rows = open_cases(user=people.c1_staff, now=now)
    assert [r.case for r in rows] == [old, consult, repair]
    assert done not in [r.case for r in rows]
    by_case = {r.case: r for r in rows}
    assert by_case[consult].first_response == "breached"  # 5 minutes, 6 have passed
    assert by_case[old].first_response == "due_soon"  # 60 minutes, 10 left
    assert by_case[repair].first_response == "ok"
    assert by_case[repair].worst == "ok"
    assert by_case[old].age >= dt.timedelta(minutes=50)
    assert by_case[consult].resolution == "ok"
    assert open_cases(user=people.c2_staff, now=now) == []
    assert [r.case for r in open_cases(user=people.c1_staff, prefix="100001002", now=now)] == []


def test_unanswered_metric_counts_and_lists(new_case, people):
    a, b, c = new_case(), new_case(), new_case(category="micro_wish")
    assert [r.case for r in unanswered_cases(user=people.c1_staff)] == [a, b, c]
    services.case_respond(case=a, acting_user=people.c1_staff, note="收到")
    services.case_take(case=c, member=people.wang, acting_user=people.c1_staff)
    assert [r.case for r in unanswered_cases(user=people.c1_staff)] == [b]
    services.case_close(case=b, acting_user=people.c1_staff, reason="no_further_action")
    assert unanswered_cases(user=people.c1_staff) == []
    # a reopened case needs a new answer
    services.case_reopen(case=b, acting_user=people.resident, reason="还是没人管")
    assert [r.case for r in unanswered_cases(user=people.c1_staff)] == [b]
    assert unanswered_cases(user=people.c2_staff) == []


def _north_of(point: Point, metres: float) -> Point:
    return Point(point.x, point.y + metres / METRES_PER_DEGREE_LAT_23N, srid=4326)


def _east_of(point: Point, metres: float) -> Point:
    import math

    per_degree_lon = 111_320 * math.cos(math.radians(point.y))  # close enough to pick a spot
    return Point(point.x + metres / per_degree_lon, point.y, srid=4326)


def test_duplicate_suggestions_within_radius_in_metres(new_case, people):
    here = new_case(category="sanitation")
    near = new_case(category="sanitation", location=_north_of(IN_B1, 80))
    far = new_case(category="sanitation", location=_north_of(IN_B1, 130))
    east = new_case(category="sanitation", location=_east_of(IN_B1, 95))
    other_kind = new_case(category="repair", location=_north_of(IN_B1, 10))
    closed = services.case_close(
        case=new_case(category="sanitation", location=_north_of(IN_B1, 20)),
        acting_user=people.c1_staff,
        reason="not_ours",
    )

    found = duplicate_suggestions(case=here, user=people.c1_staff, radius_m=100)
    assert [c for c, _ in found] == [near, east]
    assert dict(found)[near] == pytest.approx(80, abs=0.5)
    assert dict(found)[east] == pytest.approx(95, abs=1.0)
    # "east" is 95 m but 0.00093° away, more degrees than 100 m north (0.00090°): a radius
    # in degrees would drop it.
    wider = duplicate_suggestions(case=here, user=people.c1_staff, radius_m=150)
    assert [c for c, _ in wider] == [near, east, far]
    assert far not in [c for c, _ in found]
    assert other_kind not in [c for c, _ in wider]
    assert closed not in [c for c, _ in wider]
    assert duplicate_suggestions(case=here, user=people.c2_staff) == []


def test_seeded_categories(db):
    consult = CaseCategory.objects.get(code="consultation")
    assert consult.kind == "consultation"
    assert consult.first_response_sla_minutes == 5
    assert CaseCategory.objects.get(code="micro_wish").kind == "micro_wish"
    assert CaseCategory.objects.count() >= 6
