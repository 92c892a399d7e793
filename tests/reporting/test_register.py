"""Online registration with the home community (到居住地社区报到) through the public page:
a map tap, the phone's GCJ-02 location, a typed address; every refusal names the field and
writes nothing."""

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from geodata.crs import from_wgs84
from gridgov.accounts.models import AuditEntry
from gridgov.people.models import Member, ReportStatus
from gridgov.people.services import member_create
from gridgov.reporting.models import ReportAction, ReportEvent
from tests.pages import shows
from tests.reporting.helpers import IN_B1, OPEN_K1, OUTSIDE, form_data

pytestmark = pytest.mark.usefixtures("english", "fresh_cache")
User = get_user_model()


def nothing_written():
    return (
        Member.objects.count(),
        User.objects.filter(member__isnull=False).count(),
        ReportEvent.objects.count(),
    )


def errors_of(response) -> str:
    return response.content.decode()


def test_register_by_map_tap_creates_login_member_and_history(register, reporting, tree):
    response, client = register(IN_B1)
    assert response.redirect_chain[-1][0] == "/en/reporting/me/"
    page = response.content.decode()
    assert 'id="report-status">registered, awaiting confirmation<' in page
    assert "东湖社区 · 东湖花园 · 1栋" in page

    member = Member.objects.get()
    assert member.user.username == "wangfang"
    assert member.user.check_password("Hong-Qi-2026!x")
    assert (member.community, member.compound, member.building) == (tree.c1, tree.k1, tree.b1)
    assert member.phone == "13912345678"
    assert not member.phone_public
    assert member.work_unit == reporting.unit
    assert member.unit_organisation == reporting.org
    assert member.pledge == "有事找我，随叫随到"
    assert member.report_status == ReportStatus.REGISTERED
    assert member.report_submitted_at is not None
    assert member.reported_on is None
    event = ReportEvent.objects.get()
    assert (event.member, event.action, event.from_status, event.to_status, event.actor) == (
        member,
        ReportAction.REGISTERED,
        "not_reported",
        "registered",
        member.user,
    )
    assert AuditEntry.objects.filter(
        action="member.report_register", object_id=str(member.pk), actor=member.user
    ).exists()
    assert AuditEntry.objects.filter(action="user.register", object_id=str(member.user.pk)).exists()
    # the new login works: the member is signed in and sees their own page
    shows(client.get("/en/reporting/me/"), "registered, awaiting confirmation")


def test_register_by_typed_address_locates_the_matched_building(register, tree):
    response, _ = register(None, address="东湖花园2栋 3单元 502室")
    assert response.redirect_chain, response.content.decode()[:2000]
    member = Member.objects.get()
    assert member.building == tree.b2
    assert member.community == tree.c1
    assert member.address == "东湖花园2栋 3单元 502室"


def test_an_address_matching_several_buildings_offers_a_choice_then_registers(
    register, tree, client
):
    response, _ = register(None, address="东湖花园", client=client)
    page = response.content.decode()
    assert "Several buildings match your address" in page
    assert 'name="building" value="100001001001"' in page
    assert 'name="building" value="100001001002"' in page
    assert Member.objects.count() == 0
    response, _ = register(None, address="东湖花园", building="100001001002", client=client)
    assert Member.objects.get().building == tree.b2


def test_phone_location_in_gcj02_is_converted_to_wgs84(register, tree):
    gx, gy = from_wgs84(np.array([IN_B1.x]), np.array([IN_B1.y]), "gcj02")
    response, _ = register(None, lon=f"{gx[0]:.9f}", lat=f"{gy[0]:.9f}", crs="gcj02")
    member = Member.objects.get()
    assert member.location.x == pytest.approx(IN_B1.x, abs=1e-6)
    assert member.location.y == pytest.approx(IN_B1.y, abs=1e-6)
    assert member.building == tree.b1


def test_home_in_open_ground_reports_to_its_community_without_a_building(register, tree):
    register(OPEN_K1)
    member = Member.objects.get()
    assert (member.community, member.compound, member.building) == (tree.c1, tree.k1, None)
    assert member.report_status == ReportStatus.REGISTERED


def test_a_home_outside_every_community_is_refused_and_nothing_is_written(register):
    before = nothing_written()
    response, _ = register(OUTSIDE)
    assert response.status_code == 200
    assert not response.redirect_chain
    assert "lies outside every community of this platform" in response.content.decode()
    assert nothing_written() == before
    assert not User.objects.filter(username="wangfang").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "12345"}, "Enter an 11-digit mobile number"),
        ({"work_unit": "", "unit_organisation": ""}, "An in-service member names their work unit."),
        ({"password2": "something-else-2026"}, "The two passwords differ."),
        ({"password1": "12345678", "password2": "12345678"}, "This password is too common."),
        ({"name": "   "}, "This field is required."),
        (
            {"address": "火星基地", "lon": "", "lat": "", "crs": ""},
            "We could not find your building from this address",
        ),
        ({"lon": "abc", "lat": "23"}, "We could not read the point on the map"),
    ],
)
def test_bad_input_names_the_problem_and_writes_nothing(register, overrides, message):
    response, _ = register(**overrides)
    assert not response.redirect_chain
    assert message in response.content.decode()
    assert nothing_written() == (0, 0, 0)


def test_a_unit_organisation_of_another_unit_is_refused(register, reporting):
    response, _ = register(unit_organisation=reporting.other_org.pk)
    assert "belongs to 区人民医院, not to the work unit you chose" in response.content.decode()
    assert Member.objects.count() == 0


def test_a_taken_username_is_refused(register, reporting):
    User.objects.create_user("WangFang", password="x")
    response, _ = register()
    assert "The username wangfang is taken" in response.content.decode()
    assert Member.objects.count() == 0


def test_a_roster_entry_with_the_same_phone_and_name_is_taken_over(register, reporting):
    roster = member_create(
        acting_user=None,
        name="王芳",
        gender="F",
        phone="13912345678",
        kind="in_service",
        work_unit=reporting.unit,
    )
    register()
    assert Member.objects.count() == 1
    roster.refresh_from_db()
    assert roster.user.username == "wangfang"
    assert roster.report_status == ReportStatus.REGISTERED
    assert roster.building is not None


def test_a_phone_of_someone_else_is_refused(register, reporting):
    member_create(acting_user=None, name="李强", gender="M", phone="13912345678", kind="in_service")
    response, _ = register()
    assert "already belongs to a member record" in response.content.decode()
    assert Member.objects.count() == 1
    assert not User.objects.filter(username="wangfang")


def test_a_second_registration_of_a_signed_in_member_goes_to_their_page(register):
    response, client = register()
    response = client.get("/en/reporting/register/")
    assert response.status_code == 302
    assert response["Location"].endswith("/reporting/me/")


def test_a_signed_in_user_without_member_record_registers_without_a_new_login(
    register, reporting, client
):
    user = User.objects.create_user("laozhang", password="x-Pass-2026!")
    client.force_login(user)
    page = client.get("/en/reporting/register/").content.decode()
    assert 'name="username"' not in page
    register(
        client=client,
        name="张伟",
        phone="13800138000",
        username=None,
        password1=None,
        password2=None,
    )
    member = Member.objects.get()
    assert member.user == user
    assert member.name == "张伟"
    assert User.objects.count() == 1 + 5  # laozhang and the five staff users


def test_registrations_are_rate_limited_per_connection(register, reporting):
    with override_settings(GRIDGOV_REPORTING_REGISTER_LIMIT=2):
        register(phone="1")
        register(phone="2")
        response, _ = register()
    assert response.status_code == 429
    assert "Too many registrations" in response.content.decode()
    assert Member.objects.count() == 0


def test_the_registration_page_is_public_and_serves_the_map_locally(client, reporting):
    page = client.get("/reporting/register/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "unpkg" not in html
    assert 'id="report-outlines"' in html
    assert '"code": "100001"' in html
    assert 'type="tel"' in html


def test_my_page_needs_a_login(client, db):
    response = client.get("/en/reporting/me/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_data_for_the_form_is_what_the_page_offers(client, reporting):
    """The helper posts exactly the page's field names (a renamed field fails here)."""
    html = client.get("/en/reporting/register/").content.decode()
    for name in form_data(reporting):
        assert f'name="{name}"' in html, name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("139 1234 5678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        ("13912345678\n", "13912345678"),
        ("12912345678", ""),
        ("1391234567", ""),
        ("0757-12345678", ""),
    ],
)
def test_mobile_numbers_are_read_the_ways_people_type_them(typed, stored):
    from gridgov.people.services import normalise_phone

    assert normalise_phone(typed) == stored
