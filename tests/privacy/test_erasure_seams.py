"""The seams erasure and the copy used to miss: a number written with spaces or dashes (and
an Open311 request storing it as typed), an erased building leader still served by the
locate index, the rows of a member's own login account (a request raised while logged in,
the login attempts naming their username), and a copy holding fewer rows than erasure
touches."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.accounts.models import AuditEntry, StaffRole
from gridgov.accounts.services import audit_record
from gridgov.cases.models import Case
from gridgov.cases.services import case_create, case_dispatch, case_respond
from gridgov.grids.models import GridRole, RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import Member, ReportStatus
from gridgov.people.services import normalise_phone, resident_create
from gridgov.planning.models import MemberGroup, MemberGroupMembership
from gridgov.privacy.services import member_erase, person_export, resident_erase
from gridgov.privacy.tracing import pointer_models, trace
from tests.factories import HouseholdFactory, MemberFactory
from tests.privacy.helpers import dump_all_tables, open311_post
from tests.privacy.search import find_everywhere, find_person
from tests.world import IN_B1

NAME, PHONE = "欧阳秀兰", "13500002468"
LEADER, LEADER_PHONE = "诸葛明月", "13300001357"


@pytest.mark.parametrize(
    ("typed", "mobile", "any_number"),
    [
        ("135-0000-2468", "13500002468", "13500002468"),
        ("+86 135 0000 2468", "13500002468", "13500002468"),
        ("0086 135.0000.2468", "13500002468", "13500002468"),
        ("8613500002468", "13500002468", "13500002468"),
        ("020-8765 4321", "", "02087654321"),
        ("(020) 87654321", "", "02087654321"),
        ("问隔壁邻居", "", ""),
    ],
)
def test_one_reading_of_a_number(typed, mobile, any_number):
    assert normalise_phone(typed) == mobile
    assert normalise_phone(typed, mobile=False) == any_number


def test_a_request_stores_the_number_as_digits(tree, case_categories, make_user):
    staff = make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1)

    def stored(phone: str) -> str:
        return case_create(
            acting_user=staff,
            category=case_categories["repair"],
            channel="phone",
            title="漏水",
            requester_name="陈建国",
            requester_phone=phone,
            location=IN_B1,
        ).requester_phone

    assert stored("+86 135-0000-2468") == "13500002468"
    assert stored("020-8765 4321") == "02087654321"
    assert stored(" 问隔壁邻居 ") == "问隔壁邻居"  # not a number: kept as typed


def test_spaced_and_dashed_numbers_are_found_and_erased(tree, case_categories, make_user):
    staff = make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    household = HouseholdFactory(location=IN_B1)
    person = resident_create(
        acting_user=staff, household=household, name=NAME, gender="F", phone=PHONE, birth_year=1950
    )
    # Open311: "first last", the number with dashes
    number = open311_post(
        first_name="秀兰", last_name="欧阳", phone="135-0000-2468", description="楼道灯坏了"
    )
    reported = Case.objects.get(number=number)
    assert (reported.requester_name, reported.requester_phone) == ("秀兰 欧阳", PHONE)
    # a request stored before numbers were normalised, spaced and with +86
    legacy = case_create(
        acting_user=staff,
        category=case_categories["repair"],
        channel="phone",
        title="楼道堆物",
        requester_name="欧阳女士",
        requester_phone=PHONE,
        location=IN_B1,
    )
    Case.objects.filter(pk=legacy.pk).update(requester_phone="+86 135 0000 2468")
    # someone else's request, whose note gives her number with dashes
    other = case_create(
        acting_user=staff,
        category=case_categories["repair"],
        channel="phone",
        title="路灯不亮",
        requester_name="陈建国",
        requester_phone="13900000000",
        location=IN_B1,
    )
    case_respond(case=other, acting_user=staff, note="邻居也反映了，电话 135-0000-2468")
    before = find_person(NAME, PHONE, "秀兰 欧阳", "欧阳女士")
    assert {"135-0000-2468", "+86 135 0000 2468", "秀兰 欧阳", "欧阳女士"} <= set(before)

    resident_erase(resident=person, acting_user=staff, reason="本人申请")
    assert find_person(NAME, PHONE, "秀兰 欧阳", "欧阳女士") == {}
    assert Case.objects.get(pk=legacy.pk).requester_phone == ""
    assert Case.objects.get(pk=other.pk).events.last().note == "邻居也反映了，电话 [erased]"
    assert "陈建国" in dump_all_tables()
    assert "13900000000" in dump_all_tables()


def test_numbers_already_written_spaced_or_dashed_are_found(tree, case_categories, make_user):
    """Rows written before numbers were stored as digits, and free text: the database is asked
    loosely (first three and last four digits), the spelling confirmed by the regex."""
    staff = make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    person = resident_create(
        acting_user=staff,
        household=HouseholdFactory(location=IN_B1),
        name=NAME,
        gender="F",
        phone=PHONE,
        birth_year=1950,
    )
    legacy = case_create(
        acting_user=staff,
        category=case_categories["repair"],
        channel="phone",
        title="楼道堆物",
        requester_name="欧阳女士",
        requester_phone=PHONE,
        location=IN_B1,
    )
    Case.objects.filter(pk=legacy.pk).update(requester_phone="+86 135 0000 2468")
    AuditEntry.objects.filter(object_type="cases.case", object_id=str(legacy.pk)).update(
        after={"requester_phone": "135-0000-2468"}
    )
    other = case_create(
        acting_user=staff,
        category=case_categories["repair"],
        channel="phone",
        title="路灯不亮",
        requester_name="陈建国",
        requester_phone="13900000000",
        location=IN_B1,
    )
    case_respond(case=other, acting_user=staff, note="邻居也反映了，电话 135 0000 2468")
    resident_erase(resident=person, acting_user=staff, reason="本人申请")
    assert find_person(NAME, PHONE, "欧阳女士") == {}
    assert Case.objects.get(pk=other.pk).events.last().note == "邻居也反映了，电话 [erased]"


@pytest.fixture
def leader(tree):
    account = get_user_model().objects.create_user(
        username="zhugeming", password="x-Pass-2026!", first_name="明月", last_name="诸葛"
    )
    member = MemberFactory(
        name=LEADER,
        phone=LEADER_PHONE,
        location=IN_B1,
        user=account,
        pledge="有事找我",
        report_status=ReportStatus.CONFIRMED,
    )
    return member


def test_an_erased_building_leader_is_nobodys_contact(tree, leader, settings):
    settings.GRIDGOV_LOCATE_CHECK_SECONDS = 0  # the index re-reads its fingerprint each time
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    gridrole_assign(
        grid=tree.b1,
        member=leader,
        role=RoleKind.BUILDING_LEADER,
        acting_user=None,
        since=today - dt.timedelta(days=30),
    )
    gridrole_assign(grid=tree.b3, member=leader, role=RoleKind.GRID_LEADER, acting_user=None)
    api = APIClient()
    at_b1 = {"lon": 113.102, "lat": 23.002}
    assert api.get("/api/v1/locate/", at_b1).json()["contact"]["name"] == LEADER  # built
    stamped = Member.objects.get(pk=leader.pk).updated_at

    done = member_erase(member=leader, acting_user=None, reason="本人申请")
    answer = api.get("/api/v1/locate/", at_b1).json()
    assert answer["contact"] is None
    assert LEADER not in json.dumps(answer, ensure_ascii=False)
    assert Member.objects.get(pk=leader.pk).updated_at > stamped  # readers see the change
    assert not GridRole.objects.current().filter(member=leader).exists()
    assert list(GridRole.objects.filter(member=leader).values_list("grid", "until")) == [
        (tree.b1.pk, yesterday)
    ]  # the term served stays on record
    assert [(r["grid"], r["until"]) for r in done["roles_ended"]] == [
        (tree.b1.code, yesterday.isoformat())
    ]
    assert [r["grid"] for r in done["roles_withdrawn"]] == [tree.b3.code]
    recorded = AuditEntry.objects.get(action="privacy.erase").after
    assert recorded["roles_ended"] == done["roles_ended"]


def test_rows_of_the_members_own_account_are_theirs(tree, case_categories, leader, client):
    account = leader.user
    # a request raised while logged in, under another form of the name and an office line
    case = case_create(
        acting_user=account,
        category=case_categories["repair"],
        channel="online",
        title="楼道堆物",
        requester_name="诸葛老师",
        requester_phone="020-8765 4321",
        requester_user=account,
        location=IN_B1,
    )
    # django-axes: a wrong password, a login, a wrong password again
    for password in ("wrong-1", "x-Pass-2026!", "wrong-2"):
        client.post("/en/accounts/login/", {"username": "zhugeming", "password": password})
        client.logout()
    audit_record(actor=None, action="account.edit", obj=account)  # labelled "zhugeming"
    written = find_everywhere("zhugeming", "诸葛老师", "02087654321")
    assert {
        "axes_accessattempt.username",
        "axes_accesslog.username",
        "accounts_auditentry.object_repr",
        "auth_user.username",
    } <= set(written["zhugeming"])
    assert written["诸葛老师"]

    done = member_erase(member=leader, acting_user=None, reason="本人申请")
    assert (
        find_person(LEADER, LEADER_PHONE, "zhugeming", "诸葛老师", "02087654321", "020-8765 4321")
        == {}
    )
    assert done["referring"]["cases.case"] == 1
    case.refresh_from_db()
    assert (case.requester_name, case.requester_phone, case.title) == ("[erased]", "", "楼道堆物")


def test_the_copy_holds_every_row_erasure_touches(tree, case_categories, make_user, leader):
    staff = make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    group = MemberGroup.objects.create(compound=tree.k1, number=1, leader=leader)  # "+"
    MemberGroupMembership.objects.create(group=group, member=leader)  # related_name "+"
    case = case_create(
        acting_user=staff,
        category=case_categories["repair"],
        channel="phone",
        title="水管漏水",
        requester_name="陈建国",
        requester_phone="13900000000",
        location=IN_B1,
    )
    case_dispatch(case=case, member=leader, acting_user=staff, note="请上门")  # 2 steps away

    found = trace(person=leader, phone=leader.phone, names=(leader.name,))  # erasure's walk
    data = person_export(acting_user=staff, member=leader)
    copied = {(label, row["id"]) for label, rows in data["related"].items() for row in rows}
    touched = {
        (model._meta.label_lower, pk)
        for model, pk in found.rows
        if model not in pointer_models() and (model, pk) != (Member, leader.pk)
    }
    assert touched <= copied
    assert {
        ("planning.membergroup", group.pk),
        ("cases.case", case.pk),
        ("auth.user", leader.user.pk),
    } <= copied
    assert {"planning.membergroupmembership", "cases.caseevent"} <= set(data["related"])
    assert len(data["audit"]) == sum(1 for model, _pk in found.rows if model in pointer_models())
    assert "password" not in data["related"]["auth.user"][0]
