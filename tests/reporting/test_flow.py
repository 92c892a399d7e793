"""A member registers online, the community confirms it; a rejection with its reason, the
member's correction and resubmission; refusals of wrong steps and of staff outside scope."""

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.accounts.models import AuditEntry
from gridgov.people.models import Member, ReportStatus
from gridgov.reporting.models import ReportAction, ReportEvent
from gridgov.reporting.services import (
    ReportingError,
    ReportingNotAllowed,
    ReportingTransitionError,
    report_confirm,
    report_reject,
    report_resubmit,
)
from tests.reporting.helpers import IN_B4

pytestmark = pytest.mark.usefixtures("english", "fresh_cache")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def actions(member):
    return list(
        ReportEvent.objects.filter(member=member)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def test_register_then_community_confirms(register, reporting):
    _, member_client = register()
    member = Member.objects.get()
    staff = signed_in(reporting.c1sec)

    page = staff.get("/en/reporting/pending/").content.decode()
    assert 'id="pending-count">1<' in page
    assert "王芳" in page
    assert "13912345678" in page
    assert f'action="/en/reporting/members/{member.pk}/confirm/"' in page

    response = staff.post(f"/en/reporting/members/{member.pk}/confirm/", follow=True)
    assert "王芳&#x27;s reporting is confirmed." in response.content.decode()
    member.refresh_from_db()
    assert member.report_status == ReportStatus.CONFIRMED
    assert member.reported_on == timezone.localdate()  # the day the member sent it
    assert actions(member) == [ReportAction.REGISTERED, ReportAction.CONFIRMED]
    confirmed = ReportEvent.objects.get(member=member, action=ReportAction.CONFIRMED)
    assert confirmed.actor == reporting.c1sec
    assert confirmed.from_status == "registered"
    assert (
        AuditEntry.objects.filter(
            action="member.report_confirm", actor=reporting.c1sec, object_id=str(member.pk)
        ).count()
        == 1
    )
    assert 'id="pending-count">0<' in staff.get("/en/reporting/pending/").content.decode()

    mine = member_client.get("/en/reporting/me/").content.decode()
    assert 'id="report-status">reported and confirmed<' in mine
    assert 'id="report-form"' not in mine  # nothing left to correct

    # confirming again is refused with the date, and writes nothing
    response = staff.post(f"/en/reporting/members/{member.pk}/confirm/", follow=True)
    assert (
        f"王芳&#x27;s reporting was already confirmed on {member.reported_on}"
        in response.content.decode()
    )
    assert actions(member) == [ReportAction.REGISTERED, ReportAction.CONFIRMED]


def test_rejection_with_reason_then_correction_and_resubmission(register, reporting, tree):
    _, member_client = register()
    member = Member.objects.get()
    staff = signed_in(reporting.c1staff)

    # rejecting without a reason is refused
    response = staff.post(
        f"/en/reporting/members/{member.pk}/reject/", {"reason": "  "}, follow=True
    )
    assert "Say why 王芳&#x27;s reporting is rejected" in response.content.decode()
    member.refresh_from_db()
    assert member.report_status == ReportStatus.REGISTERED

    staff.post(
        f"/en/reporting/members/{member.pk}/reject/",
        {"reason": "楼栋不对：请核对门牌", "next": f"/en/reporting/members/{member.pk}/"},
    )
    member.refresh_from_db()
    assert member.report_status == ReportStatus.REJECTED
    assert member.report_reject_reason == "楼栋不对：请核对门牌"
    # a rejected one cannot be confirmed before the member corrects it
    with pytest.raises(ReportingTransitionError, match="must correct and resubmit"):
        report_confirm(member=member, acting_user=reporting.c1sec)

    mine = member_client.get("/en/reporting/me/").content.decode()
    assert 'id="report-status">rejected<' in mine
    assert 'id="reject-reason">楼栋不对：请核对门牌<' in mine
    assert 'id="report-form"' in mine
    assert 'value="东湖花园1栋502"' in mine

    # the member corrects the address (typed, no map point) and sends it again
    data = {
        "name": "王芳",
        "gender": "F",
        "phone": "13912345678",
        "kind": "in_service",
        "work_unit": reporting.unit.pk,
        "unit_organisation": reporting.org.pk,
        "address": "东湖花园2栋502",
        "specialty": "税务咨询",
        "service_intent": "",
        "pledge": "有事找我",
        "lon": "",
        "lat": "",
        "crs": "",
        "building": "",
    }
    response = member_client.post("/en/reporting/me/", data, follow=True)
    assert "Your corrections were sent to the community." in response.content.decode()
    member.refresh_from_db()
    assert member.report_status == ReportStatus.REGISTERED
    assert member.report_reject_reason == ""
    assert member.building == tree.b2
    assert member.pledge == "有事找我"

    staff.post(f"/en/reporting/members/{member.pk}/confirm/")
    member.refresh_from_db()
    assert member.report_status == ReportStatus.CONFIRMED
    assert actions(member) == [
        ReportAction.REGISTERED,
        ReportAction.REJECTED,
        ReportAction.RESUBMITTED,
        ReportAction.CONFIRMED,
    ]
    history = member_client.get("/en/reporting/me/").content.decode()
    assert "corrected and resubmitted" in history
    assert "楼栋不对：请核对门牌" in history
    assert (
        AuditEntry.objects.filter(
            object_id=str(member.pk),
            action__in=[
                "member.report_register",
                "member.report_reject",
                "member.report_resubmit",
                "member.report_confirm",
            ],
        ).count()
        == 4
    )


def test_a_confirmed_member_cannot_correct_their_record(register, reporting):
    _, member_client = register()
    member = Member.objects.get()
    report_confirm(member=member, acting_user=reporting.c1sec)
    response = member_client.post("/en/reporting/me/", {"name": "别人"}, follow=True)
    assert "ask your community to change it" in response.content.decode()
    member.refresh_from_db()
    assert member.name == "王芳"
    with pytest.raises(ReportingTransitionError, match="ask your community"):
        report_resubmit(member=member, acting_user=member.user, pledge="x")


def test_only_the_member_corrects_their_own_record(register, reporting):
    register()
    member = Member.objects.get()
    with pytest.raises(ReportingNotAllowed):
        report_resubmit(member=member, acting_user=reporting.c1sec, pledge="x")


def test_staff_outside_the_members_community_cannot_see_or_decide(register, reporting):
    register()
    member = Member.objects.get()
    other = signed_in(reporting.c2sec)
    assert "王芳" not in other.get("/en/reporting/pending/").content.decode()
    assert other.get(f"/en/reporting/members/{member.pk}/").status_code == 404
    assert other.post(f"/en/reporting/members/{member.pk}/confirm/").status_code == 404
    assert (
        other.post(f"/en/reporting/members/{member.pk}/reject/", {"reason": "x"}).status_code == 404
    )
    with pytest.raises(ReportingNotAllowed, match="outside their communities"):
        report_confirm(member=member, acting_user=reporting.c2sec)
    member.refresh_from_db()
    assert member.report_status == ReportStatus.REGISTERED
    assert actions(member) == [ReportAction.REGISTERED]


def test_roles_without_reporting_duties_get_403(register, reporting, django_user_model):
    register()
    branch = signed_in(reporting.branch)
    assert branch.get("/en/reporting/pending/").status_code == 403
    assert branch.get("/en/reporting/units/").status_code == 403
    member = Member.objects.get()
    assert branch.post(f"/en/reporting/members/{member.pk}/confirm/").status_code == 403
    with pytest.raises(ReportingNotAllowed):
        report_confirm(member=member, acting_user=reporting.branch)
    resident = django_user_model.objects.create_user("resident", password="x")
    assert signed_in(resident).get("/en/reporting/pending/").status_code == 403


def test_street_admin_decides_in_every_community_of_the_street(register, reporting):
    register(IN_B4, name="赵敏", phone="13700001111", username="zhaomin")
    member = Member.objects.get()
    street = signed_in(reporting.street)
    assert "赵敏" in street.get("/en/reporting/pending/").content.decode()
    street.post(f"/en/reporting/members/{member.pk}/confirm/")
    member.refresh_from_db()
    assert member.report_status == ReportStatus.CONFIRMED


def test_the_reporting_index_sends_everyone_to_their_page(register, reporting, client):
    assert client.get("/en/reporting/")["Location"].endswith("/reporting/register/")
    _, member_client = register()
    assert member_client.get("/en/reporting/")["Location"].endswith("/reporting/me/")
    assert (
        signed_in(reporting.c1sec).get("/en/reporting/")["Location"].endswith("/reporting/pending/")
    )


def test_service_refusals_name_the_state(reporting, register):
    register()
    member = Member.objects.get()
    report_reject(member=member, acting_user=reporting.c1sec, reason="地址不全")
    with pytest.raises(ReportingTransitionError, match="already rejected"):
        report_reject(member=member, acting_user=reporting.c1sec, reason="again")
    from gridgov.people.services import member_create

    never = member_create(
        acting_user=None, name="钱进", gender="M", kind="in_service", location=member.location
    )
    with pytest.raises(ReportingTransitionError, match="has not registered yet"):
        report_confirm(member=never, acting_user=reporting.c1sec)
    with pytest.raises(ReportingError, match="in the future"):
        report_confirm(
            member=member,
            acting_user=reporting.c1sec,
            reported_on=timezone.localdate().replace(year=2100),
        )
