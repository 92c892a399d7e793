"""The bad-input corpus: every form POST and API POST of the targets below gets, one field at
a time, every value of CORPUS. Each answer must be a clear refusal — a 4xx, or the form again
with the error on that field, or a redirect whose own error message names the field — never
a 5xx, and the database must be exactly as before (fingerprint(): rows counted and hashed per
table, the audit/access log and the API key log left out: they legitimately record the
attempt).
Text fields that may hold script fragments store them verbatim and pages show them escaped.

How to add a target: a Target with who posts, the URL, a valid payload and the fields to
spoil (kind "value": every corpus value must be refused; "text": a value may be accepted,
then it must be stored verbatim and rendered escaped)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from gridgov.service.models import Activity, ServiceCategory
from tests.pages import errors, shows, text
from tests.world import OPEN, World

# The logs (audit/access, API key use; a key's last-use stamp) record the attempt itself.
IGNORED = {
    "accounts.auditentry",
    "api.apikeyuse",
    "api.apikey",
    "sessions.session",
    "admin.logentry",
}
POSITION = {"lon", "lat", "long"}
# What a refusal page says: "no such object" for a spoiled id or code in the address; the
# bare Bad request page for a request Django cannot read.
REFUSALS = {
    404: "There is no such page or grid, or it lies outside your area.",
    400: "Bad request: the server could not understand this request and saved nothing.",
}  # a position's error may sit on either coordinate
IGNORED_APPS = {"axes", "contenttypes"}

SCRIPT = "<script>alert(1)</script>"
CORPUS = [
    "x" * 100_000,  # huge
    "'; DROP TABLE people_member; --",  # SQL
    SCRIPT,  # script
    "\u202egnp.exe\u202c",  # right-to-left override
    "a\x00b",  # NUL
    "\ud800",  # lone surrogate
    "😀🏠",  # emoji
    "\u200b",  # zero width space
    "-1",
    "-99999999999999999999",
    "99999999999999999999",
    "1e308",
    "NaN",
    "inf",
    "-181",
    "181",
    "91",
    "-91",  # out-of-range coordinates
    "[]",
    '{"type": "Point"}',
    "null",  # wrong types
]


def fingerprint() -> dict[str, tuple[int, str]]:
    """Rows per table and a hash of their values, for every table of the apps."""
    out = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in IGNORED or model._meta.app_label in IGNORED_APPS or not model._meta.managed:
            continue
        digest, n = hashlib.sha256(), 0
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(
                repr(tuple(v.ewkt if isinstance(v, GEOSGeometry) else v for v in row)).encode()
            )
            n += 1
        out[label] = (n, digest.hexdigest())
    return out


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before if before[k] != after.get(k))


@dataclass
class Target:
    role: str
    url: Callable[[World], str]
    base: Callable[[World], dict]
    fields: dict[str, str]  # field -> "value" (always refused) or "text" (may be stored)
    json: bool = False
    skip: Callable[[str, str], bool] = lambda field, value: False


def _start(days: int = 1) -> str:
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _activity(w: World) -> dict:
    return {
        "organiser_grid": w.tree.k1.pk,
        "title": "楼道清洁日",
        "description": "一起清理",
        "category": ServiceCategory.objects.get(code="clean_home").pk,
        "starts_at": _start(),
        "ends_at": _start(2),
        "capacity": "20",
        "address": "广场",
        "lon": str(OPEN["inside"].x),
        "lat": str(OPEN["inside"].y),
        "crs": "wgs84",
    }


def _register(w: World) -> dict:
    return {
        "name": "王芳",
        "gender": "F",
        "phone": "139 1234 5678",
        "kind": "retired",
        "address": "东湖花园1栋502",
        "specialty": "",
        "service_intent": "",
        "pledge": "",
        "username": "wangfang",
        "password1": "x-Pass-2026!",
        "password2": "x-Pass-2026!",
        "lon": "113.1020000",
        "lat": "23.0020000",
        "crs": "wgs84",
        "building": "",
    }


def _open311(w: World) -> dict:
    return {
        "service_code": "repair",
        "lat": "23.002",
        "long": "113.102",
        "description": "楼道灯坏了",
        "address_string": "东湖花园1栋",
    }


def _finding(w: World) -> dict:
    p = w.sides["inside"].finding.point
    return {"kind": "hazard", "note": "积水", "lon": str(p.x), "lat": str(p.y), "crs": "wgs84"}


NUMERIC_OK = {"-1", "-91", "91", "181", "-181"}  # in range for some numbers: not for these

TARGETS = {
    "open311 POST": Target(
        "key:post",
        lambda w: "/open311/v2/requests.json",
        _open311,
        {
            "service_code": "value",
            "lat": "value",
            "long": "value",
            "description": "text",
            "address_string": "text",
        },
        json=True,
    ),
    "reporting registration": Target(
        "anonymous",
        lambda w: "/en/reporting/register/",
        _register,
        {
            "name": "text",
            "gender": "value",
            "phone": "value",
            "kind": "value",
            "lon": "value",
            "lat": "value",
            "crs": "value",
            "pledge": "text",
        },
    ),
    "activity publish": Target(
        "branch_secretary",
        lambda w: "/en/service/activities/new/",
        _activity,
        {
            "title": "text",
            "organiser_grid": "value",
            "category": "value",
            "starts_at": "value",
            "capacity": "value",
            "lon": "value",
            "lat": "value",
            "crs": "value",
        },
        skip=lambda field, value: field == "capacity" and value in ("91", "181"),
    ),  # valid
    "patrol finding": Target(
        "grid_leader",
        lambda w: f"/en/patrols/{w.sides['inside'].patrol.pk}/findings/",
        _finding,
        {"kind": "value", "lon": "value", "lat": "value", "note": "text"},
    ),
    "points adjustment": Target(
        "community_secretary",
        lambda w: f"/en/points/staff/members/{w.sides['inside'].member.pk}/adjust/",
        lambda w: {"points": "5", "hours": "0", "reason": "补记"},
        {"points": "value", "hours": "value"},
        skip=lambda field, value: value in ("-1", "91", "-91", "181"),
    ),  # valid amounts
    "branch plan proposal": Target(
        "community_secretary",
        lambda w: "/en/planning/propose/",
        lambda w: {"compound": w.tree.k2.code, "secretary": "", "note": ""},
        {"compound": "value"},  # secretary: see test_a_bad_secretary_id_is_refused
        skip=lambda field, value: "\x00" in value,
    ),  # see test_a_nul_in_a_compound_code…
    "post assignment": Target(
        "community_secretary",
        lambda w: "/en/posts/assign/",
        lambda w: {"post": w.sides["inside"].post.pk, "member": w.sides["inside"].member.pk},
        {"post": "value", "member": "value"},
    ),
    "post claim": Target(
        "member", lambda w: "/en/posts/{post}/claim/", lambda w: {}, {"post": "value"}
    ),
    "points redemption": Target(
        "member", lambda w: "/en/points/mall/{item}/redeem/", lambda w: {}, {"item": "value"}
    ),
    "activity sign-up": Target(
        "member",
        lambda w: "/en/service/activities/{activity}/signup/",
        lambda w: {},
        {"activity": "value"},
    ),
}


def _body(data: dict) -> bytes:
    """application/x-www-form-urlencoded, lone surrogates as their (invalid) UTF-8 bytes."""
    return urlencode(data, encoding="utf-8", errors="surrogatepass").encode()


def _post(client, world: World, target: Target, data: dict, url: str):
    headers = {}
    if target.role.startswith("key:"):
        headers["HTTP_X_API_KEY"] = world.keys[target.role[4:]]
    if target.json:
        body = json.dumps(data, ensure_ascii=True)  # a lone surrogate as \ud800
        return client.post(url, body, content_type="application/json", **headers)
    return client.post(
        url, _body(data), content_type="application/x-www-form-urlencoded", **headers
    )


def refusal(response, field: str, target: Target) -> str | None:
    """Why the answer is not a clear refusal naming ``field`` (None: it is)."""
    status = response.status_code
    if status >= 500:
        return f"answered {status}"
    if target.json:
        if status != 400:
            return f"answered {status}, not 400"
        names = json.dumps(json.loads(response.content))
        fields = POSITION if field in POSITION else {field}
        return (
            None
            if any(f in names for f in fields)
            else f"the error does not name {field}: {names[:200]}"
        )
    if status in REFUSALS:
        # a value in the address is no such object: the site's refusal, in its chrome
        seen = text(response)
        return None if REFUSALS[status] in seen else f"answered {status} without saying why"
    if status == 200:
        forms = [
            v
            for c in (response.context or [])
            for v in c.flatten().values()
            if hasattr(v, "errors") and hasattr(v, "non_field_errors")
        ]
        form = next((f for f in forms if f.errors), None)
        if form is None:
            return "answered 200 without a form error"
        # a position's error may sit on either coordinate or on the place's address
        fields = POSITION | {"crs", "address"} if field in POSITION | {"crs"} else {field}
        if any(f in form.errors for f in fields) or (
            form.non_field_errors() and field in POSITION | {"crs"}
        ):
            return None
        return f"the form's errors do not name {field}: {dict(form.errors)}"
    if status in (301, 302, 303):
        # Only this request's messages: the test client keeps earlier, unread ones in the
        # session, and one of those must not pass for this refusal.
        queued = response.wsgi_request._messages._queued_messages
        errors = [str(m) for m in queued if m.level_tag == "error"]
        if not errors:
            return "redirected without an error message"
        if not any(field.lower() in e.lower() for e in errors):
            return f"the error message does not name {field}: {errors}"
        return None
    return f"answered {status}"


def _url(target: Target, world: World, field: str, value: str) -> tuple[str, dict]:
    """Path parameters of a target ({post}, {item}, {activity}) are spoiled in the path."""
    url = target.url(world)
    data = target.base(world)
    if "{" + field + "}" in url:
        from urllib.parse import quote

        return url.replace(
            "{" + field + "}", quote(value.encode("utf-8", "surrogatepass"), safe="")
        ), data
    data[field] = value
    return url, data


@pytest.fixture
def lifted_limits(settings):
    settings.GRIDGOV_REPORTING_REGISTER_LIMIT = 100_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000_000


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_bad_input_is_refused_and_writes_nothing(client, world, lifted_limits, name):
    target = TARGETS[name]
    if target.role not in ("anonymous",) and not target.role.startswith("key:"):
        client.force_login(world.users[target.role])
    before = fingerprint()
    wrong = []
    for field, kind in target.fields.items():
        for value in CORPUS:
            if target.skip(field, value):
                continue
            url, data = _url(target, world, field, value)
            if "{" + field + "}" not in target.url(world) and field not in data:
                continue
            with transaction.atomic():
                response = _post(client, world, target, data, url)
                diff = changed(before, fingerprint())
                stored = _stored_verbatim(name, field, value) if kind == "text" else False
                transaction.set_rollback(True)
            shown = repr(value[:30]) + ("…" if len(value) > 30 else "")
            if response.status_code >= 500:
                wrong.append(f"{field}={shown}: answered {response.status_code}")
                continue
            if kind == "text" and diff:
                if not stored:
                    wrong.append(f"{field}={shown}: accepted but not stored verbatim")
                continue
            why = refusal(response, field, target)
            if why:
                wrong.append(f"{field}={shown}: {why}")
            if diff:
                wrong.append(f"{field}={shown}: refused but changed {diff}")
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def _stored_verbatim(target: str, field: str, value: str) -> bool:
    """Whether an accepted text value is in the database exactly as sent."""
    from gridgov.cases.models import Case
    from gridgov.patrols.models import Finding
    from gridgov.people.models import Member

    where = {
        ("open311 POST", "description"): (Case, "description"),
        ("open311 POST", "address_string"): (Case, "address"),
        ("reporting registration", "name"): (Member, "name"),
        ("reporting registration", "pledge"): (Member, "pledge"),
        ("activity publish", "title"): (Activity, "title"),
        ("patrol finding", "note"): (Finding, "note"),
    }.get((target, field))
    if where is None:
        return False
    model, column = where
    if "\x00" in value:  # PostgreSQL cannot hold NUL: such a value is never stored as sent
        return False
    try:
        value.encode()
    except UnicodeEncodeError:  # what arrives of a lone surrogate: U+FFFD, or \ud800 in JSON
        value = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return model.objects.filter(**{column: value}).exists()


def test_a_script_in_a_title_is_stored_verbatim_and_shown_escaped(client, world):
    client.force_login(world.users["branch_secretary"])
    data = _activity(world) | {"title": SCRIPT + "'; DROP TABLE x; --"}
    response = client.post("/en/service/activities/new/", data)
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    activity = Activity.objects.get(title=data["title"])
    page = client.get(f"/en/service/activities/{activity.pk}/").content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_script_in_an_open311_description_is_stored_verbatim_and_shown_escaped(client, world):
    from gridgov.cases.models import Case

    response = client.post(
        "/open311/v2/requests.json",
        _open311(world) | {"description": SCRIPT},
        HTTP_X_API_KEY=world.keys["post"],
    )
    assert response.status_code == 201
    case = Case.objects.get(description=SCRIPT)
    assert response.json()[0]["service_request_id"] == case.number
    client.force_login(world.users["community_secretary"])
    page = client.get(f"/en/cases/{case.number}/").content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;" in page


# Each bad track and what the form says about it (on the GPX field).
NOT_GPX = "The file is not a GPX file: "
BAD_GPX = [
    (b"", "The submitted file is empty."),
    (b"not xml at all", NOT_GPX + "syntax error"),
    (
        b"<?xml version='1.0'?><gpx><trk><trkseg><trkpt lat='999' lon='999'/></trkseg></trk></gpx>",
        "The GPX file holds no track",
    ),
    (
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;"
        b"&a;&a;&a;'>]><gpx>&b;</gpx>",
        NOT_GPX + "a document type declaration is not allowed",
    ),
    (b'{"type": "FeatureCollection", "features": [}', NOT_GPX + "not well-formed"),  # GeoJSON
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, NOT_GPX + "not well-formed"),
    (
        "<gpx><trk><name>\ud800</name></trk></gpx>".encode("utf-8", "surrogatepass"),
        NOT_GPX + "'utf-8' codec can't decode",
    ),
]


@pytest.mark.parametrize(("gpx", "refusal"), BAD_GPX, ids=range(len(BAD_GPX)))
def test_a_bad_gpx_upload_is_refused_and_writes_nothing(client, world, gpx, refusal):
    side = world.sides["inside"]
    client.force_login(world.users["grid_leader"])
    before = fingerprint()
    response = client.post(
        f"/en/patrols/routes/{side.route.pk}/record/",
        {
            "walked_on": timezone.localdate().isoformat(),
            "members": [side.member.pk],
            "gpx": SimpleUploadedFile("walk.gpx", gpx, content_type="application/gpx+xml"),
            "notes": "",
        },
    )
    assert response.status_code == 200  # the form again, saying what is wrong
    assert "gpx" in response.context["form"].errors
    assert any(e.startswith(refusal) for e in errors(response)), errors(response)
    assert changed(before, fingerprint()) == []


@pytest.mark.parametrize(
    "q",
    [
        "x" * 100_000,
        "'; DROP TABLE grids_grid; --",
        SCRIPT,
        "a\x00b",
        "\u202e",
        "😀",
        "%",
        "_",
        "\\",
    ],
)
def test_the_finder_answers_any_query_without_error(client, world, q):
    before = fingerprint()
    response = client.get("/en/find/", {"q": q})
    shows(response, "No building matches that address.")
    assert SCRIPT not in response.content.decode()
    assert changed(before, fingerprint()) == []


def test_a_bad_secretary_id_is_refused(world):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(world.users["community_secretary"])
    response = client.post(
        "/en/planning/propose/", {"compound": world.tree.k2.code, "secretary": "abc"}
    )
    assert response.status_code == 404


def test_a_nul_in_a_compound_code_is_refused(world):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(world.users["community_secretary"])
    response = client.post("/en/planning/propose/", {"compound": "a\x00b"})
    assert response.status_code == 404
