"""Quarterly report and annual check, against figures counted by hand from a known history."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.accounts.models import StaffRole
from gridgov.cases.services import (
    case_create,
    case_dispatch,
    case_resolve,
    case_respond,
    case_take,
)
from gridgov.people.models import CoBuildingUnit, MemberKind, ReportStatus
from gridgov.points.services import ledger_earn
from gridgov.reporting.models import ReportingDeadline
from gridgov.reports import periods
from gridgov.reports.annual import annual_checks
from gridgov.reports.quarterly import grid_figures, member_figures, unit_figures
from tests.factories import MemberFactory

IN_C1 = Point(113.102, 23.002, srid=4326)
IN_C1_TOO = Point(113.107, 23.003, srid=4326)
IN_C2 = Point(113.113, 23.003, srid=4326)


def earn(member, hours, on, source):
    return ledger_earn(
        member=member,
        hours=Decimal(hours),
        reason="服务",
        source=source,
        occurred_on=on,
        acting_user=None,
    )


@pytest.fixture
def history(tree, case_categories, make_user):
    """One quarter (the current one) of a small street, every figure countable by hand."""
    today = timezone.localdate()
    period = periods.quarter(*periods.current_quarter(today))
    tax = CoBuildingUnit.objects.create(name="市税务局")
    hospital = CoBuildingUnit.objects.create(name="区人民医院")
    staff = make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    wang = MemberFactory(
        name="王芳",
        location=IN_C1,
        work_unit=tax,
        report_status=ReportStatus.CONFIRMED,
        reported_on=dt.date(today.year, 1, 1),
    )
    li = MemberFactory(name="李强", location=IN_C1_TOO, work_unit=tax)
    zhao = MemberFactory(
        name="赵敏",
        location=IN_C2,
        work_unit=hospital,
        report_status=ReportStatus.CONFIRMED,
        reported_on=dt.date(today.year, 1, 1),
    )
    # Wang: two activities and one self-organised service this quarter (3 + 2.5 + 1 h);
    # one activity the day before the quarter began does not count.
    earn(wang, "3", period.start, "service.signup:1")
    earn(wang, "2.5", today, "service.signup:2")
    earn(wang, "1", today, "service.selfservice:1")
    earn(wang, "4", period.start - dt.timedelta(days=1), "service.signup:0")
    earn(zhao, "4", today, "service.signup:3")
    now = timezone.now()
    # C1: a consultation answered after 10 minutes (its limit is 5), a sanitation problem
    # dispatched after 30 minutes (limit 60), taken by Wang and resolved.
    consult = case_create(
        acting_user=staff,
        category=case_categories["consultation"],
        channel="phone",
        title="政策咨询",
        requester_name="陈",
        location=IN_C1,
        at=now - dt.timedelta(minutes=10),
    )
    case_respond(case=consult, acting_user=staff, note="已答复")
    dirty = case_create(
        acting_user=staff,
        category=case_categories["sanitation"],
        channel="window",
        title="楼道堆物",
        requester_name="周",
        location=IN_C1,
        at=now - dt.timedelta(minutes=30),
    )
    case_dispatch(case=dirty, member=wang, acting_user=staff)
    case_take(case=dirty, member=wang, acting_user=staff)
    case_resolve(case=dirty, acting_user=staff, note="已清理")
    # C2: a request nobody has answered yet.
    case_create(
        acting_user=None,
        category=case_categories["repair"],
        channel="online",
        title="路灯坏了",
        requester_name="吴",
        location=IN_C2,
    )
    return type(
        "History",
        (),
        {
            "period": period,
            "wang": wang,
            "li": li,
            "zhao": zhao,
            "staff": staff,
            "tax": tax,
            "tree": tree,
            "today": today,
        },
    )


def test_member_figures_match_the_hand_count(history):
    rows = {
        r.member.name: r for r in member_figures(type(history.wang).objects.all(), history.period)
    }
    wang = rows["王芳"]
    assert (wang.hours, wang.activities, wang.self_services) == (Decimal("6.5"), 2, 1)
    assert (wang.cases_taken, wang.cases_resolved) == (1, 1)
    assert (rows["李强"].hours, rows["李强"].activities, rows["李强"].cases_taken) == (0, 0, 0)
    assert (rows["赵敏"].hours, rows["赵敏"].activities) == (Decimal("4"), 1)


def test_unit_figures_sum_their_members(history):
    rows = member_figures(type(history.wang).objects.all(), history.period)
    units = {u.unit: u for u in unit_figures(rows)}
    tax = units["市税务局"]
    assert (tax.members, tax.reported, tax.hours, tax.activities) == (2, 1, Decimal("6.5"), 2)
    assert tax.hours_per_member == Decimal("3.3")  # 6.5 / 2, to one decimal
    assert tax.without_hours == ["李强"]
    assert (units["区人民医院"].members, units["区人民医院"].hours) == (1, Decimal("4"))


def test_grid_figures_count_requests_and_response_times(history):
    c1, c2 = grid_figures([history.tree.c1, history.tree.c2], history.period)
    assert (c1.cases_opened, c1.answered_in_time, c1.resolved, c1.closed, c1.open_now) == (
        2,
        1,
        1,
        0,
        1,
    )
    assert c1.answered_in_time_share == 50
    assert c1.first_response_minutes == pytest.approx(20, abs=0.5)  # median of 10 and 30
    assert (c1.members, c1.hours) == (2, Decimal("6.5"))
    assert (c2.cases_opened, c2.answered_in_time, c2.first_response_minutes, c2.open_now) == (
        1,
        0,
        None,
        1,
    )


def test_the_report_page_shows_only_the_viewers_scope(client, history):
    client.force_login(history.staff)
    page = client.get("/en/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "王芳" in html
    assert "李强" in html
    assert "赵敏" not in html
    assert "区人民医院" not in html
    assert "东湖社区" in html
    assert "南山社区" not in html


def test_a_grid_leader_has_no_report_and_a_foreign_grid_is_not_found(client, history, make_user):
    leader = make_user("leader", StaffRole.GRID_LEADER, history.tree.k1)
    client.force_login(leader)
    assert client.get("/en/reports/").status_code == 403
    client.force_login(history.staff)
    assert client.get("/en/reports/?grid=100002").status_code == 404
    assert client.get("/en/reports/?quarter=5").status_code == 404
    assert client.get("/en/reports/?year=abc").status_code == 404


def test_csv_and_excel_carry_the_same_figures(client, history):
    client.force_login(history.staff)
    q = f"year={history.period.start.year}&quarter={(history.period.start.month - 1) // 3 + 1}"
    response = client.get(f"/en/reports/quarterly.csv?{q}&table=members")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {"王芳", "李强"}
    assert (
        by_name["王芳"]["hours"],
        by_name["王芳"]["activities"],
        by_name["王芳"]["cases_resolved"],
    ) == ("6.5", "2", "1")
    book = load_workbook(io.BytesIO(client.get(f"/en/reports/quarterly.xlsx?{q}").content))
    assert book.sheetnames == ["members", "units", "grids"]
    grids = list(book["grids"].iter_rows(values_only=True))
    assert grids[0][:3] == ("code", "name", "cases_opened")
    assert grids[1][:4] == ("100001", "东湖社区", 2, 1)
    units = {r[0]: r for r in book["units"].iter_rows(min_row=2, values_only=True)}
    assert units["市税务局"][1:4] == (2, 1, 6.5)


def test_annual_check_gives_the_reasons(history):
    year = history.today.year
    tree = history.tree
    ReportingDeadline.objects.create(year=year, deadline=dt.date(year, 1, 1))
    late = MemberFactory(
        name="孙丽",
        location=IN_C1,
        report_status=ReportStatus.CONFIRMED,
        reported_on=dt.date(year, 1, 2),
    )
    MemberFactory(name="退休的", location=IN_C1, kind=MemberKind.RETIRED)
    earn(history.wang, "44", dt.date(year, 1, 1), "service.signup:9")  # + 6.5 + 4
    checks = {c.member.name: c for c in annual_checks(type(late).objects.all(), year)}
    assert "退休的" not in checks  # retired members are not checked
    wang = checks["王芳"]
    assert wang.qualified
    assert wang.hours >= 48
    assert wang.reasons == []
    zhao = checks["赵敏"]
    assert not zhao.qualified
    assert zhao.reasons == ["4 of 48 volunteer hours"]
    assert checks["李强"].reasons == [
        "not registered with the home community",
        "0 of 48 volunteer hours",
    ]
    assert checks["孙丽"].reasons[0] == f"reported late: on {year}-01-02, deadline {year}-01-01"
    assert tree.c1.code  # the tree is used by the history fixture


def test_annual_page_and_export(client, history):
    client.force_login(history.staff)
    html = client.get("/en/reports/annual/").content.decode()
    assert "0 of 2 members qualified." in html
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/en/reports/annual.csv").content.decode("utf-8-sig"))
        )
    )
    assert {r["name"]: r["qualified"] for r in rows} == {"王芳": "False", "李强": "False"}
