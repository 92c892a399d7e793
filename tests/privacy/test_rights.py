"""PIPL rights of one person: a full copy of their data, and erasure that leaves no trace of
their values anywhere in the database (audit trail included), all or nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from gridgov.accounts.models import AuditEntry, StaffRole
from gridgov.cases.models import Case
from gridgov.cases.services import case_create
from gridgov.people.models import Resident, Vulnerability
from gridgov.people.services import resident_create
from gridgov.points.models import LedgerEntry
from gridgov.points.services import ledger_earn
from gridgov.privacy.services import member_erase, person_export, resident_erase
from tests.factories import HouseholdFactory, MemberFactory
from tests.privacy.helpers import dump_all_tables
from tests.world import IN_B1

NAME, PHONE = "陈秀英", "13812345678"


@pytest.fixture
def resident(tree, case_categories, make_user):
    staff = make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    household = HouseholdFactory(address="东湖花园1栋302室", room="302", location=IN_B1)
    chen = resident_create(
        acting_user=staff, household=household, name=NAME, gender="F", phone=PHONE, birth_year=1941
    )
    resident_create(
        acting_user=staff, household=household, name="陈建国", gender="M", phone="13900000000"
    )
    Vulnerability.objects.create(resident=chen, category="empty_nest", surveyed_year=2026)
    case = case_create(
        acting_user=staff,
        category=case_categories["repair"],
        channel="phone",
        title="水管漏水",
        requester_name=NAME,
        requester_phone=PHONE,
        requester=chen,
        location=IN_B1,
    )
    return type("R", (), {"chen": chen, "staff": staff, "case": case})


def test_the_copy_holds_everything_about_the_person_and_is_logged(resident):
    data = person_export(acting_user=resident.staff, resident=resident.chen)
    assert data["record"]["name"] == NAME
    assert data["record"]["phone"] == PHONE
    assert data["household"]["address"] == "东湖花园1栋302室"
    assert [v["category"] for v in data["related"]["people.vulnerability"]] == ["empty_nest"]
    assert [c["title"] for c in data["related"]["cases.case"]] == ["水管漏水"]
    assert any(a["action"] for a in data["audit"])
    assert "陈建国" not in json.dumps(data, ensure_ascii=False)  # not the other household member
    logged = AuditEntry.objects.filter(action="privacy.export").get()
    assert logged.actor == resident.staff
    assert logged.object_id == str(resident.chen.pk)


def test_erasure_leaves_no_trace_of_the_persons_values(resident):
    assert NAME in dump_all_tables()
    assert PHONE in dump_all_tables()
    done = resident_erase(
        resident=resident.chen, acting_user=resident.staff, reason="本人2026-11-20书面申请"
    )
    assert done["referring"]["cases.case"] == 1
    everything = dump_all_tables()
    assert NAME not in everything
    assert PHONE not in everything
    assert "陈建国" in everything  # the rest of the household stays
    case = Case.objects.get(pk=resident.case.pk)
    assert (case.requester_id, case.requester_name, case.requester_phone) == (None, "[erased]", "")
    assert case.title == "水管漏水"  # the request itself, and its history, stay
    assert not Vulnerability.objects.exists()
    erased = AuditEntry.objects.get(action="privacy.erase")
    assert erased.after["reason"] == "本人2026-11-20书面申请"
    assert erased.actor == resident.staff


def test_erasure_needs_a_reason_and_changes_nothing_without_one(resident):
    before = dump_all_tables()
    with pytest.raises(ValidationError, match="Say why"):
        resident_erase(resident=resident.chen, acting_user=resident.staff, reason=" ")
    assert dump_all_tables() == before
    assert Resident.objects.filter(pk=resident.chen.pk).exists()


def test_a_member_is_anonymised_but_their_work_stays(tree, django_user_model):
    user = django_user_model.objects.create_user(username="wangfang", password="Right-Horse-42")
    wang = MemberFactory(
        name="王芳", phone="13711112222", location=IN_B1, user=user, pledge="有事找我"
    )
    ledger_earn(
        member=wang,
        hours=Decimal("3"),
        reason="服务",
        source="service.signup:1",
        occurred_on=dt.date(2026, 11, 1),
        acting_user=None,
    )
    member_erase(member=wang, acting_user=None, reason="本人申请")
    wang.refresh_from_db()
    assert wang.name.startswith("Erased member") or wang.name.startswith("已删除")
    assert (wang.phone, wang.pledge, wang.location, wang.user_id) == ("", "", None, None)
    assert LedgerEntry.objects.filter(member=wang).count() == 1
    assert (
        authenticate(
            RequestFactory().post("/accounts/login/"),
            username="wangfang",
            password="Right-Horse-42",
        )
        is None
    )
    everything = dump_all_tables()
    assert "13711112222" not in everything
    assert "有事找我" not in everything


def test_the_command_exports_to_a_file_and_erases_only_when_confirmed(resident, tmp_path):
    out = tmp_path / "chen.json"
    call_command(
        "person_data",
        "export",
        "--resident",
        str(resident.chen.pk),
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    assert json.loads(out.read_text(encoding="utf-8"))["record"]["name"] == NAME
    with pytest.raises(CommandError, match="--yes"):
        call_command(
            "person_data", "erase", "--resident", str(resident.chen.pk), "--reason", "申请"
        )
    with pytest.raises(CommandError, match="no resident"):
        call_command("person_data", "export", "--resident", "999999")
    call_command(
        "person_data",
        "erase",
        "--resident",
        str(resident.chen.pk),
        "--reason",
        "申请",
        "--yes",
        stdout=io.StringIO(),
    )
    assert not Resident.objects.filter(pk=resident.chen.pk).exists()
