"""Deploy hardening: production settings pass `check --deploy`, redirect to HTTPS with
secure cookies, and password guessing is locked out."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict[str, str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (Playwright runs an
    # event loop); a deployment never has it, and check --deploy rightly refuses it.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GRIDGOV_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        {
            "GRIDGOV_SECRET_KEY": secrets.token_urlsafe(50),
            "GRIDGOV_ALLOWED_HOSTS": "gridgov.example.org",
        },
        **extra,
    )
    env.pop("GRIDGOV_DEBUG", None)
    return env


def run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_warnings():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNINGS" not in done.stdout + done.stderr


def test_plain_http_opt_out_is_flagged_by_check_deploy():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=production_env(GRIDGOV_HTTPS="0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "security.W008" in done.stdout + done.stderr  # no redirect to https: said aloud


PROBE = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "gridgov.settings"
django.setup()
from django.test import Client
c = Client(SERVER_NAME="gridgov.example.org")
r = c.get("/find/")
print(r.status_code, r.headers.get("Location"))
r = c.get("/en/no-such-page/", secure=True)  # a 404 needs no database (a fresh clone has none)
print(r.headers.get("Strict-Transport-Security"))
print(r.headers.get("X-Frame-Options"), r.headers.get("Referrer-Policy"))
"""


def test_production_redirects_to_https_and_sends_hsts():
    done = run(PROBE, production_env())
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "301 https://gridgov.example.org/find/"
    assert lines[1].startswith("max-age=31536000")
    assert "includeSubDomains" in lines[1]
    assert lines[2] == "DENY same-origin"


@pytest.fixture
def staffer(django_user_model):
    return django_user_model.objects.create_user(username="guessme", password="Right-Horse-42")


def login(client, username, password):
    return client.post(
        "/en/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7"
    )


def test_password_guessing_is_locked_out_even_with_the_right_password(client, staffer):
    for _ in range(4):
        again = login(client, "guessme", "wrong")  # the form again, saying why
        assert again.status_code == 200
        assert "Wrong username or password." in again.content.decode()
    fifth = login(client, "guessme", "wrong")  # the fifth locks
    assert fifth.status_code == 429
    assert "Too many failed logins" in fifth.content.decode()
    locked = login(client, "guessme", "Right-Horse-42")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()


def test_a_lockout_is_per_username_and_a_success_resets_the_count(
    client, staffer, django_user_model
):
    django_user_model.objects.create_user(username="neighbour", password="Other-Horse-42")
    for _ in range(4):
        login(client, "guessme", "wrong")
    assert login(client, "guessme", "Right-Horse-42").status_code == 302  # 4 < 5: allowed
    client.logout()
    for _ in range(4):
        login(client, "guessme", "wrong")
    assert login(client, "guessme", "Right-Horse-42").status_code == 302  # counted afresh
    client.logout()
    for _ in range(5):
        login(client, "guessme", "wrong")
    assert login(client, "neighbour", "Other-Horse-42").status_code == 302


@pytest.mark.parametrize("password", ["12345678901", "password123", "gridgov", "guessme2026"])
def test_weak_passwords_are_refused(staffer, password):
    with translation.override("en"), pytest.raises(ValidationError):
        validate_password(password, user=staffer)


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/en/find/",
        "/en/map/",
        "/api/docs/",
        "/en/reporting/register/",
        "/en/accounts/login/",
    ],
)
def test_pages_forbid_inline_script_without_the_requests_nonce(client, tree, path):
    """The Content-Security-Policy allows this site's script files and inline scripts that
    carry the request's nonce, nothing else; every inline script on the page carries it."""
    import re

    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    found = re.search(r"'nonce-([^']+)'", script_src)  # only when the page has inline code
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        if "src=" in tag or 'type="application/json"' in tag:
            continue
        assert found, tag
        assert f'nonce="{found.group(1)}"' in tag, tag
    assert not re.search(r"\son(click|submit|load|change)=", html), "an inline event handler"
