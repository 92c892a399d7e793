"""The admin's share of the access matrix (tests/trust/admin_matrix.py says who may).

Staff users here hold every permission of every GridGov model (the widest an operator could
grant): what each one may then do must still follow policy.py.

- Every registered model admin is scoped through ScopedAdminMixin with the capabilities of
  its Row, or exempted with a reason (test_every_admin_is_scoped_or_exempt): an admin added
  later without scope fails here.
- For every model × staff role: the raw-id lookup (the changelist as a popup) and the add
  page; × an inside and an outside record: the change page, its history, a POST to it and
  the delete page — each allowed or denied as the policy says, and no list links to the
  other grid's record.
- No admin page names a person of the other grid; members, residents and the public get
  none.
- Opening a personal record is logged (personal.view); a refused one is not.

Every admin is walked on SpatiaLite; on PostGIS the admins of people's data and of the
grids themselves (POSTGIS_SAMPLE), whose scope filters the other admins share: the mixin
and its querysets are the same code on both, and the whole walk on both took a sixth of
`make test`'s budget."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test import RequestFactory

from gridgov.accounts import policy
from gridgov.accounts.admin import ScopedAdminMixin
from gridgov.accounts.models import AuditEntry
from tests.pages import shows
from tests.trust.admin_matrix import EXEMPT, ROWS, build_extra
from tests.world import OUT, ROLE_SCOPE, ROLES, SIDES

STAFF = list(ROLE_SCOPE)


def _distinct(roles) -> list[str]:
    """One role of each kind the policy tells apart: roles holding the same capabilities
    over the same grid get the same answers (community secretary and staff)."""
    kinds: dict = {}
    for role in roles:
        held = frozenset(c for c, holders in policy.RULES.items() if role in holders)
        kinds.setdefault((held, ROLE_SCOPE[role]), role)
    return list(kinds.values())


ASKED = _distinct(STAFF)

POSTGIS_SAMPLE = {
    "grids.grid",
    "grids.gridrole",
    "accounts.assignment",
    "people.member",
    "people.household",
    "people.resident",
    "people.vulnerability",
    "cases.case",
    "service.selfservice",
    "notices.notice",
}


def _registry() -> dict:
    return {m._meta.label_lower: a for m, a in admin.site._registry.items()}


def test_every_admin_is_scoped_or_exempt():
    wrong = []
    for label, model_admin in sorted(_registry().items()):
        if label in EXEMPT:
            continue
        row = ROWS.get(label)
        if row is None:
            wrong.append(f"{label}: no Row in tests/trust/admin_matrix.py ROWS (nor EXEMPT)")
        elif not isinstance(model_admin, ScopedAdminMixin):
            wrong.append(f"{label}: {type(model_admin).__name__} is not a ScopedAdminMixin")
        elif (
            model_admin.capability,
            model_admin.write_capability or model_admin.capability,
            model_admin.district_only,
        ) != (row.see, row.write or row.see, row.district_only):
            wrong.append(f"{label}: the admin's capabilities differ from its Row")
        elif not model_admin.district_only and model_admin.scope_field != row.path:
            wrong.append(f"{label}: scope_field {model_admin.scope_field!r} != {row.path!r}")
    stale = sorted((set(ROWS) | set(EXEMPT)) - set(_registry()))
    assert not wrong + stale, "\n".join(wrong + [f"stale: {s}" for s in stale])


@pytest.fixture(scope="module")
def shared_world(shared_world, django_db_blocker):
    """This module's world (tests/plugins/world.py, built once for the module): its staff
    hold every GridGov model permission, with the extra records and a superuser."""
    perms = Permission.objects.exclude(
        content_type__app_label__in=["auth", "axes", "contenttypes", "sessions", "admin"]
    )
    with django_db_blocker.unblock():
        for role in STAFF:
            shared_world.users[role].user_permissions.add(*perms)
        shared_world.extra = build_extra(shared_world)
        shared_world.root = get_user_model().objects.create_superuser(
            "u_root", password="x-Pass-2026!"
        )
    return shared_world


def _ask(client, world, role, method, url):
    client.logout()
    if role != "anonymous":
        client.force_login(world.users[role])
    with transaction.atomic():
        response = client.post(url, {}) if method == "POST" else client.get(url)
        body = response.content.decode("utf-8", "replace") if response.status_code == 200 else ""
        transaction.set_rollback(True)
    status, location = response.status_code, response.get("Location", "")
    if status == 200:
        verdict = "allowed"
    elif (
        status == 403
        or status == 302
        and ("/login/" in location or location.rstrip("/").endswith("/admin"))
    ):
        verdict = "denied"
    elif status == 302 and method == "POST":
        verdict = "allowed"  # saved (and rolled back): back to the list
    else:
        verdict = f"unexpected {status} {location}"
    return verdict, body


def _code(model, record, path) -> str | None:
    if path is None:
        return None
    for p in (path,) if isinstance(path, str) else path:
        code = model.objects.filter(pk=record.pk).values_list(p, flat=True).first()
        if code:
            return code
    return None


def _covers(world, role, code) -> bool:
    return code is not None and code.startswith(getattr(world.tree, ROLE_SCOPE[role]).code)


def _may_see(world, row, role, code) -> bool:
    if row.district_only or role not in policy.roles(row.see):
        return False
    return row.path is None or code is None or _covers(world, role, code)


def _may_write(world, row, role, code=None, any_row=False) -> bool:
    if row.district_only or row.path is None or role not in policy.roles(row.write or row.see):
        return False
    return any_row or _covers(world, role, code)


@pytest.mark.parametrize("label", sorted(ROWS))
def test_admin_matrix(client, world, label):
    if connection.vendor == "postgresql" and label not in POSTGIS_SAMPLE:
        pytest.skip("walked on SpatiaLite; PostGIS walks POSTGIS_SAMPLE")
    row = ROWS[label]
    model_admin = _registry()[label]
    model = model_admin.model
    base = f"/en/admin/{model._meta.app_label}/{model._meta.model_name}/"
    root = RequestFactory().get(base)
    root.user = world.root
    records = {s: row.record(world, s) for s in SIDES} if row.record else {}
    wrong = []

    def check(role, what, url, expected, method="GET", absent=None, present=None):
        verdict, body = _ask(client, world, role, method, url)
        want = "allowed" if expected else "denied"
        if verdict != want:
            wrong.append(f"{role:20} {what:24} expected {want:8} got {verdict} ({url})")
        if OUT in body:
            wrong.append(f"{role:20} {what:24} names a person of the other grid ({OUT})")
        if absent and absent in body:
            wrong.append(f"{role:20} {what:24} links to the other grid's record {absent}")
        if present and expected and present not in body:
            wrong.append(f"{role:20} {what:24} does not list the inside record {present}")

    sided = bool(records) and records["inside"].pk != records["outside"].pk
    link = {s: f"{base}{r.pk}/change/" for s, r in records.items()}
    for role in ASKED:
        check(
            role,
            "raw-id lookup",
            f"{base}?_to_field=id&_popup=1",
            not row.district_only and role in policy.roles(row.see),
            absent=link["outside"] if sided else None,
            present=link["inside"] if sided else None,
        )
        check(
            role,
            "add",
            f"{base}add/",
            model_admin.has_add_permission(root) and _may_write(world, row, role, any_row=True),
        )
        for s, record in records.items():
            if s == "outside" and not sided:
                continue
            code = _code(model, record, row.path)
            see = _may_see(world, row, role, code)
            write = _may_write(world, row, role, code)
            url = f"{base}{record.pk}/"
            check(role, f"{s} change page", f"{url}change/", see)
            if s == "outside":  # inside, the change page answers the same question
                check(role, f"{s} history", f"{url}history/", see)
            check(
                role,
                f"{s} change POST",
                f"{url}change/",
                write and model_admin.has_change_permission(root, record),
                method="POST",
            )
            check(
                role,
                f"{s} delete page",
                f"{url}delete/",
                write and model_admin.has_delete_permission(root, record),
            )
    assert not wrong, f"{label} ({row.see}/{row.write or row.see}):\n" + "\n".join(wrong)


def test_the_admin_is_for_staff_only(client, world):
    """Members, residents and the public are sent to sign in, for every model (staff roles:
    test_admin_matrix)."""
    leaks = []
    for label in sorted(_registry()):
        app, model = label.split(".")
        url = f"/en/admin/{app}/{model}/"
        for role in (r for r in ROLES if r not in ROLE_SCOPE):
            verdict, body = _ask(client, world, role, "GET", url)
            assert verdict == "denied", (label, role, verdict)
            if OUT in body:
                leaks.append(f"{label} shows {OUT} to {role}")
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize(
    ("role", "model"),
    [
        ("community_secretary", "resident"),
        ("building_leader", "member"),  # a member's record holds their full phone and home
    ],
)
def test_opening_a_personal_record_in_the_admin_is_logged(client, world, role, model):
    inside, outside = (getattr(world.sides[s], model) for s in ("inside", "outside"))
    client.force_login(world.users[role])
    heading = {"member": "Change party member", "resident": "Change resident"}[model]
    shows(client.get(f"/en/admin/people/{model}/{inside.pk}/change/"), heading, inside.name)
    seen = AuditEntry.objects.get(action="personal.view")
    assert (seen.actor, seen.object_type, seen.object_id) == (
        world.users[role],
        f"people.{model}",
        str(inside.pk),
    )
    client.get(f"/en/admin/people/{model}/{outside.pk}/change/")
    assert AuditEntry.objects.filter(action="personal.view").count() == 1  # refused: no row
