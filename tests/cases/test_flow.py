"""A resident's case through every state: create → respond → dispatch → take → start →
resolve → feedback → reopen → take again → close; escalation; a micro-wish taken directly."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridgov.accounts.models import AuditEntry
from gridgov.cases import services
from gridgov.cases.errors import CaseNotAllowed
from gridgov.cases.models import Case, CaseEvent, Status


def actions(case):
    return list(case.events.values_list("action", "from_status", "to_status"))


def test_a_case_goes_through_every_state(new_case, people, tree):
    case = new_case()
    year = timezone.localtime(case.created_at).year
    assert case.number == f"{year}-000001"
    assert (case.community, case.compound, case.building) == (tree.c1, tree.k1, tree.b1)
    assert case.grid_code == tree.b1.code
    assert case.status == Status.NEW
    assert case.first_response_at is None

    case = services.case_respond(case=case, acting_user=people.c1_staff, note="已登记，今天派人")
    assert case.first_response_at is not None
    first = case.first_response_at

    case = services.case_dispatch(case=case, member=people.wang, acting_user=people.c1_staff)
    assert case.status == Status.DISPATCHED
    assert case.dispatched_to == people.wang
    assert case.first_response_at == first  # the first answer stays the first

    case = services.case_take(case=case, member=people.wang, acting_user=people.c1_staff)
    assert case.status == Status.TAKEN
    assert case.taken_by == people.wang
    assert case.taken_at

    case = services.case_start(case=case, acting_user=people.c1_staff)
    assert case.status == Status.IN_PROGRESS

    case = services.case_resolve(case=case, acting_user=people.c1_staff, note="换了灯泡")
    assert case.status == Status.RESOLVED
    assert case.resolved_at

    with pytest.raises(CaseNotAllowed, match="Only the resident who raised case"):
        services.case_feedback(case=case, acting_user=people.stranger, satisfaction=5)
    case = services.case_feedback(
        case=case, acting_user=people.resident, satisfaction=2, text="灯又坏了"
    )
    assert (case.satisfaction, case.feedback) == (2, "灯又坏了")

    case = services.case_reopen(case=case, acting_user=people.resident, reason="第二天又不亮")
    assert case.status == Status.NEW
    assert case.reopened_count == 1
    assert case.taken_by is None
    assert case.dispatched_to is None
    assert case.resolved_at is None
    assert case.first_response_at is None  # a new round needs a new answer

    case = services.case_dispatch(case=case, member=people.li, acting_user=people.c1_staff)
    case = services.case_take(case=case, member=people.li, acting_user=people.c1_staff)
    assert case.taken_by == people.li
    case = services.case_close(
        case=case, acting_user=people.c1_staff, reason="not_ours", note="线路属供电局"
    )
    assert case.status == Status.CLOSED
    assert case.closure_reason == "not_ours"
    assert case.resolved_at is None  # closed never reads as resolved
    assert case.get_status_display() != Status.RESOLVED.label

    assert actions(case) == [
        ("created", "", "new"),
        ("responded", "new", "new"),
        ("dispatched", "new", "dispatched"),
        ("taken", "dispatched", "taken"),
        ("started", "taken", "in_progress"),
        ("resolved", "in_progress", "resolved"),
        ("feedback", "resolved", "resolved"),
        ("reopened", "resolved", "new"),
        ("dispatched", "new", "dispatched"),
        ("taken", "dispatched", "taken"),
        ("closed", "taken", "closed"),
    ]
    events = list(case.events.all())
    assert events[3].member == people.wang
    assert events[9].member == people.li
    assert events[6].satisfaction == 2
    assert events[6].actor == people.resident
    # one audit row per event, in the same transactions
    audits = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert audits.count() == len(events)
    assert sorted(audits.values_list("action", flat=True)) == sorted(
        f"case.{a}" for a, _, _ in actions(case)
    )


def test_escalation_to_the_street_office(new_case, people):
    case = new_case(category="safety_hazard", title="小区后门围墙倒塌")
    with pytest.raises(ValidationError, match="say why the community cannot solve it"):
        services.case_escalate(case=case, acting_user=people.c1_staff, note="  ")
    case = services.case_escalate(
        case=case, acting_user=people.c1_staff, note="需住建部门鉴定围墙安全"
    )
    assert case.escalated
    assert case.escalated_at
    assert case.status == Status.NEW
    assert case.first_response_at == case.escalated_at  # escalating answers the resident
    with pytest.raises(ValidationError, match="already escalated to the street office"):
        services.case_escalate(case=case, acting_user=people.c1_staff, note="再次上报")
    assert CaseEvent.objects.filter(case=case, action="escalated").count() == 1


def test_micro_wish_is_taken_directly_from_new(new_case, people):
    wish = new_case(category="micro_wish", title="想要一台助行器", channel="window")
    wish = services.case_take(case=wish, member=people.li, acting_user=people.c1_staff)
    assert wish.status == Status.TAKEN
    assert wish.taken_by == people.li
    assert wish.dispatched_to is None
    assert wish.first_response_at == wish.taken_at


def test_close_as_duplicate_names_the_original(new_case, people):
    first, second = new_case(), new_case()
    with pytest.raises(ValidationError, match="say which case it duplicates"):
        services.case_close(case=second, acting_user=people.c1_staff, reason="duplicate")
    second = services.case_close(
        case=second, acting_user=people.c1_staff, reason="duplicate", duplicate_of=first
    )
    assert second.duplicate_of == first
    assert second.closure_reason == "duplicate"
    reopened = services.case_reopen(case=second, acting_user=people.c1_staff, reason="不是同一件")
    assert reopened.duplicate_of is None
    assert reopened.closure_reason == ""


def test_numbers_are_sequential_per_year(new_case, case_categories, people):
    a, b = new_case(), new_case()
    assert int(b.number.split("-")[1]) == int(a.number.split("-")[1]) + 1
    old = services.case_create(
        acting_user=None,
        category=case_categories["sanitation"],
        channel="patrol",
        title="垃圾堆放",
        requester_name="巡逻队",
        location=Point(113.102, 23.002, srid=4326),
        at=timezone.now() - dt.timedelta(days=400),
    )
    assert old.number.endswith("-000001")
    assert old.number[:4] != a.number[:4]


def test_a_point_outside_every_community_is_refused_naming_the_case(case_categories, people):
    with pytest.raises(ValidationError, match="“井盖丢失” lies outside every community"):
        services.case_create(
            acting_user=people.c1_staff,
            category=case_categories["repair"],
            channel="phone",
            title="井盖丢失",
            requester_name="刘先生",
            location=Point(113.2, 23.1, srid=4326),
        )
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_a_point_in_a_community_but_no_building_is_kept(new_case, tree):
    case = new_case(location=Point(113.1095, 23.0095, srid=4326))  # C1, outside compounds
    assert case.community == tree.c1
    assert case.compound is None
    assert case.building is None
    assert case.grid_code == tree.c1.code
    assert case.nearest_building is not None
