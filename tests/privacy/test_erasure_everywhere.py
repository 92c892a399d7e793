"""Erasure leaves nothing behind: the person gets a name and a phone found nowhere else, their
data is written everywhere the application writes (the admin log by a real admin change,
notices by the services, a case naming them in its title, description and events' notes, an
Open311 request carrying their name and number, the audit trail by the services); after
erasure every text column of every table in the database is searched for both."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from gridgov.accounts.models import AuditEntry, StaffRole
from gridgov.cases.models import Case
from gridgov.cases.services import case_create, case_dispatch, case_respond
from gridgov.notices.models import Notice
from gridgov.people.models import ReportStatus, Vulnerability
from gridgov.people.services import resident_create
from gridgov.privacy.services import member_erase, resident_erase
from tests.factories import HouseholdFactory, MemberFactory
from tests.privacy.helpers import dump_all_tables, open311_post
from tests.privacy.search import find_everywhere, text_columns
from tests.world import IN_B1

NAME, PHONE = "欧阳秀英", "13800001234"  # the resident: in no other row of the database
MEMBER, MEMBER_PHONE = "司马秋菊", "13700004321"
STRANGER, STRANGER_PHONE = "上官婉儿", "13600005678"  # known only by an Open311 request


def admin_change(client, url: str, **changes) -> None:
    """Submit an admin change form as a person would: what the page shows, plus changes."""
    page = client.get(url)
    assert page.status_code == 200, url
    data: dict = {}

    def take(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, GEOSGeometry):
                value = value.ewkt
            elif isinstance(value, (list, tuple)):
                value = [str(v) for v in value]
            data[form.add_prefix(name)] = value

    take(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        take(inline.formset.management_form)
        for form in inline.formset.initial_forms:
            take(form)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )


@pytest.fixture
def root(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", password="x-Pass-2026!")
    client.force_login(user)
    return user


@pytest.fixture
def world(tree, case_categories, make_user, client, root):
    """The resident 欧阳秀英 written everywhere, and a member who handles her request."""
    secretary = make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    make_user("c1staff", StaffRole.COMMUNITY_STAFF, tree.c1)  # hears of new requests
    household = HouseholdFactory(address="东湖花园1栋302室", room="302", location=IN_B1)
    person = resident_create(
        acting_user=secretary,
        household=household,
        name=NAME,
        gender="F",
        phone=PHONE,
        birth_year=1941,
    )
    resident_create(
        acting_user=secretary, household=household, name="陈建国", gender="M", phone="13900000000"
    )
    Vulnerability.objects.create(resident=person, category="empty_nest", surveyed_year=2026)
    admin_change(client, f"/en/admin/people/resident/{person.pk}/change/", birth_year="1942")
    worker_account = make_user("wangfang", StaffRole.BUILDING_LEADER, tree.b1)
    worker = MemberFactory(
        name="王芳", location=IN_B1, user=worker_account, report_status=ReportStatus.CONFIRMED
    )
    case = case_create(
        acting_user=secretary,
        category=case_categories["repair"],
        channel="phone",
        title=f"{NAME}家水管漏水",
        description=f"{NAME}（电话{PHONE}）：厨房漏水",
        requester_name=NAME,
        requester_phone=PHONE,
        requester=person,
        location=IN_B1,
    )
    case_respond(case=case, acting_user=secretary, note=f"已电话联系{NAME}，{PHONE}")
    case_dispatch(case=case, member=worker, acting_user=secretary, note=f"请上门找{NAME}")
    number = open311_post(
        first_name=NAME, phone=PHONE, description=f"{NAME}：楼道灯坏了，回电 {PHONE}"
    )
    return type(
        "World",
        (),
        {
            "person": person,
            "secretary": secretary,
            "case": case,
            "open311": Case.objects.get(number=number),
            "worker": worker,
        },
    )


def test_the_search_reads_every_place_the_person_was_written(world):
    columns = set(text_columns())
    assert {
        ("notices_notice", "params"),
        ("accounts_auditentry", "after"),
        ("django_admin_log", "object_repr"),
    } <= columns
    hits = find_everywhere(NAME, PHONE)
    assert {
        "django_admin_log.object_repr",
        "notices_notice.params",
        "cases_case.title",
        "cases_case.description",
        "cases_caseevent.note",
        "accounts_auditentry.object_repr",
        "accounts_auditentry.after",
        "people_resident.name",
    } <= set(hits[NAME])
    assert {
        "cases_case.requester_phone",
        "cases_caseevent.note",
        "accounts_auditentry.after",
        "people_resident.phone",
    } <= set(hits[PHONE])
    assert LogEntry.objects.filter(object_repr=NAME).exists()
    assert Notice.objects.filter(params__title=f"{NAME}家水管漏水").exists()


def test_erasing_a_resident_leaves_neither_name_nor_phone_in_any_table(world):
    done = resident_erase(
        resident=world.person, acting_user=world.secretary, reason="本人2026-11-20书面申请"
    )
    assert find_everywhere(NAME, PHONE) == {NAME: [], PHONE: []}
    assert done["referring"]["cases.case"] == 1
    case = Case.objects.get(pk=world.case.pk)  # the work done stays accountable
    assert (case.requester_id, case.requester_name, case.requester_phone) == (None, "[erased]", "")
    assert case.title == "[erased]家水管漏水"
    assert case.events.count() == 3
    assert list(case.events.values_list("note", flat=True))[1:] == [
        "已电话联系[erased]，[erased]",
        "请上门找[erased]",
    ]
    reported = Case.objects.get(pk=world.open311.pk)
    assert (reported.requester_name, reported.requester_phone) == ("[erased]", "")
    assert reported.description == "[erased]：楼道灯坏了，回电 [erased]"
    assert "陈建国" in dump_all_tables()
    assert "王芳" in dump_all_tables()
    assert LogEntry.objects.filter(object_repr="[erased]").exists()
    assert AuditEntry.objects.filter(action="case.created").count() == 2
    erased = AuditEntry.objects.get(action="privacy.erase")
    assert erased.after["reason"] == "本人2026-11-20书面申请"


def test_erasing_a_member_leaves_neither_name_nor_phone_in_any_table(
    world, tree, client, django_user_model
):
    account = django_user_model.objects.create_user(
        username="siqiuju", password="x-Pass-2026!", first_name="秋菊", last_name="司马"
    )
    member = MemberFactory(
        name=MEMBER,
        phone=MEMBER_PHONE,
        location=IN_B1,
        user=account,
        pledge=f"有事找{MEMBER}，{MEMBER_PHONE}",
        report_status=ReportStatus.CONFIRMED,
    )
    admin_change(
        client, f"/en/admin/people/member/{member.pk}/change/", specialty=f"{MEMBER}擅长修水管"
    )
    case_dispatch(
        case=world.case,
        member=member,
        acting_user=world.secretary,
        note=f"改派{MEMBER}（{MEMBER_PHONE}）",
    )
    hits = find_everywhere(MEMBER, MEMBER_PHONE)
    assert {
        "django_admin_log.object_repr",
        "cases_caseevent.note",
        "accounts_auditentry.after",
    } <= set(hits[MEMBER])
    assert Notice.objects.filter(user=account).exists()
    member_erase(member=member, acting_user=None, reason="本人申请")
    assert find_everywhere(MEMBER, MEMBER_PHONE) == {MEMBER: [], MEMBER_PHONE: []}
    assert NAME in dump_all_tables()  # the resident's request is not the member's data


def test_an_erasure_that_fails_half_way_changes_nothing(world, django_user_model):
    """All or nothing: a member whose login cannot be renamed (the new name is taken) fails
    after the name and phone were replaced elsewhere; those replacements are undone."""
    account = django_user_model.objects.create_user(username="siqiuju", password="x-Pass-2026!")
    member = MemberFactory(
        name=MEMBER,
        phone=MEMBER_PHONE,
        location=IN_B1,
        user=account,
        report_status=ReportStatus.CONFIRMED,
    )
    case_dispatch(case=world.case, member=member, acting_user=world.secretary, note=f"改派{MEMBER}")
    django_user_model.objects.create_user(username=f"erased-{member.pk}-{account.pk}")
    before = dump_all_tables()
    with pytest.raises(IntegrityError):
        member_erase(member=member, acting_user=None, reason="本人申请")
    assert dump_all_tables() == before


def test_someone_known_only_by_a_phone_number_is_exported_and_erased(
    world, tmp_path, django_user_model
):
    number = open311_post(
        first_name=STRANGER, phone=STRANGER_PHONE, description=f"{STRANGER}反映：井盖松动"
    )
    django_user_model.objects.create_user(
        username="wan", password="x-Pass-2026!", email=f"{STRANGER_PHONE}@qq.com"
    )
    reported = Case.objects.get(number=number)
    case_respond(case=reported, acting_user=world.secretary, note=f"已回电{STRANGER}")
    out = tmp_path / "phone.json"
    call_command(
        "person_data",
        "export",
        "--phone",
        "+86 136-0000-5678",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [c["number"] for c in data["rows"]["cases.case"]] == [number]
    assert f"已回电{STRANGER}" in [e["note"] for e in data["related"]["cases.caseevent"]]
    assert NAME not in json.dumps(data, ensure_ascii=False)
    assert [u["username"] for u in data["rows"]["auth.user"]] == ["wan"]
    assert "password" not in data["rows"]["auth.user"][0]  # no credentials in a copy
    # (commands speak the site's language: the messages are matched by their numbers)
    with pytest.raises(CommandError, match=f"#{world.person.pk}"):  # a resident's number
        call_command("person_data", "erase", "--phone", PHONE, "--reason", "申请", "--yes")
    with pytest.raises(CommandError, match="7"):  # at least 7 digits
        call_command("person_data", "erase", "--phone", "110", "--reason", "申请", "--yes")
    assert find_everywhere(STRANGER, STRANGER_PHONE)[STRANGER]
    call_command(
        "person_data",
        "erase",
        "--phone",
        STRANGER_PHONE,
        "--reason",
        "本人来电申请",
        "--yes",
        stdout=io.StringIO(),
    )
    assert find_everywhere(STRANGER, STRANGER_PHONE) == {STRANGER: [], STRANGER_PHONE: []}
    reported.refresh_from_db()
    assert (reported.requester_name, reported.requester_phone, reported.description) == (
        "[erased]",
        "",
        "[erased]反映：井盖松动",
    )
    assert NAME in dump_all_tables()
    assert PHONE in dump_all_tables()
    erased = AuditEntry.objects.get(action="privacy.erase")
    assert erased.object_repr == "136****5678"
    assert erased.after["reason"] == "本人来电申请"
