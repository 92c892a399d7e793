"""The admin of the reporting models: every page loads, writes go through the services
(audited), staff see and choose only their communities, the history is read-only."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from gridgov.accounts.models import AuditEntry
from gridgov.people.models import Member, ReportStatus
from gridgov.reporting.models import CoBuildingAgreement, ReportingDeadline, UnitReport
from gridgov.reporting.services import agreement_sign, unit_report_record
from tests.pages import shows

pytestmark = pytest.mark.usefixtures("english", "fresh_cache")
MODELS = ["unitreport", "reportevent", "cobuildingagreement", "reportingdeadline"]


@pytest.fixture
def root(django_user_model):
    user = django_user_model.objects.create_superuser("root", password="x-Pass-2026!")
    client = Client()
    client.force_login(user)
    return client


def staff_client(user, *codenames) -> Client:
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_every_reporting_admin_page_loads(root, register, reporting, tree):
    register()
    unit_report_record(
        organisation=reporting.org,
        community=tree.c1,
        reported_on=dt.date(2025, 2, 1),
        acting_user=None,
    )
    for model in MODELS:
        listed = root.get(f"/en/admin/reporting/{model}/")
        name = listed.context["opts"].verbose_name
        assert f"Select {name} to" in shows(listed), model  # "… to change" / "… to view"
        if model != "reportevent":
            shows(root.get(f"/en/admin/reporting/{model}/add/"), f"Add {name}")
    member = Member.objects.get()
    page = root.get(f"/en/admin/people/member/{member.pk}/change/").content.decode()
    assert 'name="report_status"' not in page  # moved only by the reporting services
    assert "registered online" in page  # the history inline


def test_confirm_action_in_the_member_admin(root, register):
    register()
    member = Member.objects.get()
    root.post(
        "/en/admin/people/member/", {"action": "confirm_reporting", "_selected_action": [member.pk]}
    )
    member.refresh_from_db()
    assert member.report_status == ReportStatus.CONFIRMED


def test_unit_report_added_in_the_admin_goes_through_the_service(root, reporting, tree):
    response = root.post(
        "/en/admin/reporting/unitreport/add/",
        {
            "organisation": reporting.org.pk,
            "community": tree.c1.pk,
            "reported_on": "2025-02-01",
            "contact_name": "",
            "contact_phone": "",
            "note": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    report = UnitReport.objects.get()
    assert report.events.get().action == "recorded"
    assert AuditEntry.objects.filter(action="unitreport.record").exists()


def test_staff_see_and_choose_only_their_communities(reporting, tree):
    mine = agreement_sign(
        unit=reporting.unit,
        community=tree.c1,
        signed_on=dt.date(2025, 1, 1),
        valid_until=dt.date(2026, 12, 31),
        commitments="东湖共建",
        acting_user=None,
    )
    agreement_sign(
        unit=reporting.unit,
        community=tree.c2,
        signed_on=dt.date(2025, 1, 1),
        valid_until=dt.date(2026, 12, 31),
        commitments="南山共建",
        acting_user=None,
    )
    client = staff_client(
        reporting.c1sec,
        "view_cobuildingagreement",
        "add_cobuildingagreement",
        "add_reportingdeadline",
        "view_reportingdeadline",
        "change_reportingdeadline",
    )
    page = client.get("/en/admin/reporting/cobuildingagreement/").content.decode()
    assert "东湖社区" in page
    assert "南山社区" not in page
    shows(
        client.get(f"/en/admin/reporting/cobuildingagreement/{mine.pk}/change/"),
        "View co-building agreement",
        "东湖社区",
    )
    add = client.get("/en/admin/reporting/reportingdeadline/add/").content.decode()
    assert f'value="{tree.c1.pk}"' in add
    assert f'value="{tree.c2.pk}"' not in add

    # the general deadline is refused on the form, not half-saved
    response = client.post(
        "/en/admin/reporting/reportingdeadline/add/",
        {"year": "2025", "deadline": "2025-03-31", "community": "", "note": ""},
    )
    assert response.status_code == 200
    assert "Only a user responsible for every community" in response.content.decode()
    response = client.post(
        "/en/admin/reporting/reportingdeadline/add/",
        {"year": "2025", "deadline": "2025-03-31", "community": tree.c1.pk, "note": ""},
    )
    assert response.status_code == 302
    row = ReportingDeadline.objects.get()
    assert row.community == tree.c1
    assert AuditEntry.objects.filter(action="deadline.set", actor=reporting.c1sec).exists()


def test_overlapping_agreement_refused_in_the_admin(root, reporting, tree):
    agreement_sign(
        unit=reporting.unit,
        community=tree.c1,
        signed_on=dt.date(2025, 1, 1),
        valid_until=dt.date(2026, 12, 31),
        commitments="x",
        acting_user=None,
    )
    response = root.post(
        "/en/admin/reporting/cobuildingagreement/add/",
        {
            "unit": reporting.unit.pk,
            "community": tree.c1.pk,
            "signed_on": "2026-01-01",
            "valid_until": "2027-12-31",
            "commitments": "y",
        },
    )
    assert response.status_code == 200
    assert "which overlaps" in response.content.decode()
    assert CoBuildingAgreement.objects.count() == 1


def test_reporting_history_is_read_only(root, register):
    register()
    page = root.get("/en/admin/reporting/reportevent/").content.decode()
    assert "registered online" in page
    assert root.get("/en/admin/reporting/reportevent/add/").status_code == 403
