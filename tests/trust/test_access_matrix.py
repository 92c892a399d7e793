"""The whole access matrix: every URL the resolver knows × every role × an object inside and
outside the role's grid (tests/trust/matrix.py says who may), plus the API with each kind
of API key. A URL without an entry fails test_every_url_has_a_matrix_entry. The admin's
share (every model admin × role × inside/outside) is tests/trust/test_admin_matrix.py; this
is the one harness (the copy once in tests/accounts is merged here).

Each cell is asked in a savepoint that is rolled back, so cells do not disturb each other.
A cell is "allowed" when the answer is 200/204 or a redirect elsewhere than the sign-in page
(for a POST that must act: and it wrote an audit row); "denied" when the answer is 401, 403,
404 or 405, a redirect to the sign-in page, or (for a POST) nothing was written. Every 200
is also read for leaks: the outside people's phones never appear; the outside people's names
never appear on a page that is not a public listing; the inside people's phones appear only
to the roles that may see them."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from gridgov.accounts import policy
from gridgov.accounts.models import AuditEntry
from gridgov.accounts.models import StaffRole as R
from tests.trust.matrix import EMPTY_OK, ENTRIES, EXEMPT, PENDING, Entry
from tests.world import OUT, ROLES, SIDES, World

BAD_KEY = "gg_deadbeef_not-a-key-at-all-0123456789"


def resolver_keys() -> set[str]:
    """ "namespace:name" of every URL pattern outside the admin ("namespace:" if unnamed)."""
    keys: set[str] = set()

    def walk(resolver, namespace: str) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns == "admin":
                    continue
                walk(p, ns)
            elif isinstance(p, URLPattern):
                keys.add(f"{namespace}:{p.name or ''}")

    walk(get_resolver(), "")
    return keys


def test_every_url_has_a_matrix_entry():
    known = resolver_keys()
    covered = {k.split(" ")[0] for k in ENTRIES}
    missing = sorted(known - covered - set(EXEMPT))
    assert not missing, (
        "URLs without an access-matrix entry (add them to "
        f"tests/trust/matrix.py ENTRIES): {missing}"
    )
    stale = sorted((covered | set(EXEMPT)) - known)
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"


def test_pending_urls_are_still_pending():
    """The /api/v1/activities/ endpoint another change adds: once it resolves, this fails
    until it has an entry in ENTRIES (and is removed from PENDING)."""
    for key, todo in PENDING.items():
        assert key not in resolver_keys() or key in {k.split(" ")[0] for k in ENTRIES}, todo


def _phones(world: World) -> dict[str, object]:
    """Phone number -> who may see it (role -> bool)."""
    inside, outside = world.sides["inside"], world.sides["outside"]
    residents = policy.roles(policy.READ_RESIDENTS)
    phones = policy.roles(policy.SEE_MEMBER_PHONES)
    return {
        inside.member.phone: lambda role: role in phones or role == "member",
        inside.resident.phone: lambda role: role in residents,
        inside.case.requester_phone: lambda role: role in residents or role == "resident",
        outside.member.phone: lambda role: False,
        outside.resident.phone: lambda role: False,
        outside.case.requester_phone: lambda role: False,
    }


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        return ""  # zipped: the CSV twin of every workbook is read instead
    return content.decode("utf-8", "replace")


def ask(client, world: World, entry: Entry, role: str, side: str) -> tuple[str, str]:
    """(verdict, detail) of one cell: verdict is allowed, denied or error."""
    client.logout()
    headers = {}
    if role.startswith("key:"):
        name = role[4:]
        headers["HTTP_X_API_KEY"] = BAD_KEY if name == "bad" else world.keys[name]
    elif role != "anonymous":
        client.force_login(world.users[role])
    url = entry.url(world, side)
    with transaction.atomic():
        before = AuditEntry.objects.exclude(action__startswith="personal.").count()
        if entry.method == "POST":
            response = client.post(url, entry.data(world, side) if entry.data else {}, **headers)
        else:
            response = client.get(url, **headers)
        body = _body(response) if response.status_code == 200 else ""
        wrote = AuditEntry.objects.exclude(action__startswith="personal.").count() > before
        transaction.set_rollback(True)
    status = response.status_code
    detail = f"{entry.method} {url} -> {status}"
    if status >= 500:
        return "error", detail
    location = response.get("Location", "")
    refused = status in (400, 401, 403, 404, 405) or (
        status in (301, 302, 303) and "/login/" in location
    )
    if status in (301, 302, 303):
        detail += f" to {location}"
    if entry.method == "POST":
        detail += " (wrote)" if wrote else " (wrote nothing)"
        if refused or not wrote and (entry.effect or not entry.allowed(_base(role), side)):
            return "denied", detail
        return "allowed", detail
    if refused:
        return "denied", detail
    if status == 204 and not EMPTY_OK.get(entry.url, True):
        return "denied", detail
    leaks = _leaks(world, entry, role, side, body)
    return ("leak" if leaks else "allowed"), detail + (f" LEAKS {leaks}" if leaks else "")


def _base(role: str) -> str:
    return "anonymous" if role.startswith("key:") else role


def _leaks(world: World, entry: Entry, role: str, side: str, body: str) -> list[str]:
    if not body:
        return []
    found = [
        phone for phone, may in _phones(world).items() if phone in body and not may(_base(role))
    ]
    public = entry.public_data(_base(role)) if callable(entry.public_data) else entry.public_data
    if OUT in body and (entry.never_out or not public and (side == "inside" or not entry.sided)):
        found.append(f"outside names ({OUT})")
    return found


def _principals(entry: Entry) -> list[str]:
    keys = [f"key:{k}" for k in entry.key_allowed] if entry.keys else []
    return [*ROLES, *keys]


def _expected(entry: Entry, principal: str, side: str) -> bool:
    if principal.startswith("key:"):
        allowed = entry.key_allowed[principal[4:]]
        return allowed(side) if callable(allowed) else allowed
    return entry.allowed(principal, side)


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_access_matrix(client, world, key):
    entry = ENTRIES[key]
    wrong = []
    for principal in _principals(entry):
        for side in SIDES if entry.sided else ("inside",):
            verdict, detail = ask(client, world, entry, principal, side)
            expected = "allowed" if _expected(entry, principal, side) else "denied"
            if verdict != expected:
                wrong.append(
                    f"{principal:22} {side:8} expected {expected:8} got {verdict:8} {detail}"
                )
    assert not wrong, f"{key} ({entry.allowed.__name__}):\n" + "\n".join(wrong)


def test_roles_of_the_matrix_are_the_policy_roles():
    """Every staff role of policy.py is a row of the matrix."""
    assert set(R) - {R.MEMBER} <= set(ROLES)
    assert "member" in ROLES
    assert "anonymous" in ROLES


def test_every_capability_names_known_roles():
    known = set(R)
    for capability, holders in policy.RULES.items():
        assert holders <= known, capability
        assert holders, f"{capability} is held by nobody"


def test_policy_allows_what_the_matrix_expects(world):
    """policy.allows agrees with the matrix's own reading of the table (matrix.cap) for every
    capability, staff role and side, at every grid level."""
    from tests.trust.matrix import cap

    wrong = []
    for capability in policy.RULES:
        for role in (*world.users.keys() - {"resident", "anonymous"},):
            for side in SIDES:
                for level, name in ((1, "community"), (2, "compound"), (3, "building")):
                    grid = world.sides[side].grids[name]
                    expected = cap(capability, level=level)(role, side)
                    if policy.allows(world.users[role], capability, grid) != expected:
                        wrong.append(f"{capability} {role} {side} {name}")
    assert not wrong, wrong
