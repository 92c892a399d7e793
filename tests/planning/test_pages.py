"""The planning page and its exports as users get them: access by role, numbers, map,
transition buttons, CSV and Excel read back."""

import csv
import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from gridgov.accounts.models import StaffRole
from gridgov.grids.models import Grid
from gridgov.planning import services
from gridgov.planning.models import BranchPlan, PlanStatus
from tests.pages import shows
from tests.planning.expected import expected_eligible, expected_no_contact, expected_unled

CDN = re.compile(r"cdn\.|cdnjs|jsdelivr|unpkg|cloudflare|bootstrapcdn|code\.jquery", re.I)
URL_ATTR = re.compile(r'(?:src|href)="([^"]+)"')


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/en/planning/")
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    "role",
    [
        StaffRole.GRID_LEADER,
        StaffRole.BRANCH_SECRETARY,
        StaffRole.BUILDING_LEADER,
        StaffRole.MEMBER,
        None,
    ],
)
def test_other_roles_are_forbidden(client, tree, make_user, role):
    if role is None:
        user = get_user_model().objects.create_user(username="resident", password="x-Pass-2026!")
    else:
        user = make_user("u", role, tree.k1 if role != StaffRole.GRID_LEADER else tree.c1)
    client.force_login(user)
    for url in ("/en/planning/", "/en/planning/export.csv", "/en/planning/export.xlsx"):
        assert client.get(url).status_code == 403, url
    assert client.post("/en/planning/propose/", {"compound": tree.k1.code}).status_code == 403


@pytest.mark.parametrize("who", ["street", "c1", "c2", "superuser"])
def test_planners_get_the_page(client, town, staff, who):
    user = (
        get_user_model().objects.create_superuser("root", password="x-Pass-2026!")
        if who == "superuser"
        else staff[who]
    )
    client.force_login(user)
    shows(client.get("/en/planning/"), "Branch planning", "Compounds where a branch can be founded")


def test_page_shows_numbers_map_and_buttons(client, town, staff):
    client.force_login(staff["street"])
    page = client.get("/en/planning/").content.decode()
    assert 'id="n-eligible">1<' in page
    assert 'id="n-unled-compounds">1<' in page
    assert 'id="n-unled-buildings">1<' in page
    assert f'id="n-no-contact">{len(expected_no_contact())}<' in page
    assert "3 formal members" in page
    assert "#2e7d32" in page
    assert "#ef6c00" in page
    assert "东湖花园" in page
    assert "100002001001" in page
    assert not [u for u in URL_ATTR.findall(page) if CDN.search(u)]
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert 'action="/en/planning/propose/"' in page
    assert "csrfmiddlewaretoken" in page


def test_page_is_scoped(client, town, staff):
    client.force_login(staff["c2"])
    page = client.get("/en/planning/").content.decode()
    assert "东湖花园" not in page
    assert "100001001002" not in page
    assert 'id="n-eligible">0<' in page
    assert "100002001001" in page


def test_propose_approve_found_through_the_page(client, town, staff):
    client.force_login(staff["c1"])
    secretary = town.k1_formal[2]
    response = client.post(
        "/en/planning/propose/",
        {"compound": town.tree.k1.code, "secretary": secretary.pk},
        follow=True,
    )
    assert response.status_code == 200
    plan = BranchPlan.objects.get()
    assert plan.proposed_secretary == secretary
    assert plan.members.count() == 3
    page = response.content.decode()
    for step in ("approve", "reject"):
        assert f'action="/en/planning/{plan.pk}/{step}/"' in page
    assert f'action="/en/planning/{plan.pk}/found/"' not in page
    client.post(f"/en/planning/{plan.pk}/approve/")
    response = client.post(f"/en/planning/{plan.pk}/found/", follow=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FOUNDED
    assert "Branch founded." in response.content.decode()


def test_approve_refusal_shows_the_count(client, town, staff):
    plan = services.plan_propose(
        compound=town.tree.k1,
        members=town.k1_formal[:2],
        proposed_secretary=town.k1_formal[0],
        acting_user=staff["c1"],
    )
    client.force_login(staff["c1"])
    response = client.post(f"/en/planning/{plan.pk}/approve/", follow=True)
    with translation.override("en"):
        assert "at least 3 formal members; this plan has 2." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED


def test_steps_on_plans_out_of_scope_are_not_found(client, town, staff):
    plan = services.plan_propose(
        compound=town.tree.k1,
        members=town.k1_formal,
        proposed_secretary=town.k1_formal[0],
        acting_user=staff["c1"],
    )
    client.force_login(staff["c2"])
    assert client.post(f"/en/planning/{plan.pk}/approve/").status_code == 404
    assert client.get(f"/en/planning/{plan.pk}/approve/").status_code == 405


def test_csv_export_matches_independent_counts(client, town, staff):
    client.force_login(staff["street"])
    response = client.get("/en/planning/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    eligible = {r["code"]: int(r["number"]) for r in rows if r["list"] == "eligible_compound"}
    unled: dict[str, set[str]] = {}
    for r in rows:
        if r["list"] == "unled_building":
            unled.setdefault(r["compound_code"], set()).add(r["code"])
    no_contact = {r["code"] for r in rows if r["list"] == "building_without_contact"}
    assert eligible == expected_eligible()
    assert unled == expected_unled()
    assert no_contact == expected_no_contact()


def test_xlsx_export_matches_and_is_scoped(client, town, staff):
    client.force_login(staff["c1"])
    response = client.get("/en/planning/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["eligible", "unled", "no_contact"]

    def records(name):
        header, *body = list(wb[name].iter_rows(values_only=True))
        return [dict(zip(header, row, strict=True)) for row in body]

    assert {r["code"]: r["number"] for r in records("eligible")} == expected_eligible("100001")
    assert records("unled") == []
    assert expected_unled("100001") == {}
    assert {r["code"] for r in records("no_contact")} == expected_no_contact("100001")


def test_exports_neutralise_formulas(client, town, staff):
    Grid.objects.filter(pk=town.tree.k1.pk).update(name='=HYPERLINK("http://x","y")')
    client.force_login(staff["street"])
    text = client.get("/en/planning/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/en/planning/export.xlsx").content))
    names = [row[2] for row in wb["eligible"].iter_rows(min_row=2, values_only=True)]
    assert names == ['\'=HYPERLINK("http://x","y")']
