"""The three lists: needs from waiting cases and the latest survey, matching to resources by
category and distance in metres, confirming (and dispatching), personal data kept to the
roles that may read residents."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from pyproj import Geod

from gridgov.accounts.models import AuditEntry, StaffRole
from gridgov.cases import services as cases
from gridgov.cases.models import CaseEvent, Status
from gridgov.people.models import ReportStatus, Vulnerability
from gridgov.posts.lists import services as list_services
from gridgov.posts.lists.selectors import needs_for, suggest
from gridgov.posts.models import ServiceListEntry
from tests.factories import HouseholdFactory, MemberFactory, ResidentFactory
from tests.world import IN_B1, IN_B3, IN_B4

GEOD = Geod(ellps="WGS84")
CASE_AT = Point(113.102, 23.002, srid=4326)  # building B1


def geodesic_m(a: Point, b: Point) -> float:
    """Independent distance: the WGS84 geodesic (pyproj), not the code's projection."""
    return GEOD.inv(a.x, a.y, b.x, b.y)[2]


@dataclass
class World:
    case: object  # sanitation case in B1 (→ clean_home), new
    dispatched: object  # safety hazard in B1 (→ safety), dispatched to ``near``
    taken: object  # micro-wish taken: no longer a need
    south: object  # a case in C2
    elder: object  # empty-nest + left-behind in B1 household (→ one neighbourly need)
    poor: object  # five-guarantees + disabled in B3 (K2) household (→ poverty_relief)
    old: object  # only in the 2025 survey
    members: dict


@pytest.fixture
def world(catalogue, categories, tree, staff) -> World:
    spots = {
        "near": Point(113.1025, 23.002, srid=4326),
        "mid": Point(113.104, 23.0021, srid=4326),
        "far": Point(113.1075, 23.003, srid=4326),
        "beyond": Point(113.1095, 23.008, srid=4326),
        "other_cat": Point(113.1021, 23.002, srid=4326),
        "withdrawn": IN_B1,
        "south": IN_B4,
    }
    members = {
        name: MemberFactory(name=name, location=p, report_status=ReportStatus.CONFIRMED)
        for name, p in spots.items()
    }
    for name in ("near", "mid", "far", "beyond", "south"):
        list_services.resource_create(
            member=members[name],
            acting_user=None,
            category=categories["clean_home"],
            skill="清扫",
            available_time="周末",
        )
    list_services.resource_create(
        member=members["other_cat"],
        acting_user=None,
        category=categories["culture_sports"],
        skill="广场舞",
    )
    gone = list_services.resource_create(
        member=members["withdrawn"],
        acting_user=None,
        category=categories["clean_home"],
        skill="清扫",
    )
    list_services.resource_update(resource=gone, acting_user=None, active=False)
    for name in ("near", "mid"):
        list_services.resource_create(
            member=members[name], acting_user=None, category=categories["safety"], skill="巡逻"
        )
        list_services.resource_create(
            member=members[name],
            acting_user=None,
            category=categories["neighbourly"],
            skill="陪伴老人",
        )

    from gridgov.cases.models import CaseCategory

    def case(code, location=CASE_AT, **extra):
        return cases.case_create(
            acting_user=None,
            category=CaseCategory.objects.get(code=code),
            channel="phone",
            title=extra.pop("title", "楼下垃圾堆积"),
            requester_name="陈阿姨",
            requester_phone="13800001234",
            description="三楼住户反映",
            address="东湖花园1栋301",
            location=location,
            **extra,
        )

    new = case("sanitation")
    dispatched = cases.case_dispatch(
        case=case("safety_hazard", title="井盖松动"), member=members["near"], acting_user=None
    )
    taken = cases.case_take(
        case=case("micro_wish", title="帮忙买菜"), member=members["mid"], acting_user=None
    )
    south = case("sanitation", location=IN_B4, title="南山垃圾")

    def resident(name, location, *surveys):
        household = HouseholdFactory(address=f"{name}家", location=location)
        person = ResidentFactory(household=household, name=name, phone="13600009999")
        for category, year in surveys:
            Vulnerability.objects.create(resident=person, category=category, surveyed_year=year)
        return person

    elder = resident(
        "孙奶奶",
        Point(113.1022, 23.0022, srid=4326),
        ("empty_nest", 2026),
        ("left_behind", 2026),
        ("empty_nest", 2025),
    )
    poor = resident("周大爷", IN_B3, ("wubao", 2026), ("disabled", 2026))
    old = resident("吴阿姨", IN_B1, ("dibao", 2025))
    return World(new, dispatched, taken, south, elder, poor, old, members)


def test_needs_come_from_waiting_cases_and_the_latest_survey(world, staff):
    listing = needs_for(user=staff.c1)
    assert listing.survey_year == 2026
    assert listing.survey_years == [2026, 2025]
    got = [
        (n.source, n.category.code, n.title.split(" ")[0] if n.case else n.who)
        for n in listing.needs
    ]
    assert got == [
        ("case", "clean_home", world.case.number),
        ("case", "safety", world.dispatched.number),
        ("survey", "neighbourly", "孙奶奶"),
        ("survey", "poverty_relief", "周大爷"),
    ]
    elder = listing.needs[2]
    assert elder.detail == "empty-nest elderly, left-behind child"
    assert elder.key == f"resident:{world.elder.pk}:neighbourly"
    # last year's survey on request
    older = needs_for(user=staff.c1, survey_year=2025)
    assert [n.who for n in older.needs if n.source == "survey"] == ["孙奶奶", "吴阿姨"]
    # the other community sees its own case only
    assert [n.case for n in needs_for(user=staff.c2).needs] == [world.south]


def test_matching_by_category_and_distance_in_metres(world, staff):
    listing = needs_for(user=staff.c1)
    suggest(listing.needs, user=staff.c1, radius_m=1000)
    case_need = listing.needs[0]
    names = [s.member.name for s in case_need.suggestions]
    assert names == ["near", "mid", "far"]  # beyond > 1000 m; other category; withdrawn
    for s in case_need.suggestions:
        expected = geodesic_m(world.case.location, s.member.location)
        assert s.metres == pytest.approx(expected, rel=2e-3, abs=0.5)
    assert case_need.suggestions[0].metres == pytest.approx(51.2, abs=0.5)
    assert 1000 < geodesic_m(world.case.location, world.members["beyond"].location) < 1100

    wider = needs_for(user=staff.c1)
    suggest(wider.needs, user=staff.c1, radius_m=1100)
    assert [s.member.name for s in wider.needs[0].suggestions] == ["near", "mid", "far", "beyond"]
    # the survey need in the neighbourly category: only members offering it, nearest first
    elder = wider.needs[2]
    assert [s.member.name for s in elder.suggestions] == ["near", "mid"]


def test_confirm_and_dispatch_a_case(world, staff):
    near = world.members["near"]
    entry = list_services.service_entry_confirm(
        acting_user=staff.c1, member=near, case=world.case, dispatch=True, note="明早处理"
    )
    world.case.refresh_from_db()
    assert world.case.status == Status.DISPATCHED
    assert world.case.dispatched_to == near
    assert CaseEvent.objects.filter(case=world.case, action="dispatched", member=near).exists()
    assert entry.dispatched
    assert entry.status == "planned"
    assert entry.category.code == "clean_home"
    assert entry.distance_m == pytest.approx(
        geodesic_m(world.case.location, near.location), rel=2e-3
    )
    assert AuditEntry.objects.filter(
        action="service_entry.confirm", object_id=str(entry.pk)
    ).exists()
    listing = needs_for(user=staff.c1)
    suggest(listing.needs, user=staff.c1, radius_m=1000)
    need = listing.needs[0]
    assert need.planned
    assert need.suggestions == []
    assert need.entries == [entry]

    entry = list_services.service_entry_complete(entry=entry, acting_user=staff.c1)
    assert entry.status == "done"
    assert entry.done_on is not None


def test_a_failed_dispatch_writes_nothing(world, staff):
    before = (
        ServiceListEntry.objects.count(),
        AuditEntry.objects.count(),
        CaseEvent.objects.count(),
    )
    with pytest.raises(ValidationError) as info:  # already dispatched to ``near``
        list_services.service_entry_confirm(
            acting_user=staff.c1, member=world.members["near"], case=world.dispatched, dispatch=True
        )
    assert f"Case {world.dispatched.number} is already dispatched to near." in info.value.messages
    assert (
        ServiceListEntry.objects.count(),
        AuditEntry.objects.count(),
        CaseEvent.objects.count(),
    ) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"need": "taken", "member": "mid"},
            "only a case still waiting for a member can be matched",
        ),
        ({"need": "case", "member": "other_cat"}, "other_cat offers nothing in 洁净家园."),
        ({"need": "case", "member": "withdrawn"}, "withdrawn offers nothing in 洁净家园."),
        (
            {"need": "elder", "member": "near", "category": "poverty_relief"},
            "孙奶奶 was not surveyed with a need in 扶贫助困.",
        ),
        (
            {"need": "elder", "member": "near", "category": "neighbourly", "dispatch": True},
            "Only a need raised as a case can be dispatched.",
        ),
        ({"need": "case", "member": "south"}, "c1sec may not manage south"),
    ],
)
def test_confirm_refusals(world, staff, categories, kwargs, message):
    need = getattr(world, kwargs["need"])
    args = (
        {"case": need}
        if kwargs["need"] != "elder"
        else {"resident": need, "category": categories[kwargs["category"]]}
    )
    before = (ServiceListEntry.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as info:
        list_services.service_entry_confirm(
            acting_user=staff.c1,
            member=world.members[kwargs["member"]],
            dispatch=kwargs.get("dispatch", False),
            **args,
        )
    assert message in " ".join(info.value.messages)
    assert (ServiceListEntry.objects.count(), AuditEntry.objects.count()) == before


def test_survey_need_planned_once_then_cancelled(world, staff, categories):
    near = world.members["near"]
    neighbourly = categories["neighbourly"]
    entry = list_services.service_entry_confirm(
        acting_user=staff.c1, member=near, resident=world.elder, category=neighbourly
    )
    with pytest.raises(ValidationError, match="near is already planned for this need."):
        list_services.service_entry_confirm(
            acting_user=staff.c1, member=near, resident=world.elder, category=neighbourly
        )
    with pytest.raises(ValidationError, match="Say why the planned service is cancelled."):
        list_services.service_entry_cancel(entry=entry, acting_user=staff.c1, reason="")
    list_services.service_entry_cancel(entry=entry, acting_user=staff.c1, reason="老人住院")
    entry.refresh_from_db()
    assert entry.status == "cancelled"
    assert "老人住院" in entry.note
    with pytest.raises(ValidationError, match="This service is already cancelled."):
        list_services.service_entry_complete(entry=entry, acting_user=staff.c1)
    # planned again after the cancellation; the leader may look but not confirm
    list_services.service_entry_confirm(
        acting_user=staff.c1, member=near, resident=world.elder, category=neighbourly
    )
    with pytest.raises(ValidationError, match="may not manage"):
        list_services.service_entry_confirm(
            acting_user=staff.leader,
            member=world.members["mid"],
            resident=world.elder,
            category=neighbourly,
        )


def test_personal_data_only_for_resident_readers(world, staff, make_user, tree):
    """The secretary reads everything; the building leader sees the needs without who,
    phone, address or surveyed category; a user who reads residents only in K2 sees K2's
    need in full and the rest without personal data."""

    def personal(user):
        return {
            n.key: (n.personal, n.who, n.phone, n.address, n.detail)
            for n in needs_for(user=user).needs
        }

    full = personal(staff.c1)
    assert all(p[0] and p[1] for p in full.values())
    hidden = personal(staff.leader)
    assert set(hidden) == set(full)
    # A request's description is its content: shown to whoever sees the need.
    assert all(
        p == (False, "", "", "", "三楼住户反映" if k.startswith("case:") else "")
        for k, p in hidden.items()
    )

    mixed = make_user("k2sec", StaffRole.BRANCH_SECRETARY, tree.k2)
    from gridgov.accounts.models import Assignment

    Assignment.objects.create(
        user=mixed, role=StaffRole.BUILDING_LEADER, grid=tree.c1, scope_code=tree.c1.code
    )
    seen = personal(mixed)
    poor_key = f"resident:{world.poor.pk}:poverty_relief"
    assert seen[poor_key][:2] == (True, "周大爷")
    assert all(p[:4] == (False, "", "", "") for k, p in seen.items() if k != poor_key)
