"""API keys in the admin, least privilege (issue 8): only superusers and staff holding
policy.MANAGE_API_KEYS over the whole district (an unscoped street office admin) see, issue,
change or revoke keys. Every scoped user of the world — the street admin limited to C1
included — is refused every API key page even when given every ApiKey permission, and a
refused POST writes nothing. Whoever issues, the scope must be a real grid's code (or empty),
and issuing and revoking leave their audit rows."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from gridgov.accounts import policy
from gridgov.accounts.models import Assignment, AuditEntry, StaffRole
from gridgov.api.models import ApiKey
from gridgov.api.services import api_key_issue
from tests.factories import PASSWORD
from tests.pages import shows
from tests.world import ROLE_SCOPE

ADMIN = "/en/admin/api/apikey/"
ADD = ADMIN + "add/"


def _grant_every_key_permission(user) -> None:
    user.user_permissions.add(
        *Permission.objects.filter(content_type=ContentType.objects.get_for_model(ApiKey))
    )


def _form(**fields) -> dict:
    return {
        "name": "12345 hotline",
        "can_read": "on",
        "scope_code": "",
        "rate_limit_per_minute": "60",
        **fields,
    }


def _state() -> list[tuple]:
    """Every key as stored, and the audit rows about keys: what a refused POST must leave."""
    keys = list(
        ApiKey.objects.order_by("pk").values_list(
            "pk", "name", "can_read", "can_post_requests", "scope_code", "revoked_at"
        )
    )
    audit = list(AuditEntry.objects.filter(object_type="api.apikey").values_list("pk"))
    return keys + audit


@pytest.fixture
def district_admin(world):
    """A street office admin over the whole district (empty scope), with the key permissions."""
    user = get_user_model().objects.create_user(
        username="u_district", password=PASSWORD, is_staff=True
    )
    Assignment.objects.create(user=user, role=StaffRole.STREET_ADMIN, grid=None, scope_code="")
    _grant_every_key_permission(user)
    return user


@pytest.mark.parametrize("role", list(ROLE_SCOPE))
def test_a_scoped_user_with_every_key_permission_gets_no_api_key_page(client, world, role):
    user = world.users[role]
    _grant_every_key_permission(user)
    assert user.has_perms(["api.add_apikey", "api.change_apikey", "api.view_apikey"])
    assert not policy.everywhere(user, policy.MANAGE_API_KEYS)
    client.force_login(user)
    key = ApiKey.objects.order_by("pk").first()
    change = f"{ADMIN}{key.pk}/change/"
    for url in (ADMIN, ADD, change):
        assert client.get(url).status_code == 403, (role, url)
    assert 'href="/en/admin/api/apikey/' not in client.get("/en/admin/").content.decode()
    before = _state()
    assert client.post(ADD, _form()).status_code == 403
    assert client.post(change, _form(name="renamed", scope_code="")).status_code == 403
    assert client.post(ADMIN, {"action": "revoke", "_selected_action": [key.pk]}).status_code == 403
    assert _state() == before  # nothing issued, changed or revoked; no audit row


def test_a_district_admin_issues_changes_and_revokes_keys_audited(client, world, district_admin):
    client.force_login(district_admin)
    shows(client.get(ADMIN), "Select API key to change", "system read")
    response = client.post(ADD, _form(scope_code=world.tree.c2.code), follow=True)
    assert response.status_code == 200
    key = ApiKey.objects.get(name="12345 hotline")
    assert key.scope_code == world.tree.c2.code
    assert key.created_by == district_admin
    assert f"gg_{key.prefix}_" in response.content.decode()  # shown once
    issued = AuditEntry.objects.get(action="api_key.issued", object_id=str(key.pk))
    assert issued.actor == district_admin
    assert issued.after["scope_code"] == world.tree.c2.code
    assert "secret_hash" not in issued.after
    assert "salt" not in issued.after

    change = f"{ADMIN}{key.pk}/change/"
    assert client.post(change, _form(scope_code=world.tree.k3.code)).status_code == 302
    changed = AuditEntry.objects.get(action="api_key.changed", object_id=str(key.pk))
    assert (changed.actor, changed.before["scope_code"], changed.after["scope_code"]) == (
        district_admin,
        world.tree.c2.code,
        world.tree.k3.code,
    )

    client.post(ADMIN, {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert (
        AuditEntry.objects.get(action="api_key.revoked", object_id=str(key.pk)).actor
        == district_admin
    )


def test_a_district_admin_still_needs_the_model_permissions(client, world, district_admin):
    district_admin.user_permissions.clear()
    client.force_login(district_admin)
    for url in (ADMIN, ADD):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("issuer", ["district_admin", "superuser"])
@pytest.mark.parametrize("scope", ["1", "10000", "100001009", "999999"])
def test_a_scope_that_is_no_grid_code_is_refused_naming_the_field(
    client, world, district_admin, issuer, scope
):
    user = (
        district_admin
        if issuer == "district_admin"
        else get_user_model().objects.create_superuser("root", password=PASSWORD)
    )
    client.force_login(user)
    before = _state()
    response = client.post(ADD, _form(scope_code=scope))
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["scope_code"]
    [message] = errors["scope_code"]
    assert message.startswith(f"Grid code prefix “{scope}” is not the code of any grid")
    assert "Grid code prefix" in response.content.decode()
    assert _state() == before

    # Changing an existing key to such a scope is refused the same way.
    key = ApiKey.objects.order_by("pk").first()
    response = client.post(f"{ADMIN}{key.pk}/change/", _form(name=key.name, scope_code=scope))
    assert list(response.context["adminform"].form.errors) == ["scope_code"]
    assert _state() == before


def test_a_real_grid_code_of_any_level_is_a_scope(client, world, district_admin):
    client.force_login(district_admin)
    tree = world.tree
    for code in (tree.c1.code, tree.k1.code, tree.b4.code):
        assert client.post(ADD, _form(name=f"system {code}", scope_code=code)).status_code == 302
    assert set(ApiKey.objects.exclude(scope_code="").values_list("scope_code", flat=True)) == {
        tree.c1.code,
        tree.k1.code,
        tree.b4.code,
    }


def test_the_service_refuses_a_scope_that_is_no_grid_code(world):
    with pytest.raises(ValidationError) as refused:
        api_key_issue(key=ApiKey(name="GIS", scope_code="7"), acting_user=None)
    assert list(refused.value.message_dict) == ["scope_code"]
    assert not ApiKey.objects.filter(name="GIS").exists()
