"""Per unit: who has not reported (not registered, awaiting, rejected, late), on the page and
in the CSV / Excel export for the unit; the units list; the unit organisation reporting to
the community and the co-building agreement, recorded through the pages."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.accounts.models import AuditEntry
from gridgov.people.models import Member, ReportStatus
from gridgov.people.services import member_create
from gridgov.reporting.models import CoBuildingAgreement, ReportAction, ReportEvent, UnitReport
from gridgov.reporting.services import (
    agreement_sign,
    deadline_set,
    report_confirm,
    report_register,
    report_reject,
)
from tests.reporting.helpers import IN_B1, IN_B4, PASSWORD

pytestmark = pytest.mark.usefixtures("english", "fresh_cache")
YEAR = timezone.localdate().year - 1  # a past year: every date in it may be recorded


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def registered(name, phone, unit, *, point=IN_B1, kind="in_service", org=None):
    return report_register(
        name=name,
        gender="M",
        phone=phone,
        kind=kind,
        address="东湖花园",
        location=point,
        username=f"u{phone}",
        password=PASSWORD,
        work_unit=unit,
        unit_organisation=org,
    )


@pytest.fixture
def unit_people(reporting, tree):
    """The tax bureau's people as community C1 sees them in YEAR (deadline 31 March)."""
    unit, staff = reporting.unit, reporting.c1sec
    deadline_set(year=YEAR, deadline=dt.date(YEAR, 3, 31), acting_user=None)
    on_time = registered("陈一", "13900000001", unit, org=reporting.org)
    report_confirm(member=on_time, acting_user=staff, reported_on=dt.date(YEAR, 3, 1))
    late = registered("林五", "13900000005", unit)
    report_confirm(member=late, acting_user=staff, reported_on=dt.date(YEAR, 6, 1))
    awaiting = registered("周二", "13900000002", unit)
    rejected = registered("吴三", "13900000003", unit)
    report_reject(member=rejected, acting_user=staff, reason="单位党组织填错")
    roster = member_create(
        acting_user=None,
        name="郑四",
        gender="F",
        phone="13900000004",
        kind="in_service",
        work_unit=unit,
    )  # never registered, no home
    return {
        "on_time": on_time,
        "late": late,
        "awaiting": awaiting,
        "rejected": rejected,
        "roster": roster,
        # not counted on the tax bureau's page for C1:
        "in_c2": registered("冯六", "13900000006", unit, point=IN_B4),
        "retired": registered("何七", "13900000007", unit, kind="retired"),
        "elsewhere": registered("吕八", "13900000008", reporting.other_unit),
    }


def pair_with_c1(reporting, tree):
    agreement_sign(
        unit=reporting.unit,
        community=tree.c1,
        signed_on=dt.date(YEAR, 1, 10),
        valid_until=dt.date(YEAR + 2, 1, 9),
        commitments="每季度共建一次",
        acting_user=reporting.c1sec,
    )


def export_names(content: bytes) -> dict[str, str]:
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    return {r["name"]: r["standing"] for r in rows}


def test_unit_page_and_exports_list_exactly_who_has_not_reported(reporting, tree, unit_people):
    pair_with_c1(reporting, tree)  # the unit is paired with C1: its roster is C1's to chase
    staff = signed_in(reporting.c1sec)
    page = staff.get(f"/en/reporting/units/{reporting.unit.pk}/?year={YEAR}").content.decode()
    assert 'id="missing-count">4<' in page
    assert 'id="in-time-count">1<' in page
    for name in ("周二", "吴三", "郑四", "林五"):
        assert f">{name}<" in page
    for name in ("冯六", "何七", "吕八"):
        assert name not in page
    assert "单位党组织填错" in page

    expected = {"周二": "awaiting", "吴三": "rejected", "郑四": "not_registered", "林五": "late"}
    response = staff.get(f"/en/reporting/units/{reporting.unit.pk}/export.csv?year={YEAR}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert export_names(response.content) == expected
    row = next(
        r
        for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
        if r["name"] == "林五"
    )
    assert (row["reported_on"], row["deadline"], row["community"]) == (
        f"{YEAR}-06-01",
        f"{YEAR}-03-31",
        "东湖社区",
    )
    assert row["phone"] == "13900000005"
    assert row["standing_label"] == "reported late"

    response = staff.get(f"/en/reporting/units/{reporting.unit.pk}/export.xlsx?year={YEAR}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    header = list(values[0])
    assert header[:2] == ["name", "gender"]
    by_name = {r[0]: r[header.index("standing")] for r in values[1:]}
    assert by_name == expected


def test_without_pairing_the_roster_without_home_is_not_shown_to_the_community(
    reporting, unit_people
):
    staff = signed_in(reporting.c1sec)
    response = staff.get(f"/en/reporting/units/{reporting.unit.pk}/export.csv?year={YEAR}")
    assert set(export_names(response.content)) == {"周二", "吴三", "林五"}


def test_the_street_admin_sees_the_units_members_in_both_communities(reporting, unit_people):
    street = signed_in(reporting.street)
    response = street.get(f"/en/reporting/units/{reporting.unit.pk}/export.csv?year={YEAR}")
    assert set(export_names(response.content)) == {"周二", "吴三", "林五", "冯六"}


def test_a_late_member_counts_as_reported_in_time_the_next_year(reporting, unit_people):
    staff = signed_in(reporting.c1sec)
    response = staff.get(f"/en/reporting/units/{reporting.unit.pk}/export.csv?year={YEAR + 1}")
    assert set(export_names(response.content)) == {"周二", "吴三"}


def test_units_list_counts_and_flags(reporting, tree, unit_people):
    staff = signed_in(reporting.c1sec)
    page = staff.get(f"/en/reporting/units/?year={YEAR}").content.decode()
    row = page[page.index(f'data-unit="{reporting.unit.pk}"') :]
    row = row[: row.index("</tr>")]
    cells = [c.split("<")[0] for c in row.split('class="num')[1:]]
    # members, in time, late, not reported (the roster entry without a home is not counted)
    assert [c.split(">")[1] for c in cells] == ["4", "1", "1", "2"]
    assert row.count(">no<") == 2  # no organisation report, no agreement yet


def test_unit_organisation_reports_and_the_community_confirms_on_the_pages(reporting, tree):
    staff = signed_in(reporting.c1sec)
    url = f"/en/reporting/units/{reporting.unit.pk}/"
    response = staff.post(
        url + "report/",
        {
            "organisation": reporting.org.pk,
            "community": tree.c1.pk,
            "reported_on": f"{YEAR}-02-15",
            "contact_name": "刘书记",
            "contact_phone": "0757-12345678",
            "note": "提交报到函",
        },
        follow=True,
    )
    assert "The report of 区税务局机关党支部 is recorded." in response.content.decode()
    report = UnitReport.objects.get()
    assert report.status == ReportStatus.REGISTERED
    assert report.community == tree.c1

    # recording it again while it is pending is refused
    response = staff.post(
        url + "report/",
        {"organisation": reporting.org.pk, "community": tree.c1.pk, "reported_on": f"{YEAR}-02-16"},
        follow=True,
    )
    assert "already reported to 东湖社区" in response.content.decode()

    response = staff.post(f"/en/reporting/unit-reports/{report.pk}/confirm/", follow=True)
    assert "is confirmed" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.CONFIRMED
    assert report.decided_at is not None
    assert list(report.events.values_list("action", flat=True)) == [
        ReportAction.RECORDED,
        ReportAction.CONFIRMED,
    ]
    assert AuditEntry.objects.filter(object_id=str(report.pk), action="unitreport.confirm").exists()
    response = staff.post(f"/en/reporting/unit-reports/{report.pk}/confirm/", follow=True)
    assert "only a report awaiting confirmation" in response.content.decode()
    page = staff.get(f"/en/reporting/units/?year={YEAR}").content.decode()
    row = page[page.index(f'data-unit="{reporting.unit.pk}"') :]
    assert "✓ yes" in row[: row.index("</tr>")]


def test_a_rejected_unit_report_can_be_recorded_again(reporting, tree):
    staff = signed_in(reporting.c1sec)
    data = {
        "organisation": reporting.org.pk,
        "community": tree.c1.pk,
        "reported_on": f"{YEAR}-02-15",
    }
    staff.post(f"/en/reporting/units/{reporting.unit.pk}/report/", data)
    report = UnitReport.objects.get()
    response = staff.post(
        f"/en/reporting/unit-reports/{report.pk}/reject/", {"reason": ""}, follow=True
    )
    assert "Say why the report of 区税务局机关党支部 is rejected." in response.content.decode()
    staff.post(f"/en/reporting/unit-reports/{report.pk}/reject/", {"reason": "缺盖章"})
    report.refresh_from_db()
    assert report.status == ReportStatus.REJECTED
    assert report.reject_reason == "缺盖章"
    staff.post(
        f"/en/reporting/units/{reporting.unit.pk}/report/", dict(data, reported_on=f"{YEAR}-03-01")
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.REGISTERED
    assert report.reject_reason == ""
    assert report.reported_on == dt.date(YEAR, 3, 1)
    assert ReportEvent.objects.filter(unit_report=report).count() == 3


def test_staff_record_only_for_their_own_communities(reporting, tree):
    staff = signed_in(reporting.c1sec)
    response = staff.post(
        f"/en/reporting/units/{reporting.unit.pk}/report/",
        {"organisation": reporting.org.pk, "community": tree.c2.pk, "reported_on": f"{YEAR}-02-15"},
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    response = staff.post(
        f"/en/reporting/units/{reporting.unit.pk}/agreement/",
        {
            "community": tree.c2.pk,
            "signed_on": f"{YEAR}-01-01",
            "valid_until": f"{YEAR}-12-31",
            "commitments": "x",
        },
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    assert not UnitReport.objects.exists()
    assert not CoBuildingAgreement.objects.exists()
    # C2's staff record a report to C2: C1's staff can neither see nor decide it
    signed_in(reporting.c2sec).post(
        f"/en/reporting/units/{reporting.other_unit.pk}/report/",
        {
            "organisation": reporting.other_org.pk,
            "community": tree.c2.pk,
            "reported_on": f"{YEAR}-02-15",
        },
    )
    report = UnitReport.objects.get()
    assert staff.post(f"/en/reporting/unit-reports/{report.pk}/confirm/").status_code == 404
    assert (
        f'data-report="{report.pk}"'
        not in staff.get(f"/en/reporting/units/{reporting.other_unit.pk}/").content.decode()
    )
    assert (
        f'data-report="{report.pk}"'
        in signed_in(reporting.c2sec)
        .get(f"/en/reporting/units/{reporting.other_unit.pk}/")
        .content.decode()
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.REGISTERED


def test_co_building_agreement_signed_on_the_page_and_overlaps_refused(reporting, tree):
    staff = signed_in(reporting.c1sec)
    url = f"/en/reporting/units/{reporting.unit.pk}/agreement/"
    response = staff.post(
        url,
        {
            "community": tree.c1.pk,
            "signed_on": f"{YEAR}-01-10",
            "valid_until": f"{YEAR + 2}-01-09",
            "commitments": "每季度开展一次共建活动；开放单位食堂",
        },
        follow=True,
    )
    assert "The co-building agreement is recorded." in response.content.decode()
    agreement = CoBuildingAgreement.objects.get()
    assert agreement.is_valid_on(timezone.localdate())
    assert AuditEntry.objects.filter(action="agreement.sign", object_id=str(agreement.pk)).exists()
    response = staff.post(
        url,
        {
            "community": tree.c1.pk,
            "signed_on": f"{YEAR}-06-01",
            "valid_until": f"{YEAR + 1}-05-31",
            "commitments": "再签",
        },
        follow=True,
    )
    assert "which overlaps" in response.content.decode()
    response = staff.post(
        url,
        {
            "community": tree.c1.pk,
            "signed_on": f"{YEAR}-06-01",
            "valid_until": f"{YEAR}-05-31",
            "commitments": "倒签",
        },
        follow=True,
    )
    assert "cannot end before it" in response.content.decode()
    assert CoBuildingAgreement.objects.count() == 1
    page = staff.get(f"/en/reporting/units/{reporting.unit.pk}/").content.decode()
    assert "开放单位食堂" in page
    assert "in force" in page


def test_unit_pages_need_a_reporting_role(reporting, client):
    assert client.get(f"/en/reporting/units/{reporting.unit.pk}/").status_code == 302
    branch = signed_in(reporting.branch)
    assert branch.get(f"/en/reporting/units/{reporting.unit.pk}/").status_code == 403
    assert branch.get(f"/en/reporting/units/{reporting.unit.pk}/export.csv").status_code == 403


def test_export_neutralises_formulas(reporting, tree):
    registered("=HYPERLINK(1)", "13900000009", reporting.unit)
    staff = signed_in(reporting.c1sec)
    response = staff.get(f"/en/reporting/units/{reporting.unit.pk}/export.csv")
    assert "'=HYPERLINK(1)" in export_names(response.content)
    assert Member.objects.count() == 1
