"""The admin's share of the access matrix. Staff users here hold every "view" permission (the
widest an operator could grant): what each one then sees must still follow policy.py.

- Every model registered in the admin is listed in ADMIN_MODELS (a new one fails
  test_every_admin_model_is_classified): either with who may open its records (personal
  data) or with the reason it holds none.
- Every changelist, for every role, never names a person of the other grid.
- The change view of an inside and an outside record of every personal-data model answers
  allowed or denied as the policy says; opening one is logged (personal.view)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import transaction

from gridgov.accounts import policy
from gridgov.accounts.models import AuditEntry
from gridgov.api.models import ApiKey, ApiKeyUse
from gridgov.people.models import ReportEvent
from gridgov.points.models import LedgerEntry
from tests.trust.matrix import cap
from tests.trust.world import OUT, ROLES, SIDES


def NOBODY(role, side):  # noqa: N802 - superusers only
    return False


def _audit_of(side):
    def find(world):
        resident = world.sides[side].resident
        return AuditEntry.objects.get(object_type="people.resident",
                                      object_id=str(resident.pk), action="resident.create")
    return find


def _key_use(side):
    def find(world):
        return ApiKeyUse.objects.create(key=ApiKey.objects.first(), method="GET",
                                        path=f"/api/v1/locate/?lon={side}", status_code=200)
    return find


def _side(attr):
    return {side: (lambda world, side=side: getattr(world.sides[side], attr)) for side in SIDES}


# label -> (who may open a record, {side: world -> record}) for personal data; or a reason.
PERSONAL = {
    "people.resident": (cap(policy.READ_RESIDENTS), _side("resident")),
    "people.household": (cap(policy.READ_RESIDENTS), _side("household")),
    "people.vulnerability": (cap(policy.READ_RESIDENTS), _side("vulnerability")),
    "people.member": (cap(policy.READ_MEMBERS), _side("member")),
    "cases.case": (cap(policy.READ_RESIDENTS), _side("case")),
    "service.selfservice": (cap(policy.READ_RESIDENTS), _side("selfservice")),
    "posts.servicelistentry": (cap(policy.READ_RESIDENTS), _side("entry")),
    "people.reportevent": (cap(policy.CONFIRM_REPORTING), {
        side: (lambda world, side=side: ReportEvent.objects.filter(
            unit_report=world.sides[side].report).first()) for side in SIDES}),
    "points.ledgerentry": (cap(policy.READ_HOURS), {
        side: (lambda world, side=side: LedgerEntry.objects.filter(
            member=world.sides[side].member).first()) for side in SIDES}),
    "points.redemption": (cap(policy.KEEP_POINTS), _side("redemption")),
    "accounts.auditentry": (NOBODY, {side: _audit_of(side) for side in SIDES}),
    "api.apikeyuse": (NOBODY, {side: _key_use(side) for side in SIDES}),
}
OTHER = {
    "auth.group": "permission groups: no personal data",
    "auth.user": "accounts (usernames); Django's own admin, needs the auth permissions",
    "axes.accessattempt": "sign-in throttling (django-axes); operators only",
    "axes.accesslog": "sign-in throttling (django-axes); operators only",
    "axes.accessfailurelog": "sign-in throttling (django-axes); operators only",
    "accounts.assignment": "role assignments",
    "grids.grid": "grids are public",
    "grids.gridrole": "leaders of grids are public (亮身份)",
    "grids.street": "streets are public",
    "grids.servicestation": "service stations are public places",
    "people.partyorganisation": "organisations",
    "people.cobuildingunit": "co-building units",
    "people.unitreport": "units' reports (organisations, a contact name)",
    "people.cobuildingagreement": "agreements between organisations",
    "people.reportingdeadline": "deadlines",
    "cases.casecategory": "a catalogue",
    "patrols.patrolroute": "routes",
    "patrols.patrol": "walks of routes",
    "patrols.finding": "findings on a route",
    "planning.branchplan": "plans for compounds",
    "planning.membergroup": "groups of members (scoped by compound)",
    "planning.householdteam": "teams of households (personal_data: resident readers only)",
    "service.servicecategory": "a catalogue",
    "service.activity": "public notices",
    "service.signup": "sign-ups (scoped by the organising grid)",
    "posts.postkind": "a catalogue",
    "posts.casecategorylink": "a catalogue",
    "posts.servicepost": "posts",
    "posts.postclaim": "claims (scoped)",
    "posts.postaction": "actions on claims (scoped)",
    "posts.memberresource": "members' offered skills (scoped)",
    "points.mallitem": "a catalogue",
    "notices.notice": "notices to users: a user's own; read-only",
    "api.apikey": "API keys (their secret is never stored); no scoped role of this world may "
                  "open them (policy.MANAGE_API_KEYS, whole district only): "
                  "tests/trust/test_api_key_admin.py",
}
STAFF_ROLES = [r for r in ROLES if r not in ("anonymous",)]


def _labels() -> list[str]:
    return sorted(m._meta.label_lower for m in admin.site._registry)


def test_every_admin_model_is_classified():
    missing = [label for label in _labels() if label not in PERSONAL and label not in OTHER]
    assert not missing, ("admin models without an access-matrix entry (add them to "
                         f"tests/trust/test_admin_matrix.py PERSONAL or OTHER): {missing}")
    stale = sorted((set(PERSONAL) | set(OTHER)) - set(_labels()))
    assert not stale, stale


def _open(client, world, role, url):
    client.logout()
    if role != "anonymous":
        client.force_login(world.users[role])
    with transaction.atomic():
        response = client.get(url)
        body = response.content.decode("utf-8", "replace") if response.status_code == 200 \
            else ""
        transaction.set_rollback(True)
    return response, body


def test_no_changelist_names_a_person_of_the_other_grid(client, world):
    leaks = []
    for label in _labels():
        app, model = label.split(".")
        url = f"/en/admin/{app}/{model}/"
        for role in ROLES:
            response, body = _open(client, world, role, url)
            assert response.status_code in (200, 302, 403), (label, role, response.status_code)
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"], (label, role)
            if OUT in body:
                leaks.append(f"{label} shows {OUT} to {role}")
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("label", sorted(PERSONAL))
def test_personal_records_in_the_admin(client, world, label):
    allowed, find = PERSONAL[label]
    app, model = label.split(".")
    wrong = []
    for side in SIDES:
        record = find[side](world)
        assert record is not None, (label, side)
        url = f"/en/admin/{app}/{model}/{record.pk}/change/"
        for role in ROLES:
            response, _body = _open(client, world, role, url)
            status = response.status_code
            location = response.get("Location", "")
            if status == 200:
                verdict = "allowed"
            elif status in (403, 404) or status == 302 and (
                    "/admin/login/" in location or location.rstrip("/").endswith("/admin")):
                verdict = "denied"
            else:
                verdict = f"unexpected {status} {location}"
            expected = "allowed" if allowed(role, side) else "denied"
            if verdict != expected:
                wrong.append(f"{role:22} {side:8} expected {expected:8} got {verdict} ({url})")
    assert not wrong, f"{label}:\n" + "\n".join(wrong)


def test_opening_a_personal_record_in_the_admin_is_logged(client, world):
    role = "community_secretary"
    resident = world.sides["inside"].resident
    client.force_login(world.users[role])
    assert client.get(f"/en/admin/people/resident/{resident.pk}/change/").status_code == 200
    seen = AuditEntry.objects.get(action="personal.view")
    assert (seen.actor, seen.object_type, seen.object_id) == (
        world.users[role], "people.resident", str(resident.pk))
    client.get(f"/en/admin/people/resident/{world.sides['outside'].resident.pk}/change/")
    assert AuditEntry.objects.filter(action="personal.view").count() == 1  # refused: no row
