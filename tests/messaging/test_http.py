"""The HTTP gateway backend against a real HTTP server on loopback, started by the test: the
JSON POST of docs/MESSAGES.md, the token, timeouts, retries and the final failure."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from gridgov.messaging import services
from gridgov.messaging.backends import HttpBackend, parse_sms_url
from gridgov.messaging.models import Message, Status
from gridgov.messaging.services import send_due, sms_queue
from tests.messaging.helpers import Gateway

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    gw = Gateway()
    settings.GRIDGOV_SMS_URL = gw.url()
    settings.GRIDGOV_SMS_TIMEOUT = 2
    yield gw
    gw.stop()


def test_a_message_is_posted_as_json_with_the_token(gateway):
    message = sms_queue(phone="13800001234", text="请于今日处理诉求 2026-000001")
    assert send_due() == {"sent": 1}
    [request] = gateway.requests
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert request["body"] == {
        "id": f"gridgov-{message.pk}",
        "to": "13800001234",
        "text": "请于今日处理诉求 2026-000001",
    }
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.provider_id == "gw-1"


def test_the_token_may_come_from_its_own_setting(gateway, settings):
    settings.GRIDGOV_SMS_URL = gateway.url(token="")
    settings.GRIDGOV_SMS_TOKEN = "from-setting"
    sms_queue(phone="13800001234", text="x")
    send_due()
    assert gateway.requests[0]["headers"]["Authorization"] == "Bearer from-setting"


def test_the_url_is_read_without_its_user_part():
    backend = parse_sms_url("https://tok%40en@sms.intranet:8443/send?account=7")
    assert isinstance(backend, HttpBackend)
    assert backend.url == "https://sms.intranet:8443/send?account=7"
    assert backend.token == "tok@en"


def test_a_gateway_error_is_retried_later(gateway):
    gateway.script = [(503, {"error": "busy"}, 0.0), (200, {"id": "gw-2"}, 0.0)]
    message = sms_queue(phone="13800001234", text="x")
    now = timezone.now()
    assert send_due(now=now) == {"retry": 1}
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.attempts == 1
    assert message.last_error.startswith("HTTP 503")
    assert send_due(now=now) == {}  # not due yet: one minute later
    assert send_due(now=now + dt.timedelta(minutes=1)) == {"sent": 1}
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 2
    # the provider sees the same id twice, so it can drop a duplicate of a retried message
    assert [r["body"]["id"] for r in gateway.requests] == [f"gridgov-{message.pk}"] * 2


def test_a_gateway_that_does_not_answer_in_time_is_retried(gateway, settings):
    settings.GRIDGOV_SMS_TIMEOUT = 0.3
    gateway.script = [(200, {}, 1.5)]
    message = sms_queue(phone="13800001234", text="x")
    started = time.monotonic()
    assert send_due() == {"retry": 1}
    assert time.monotonic() - started < 1.4
    message.refresh_from_db()
    assert "timed out" in message.last_error.lower()


def test_a_gateway_that_is_down_is_retried(gateway):
    port = gateway.port
    gateway.stop()
    message = sms_queue(phone="13800001234", text="x")
    assert send_due() == {"retry": 1}
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.last_error
    assert str(port) not in message.to


def test_a_refused_number_fails_for_good(gateway):
    gateway.script = [(400, {"error": "invalid number"}, 0.0)]
    message = sms_queue(phone="13800001234", text="x")
    assert send_due() == {"failed": 1}
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "invalid number" in message.last_error
    assert len(gateway.requests) == 1


def test_after_the_last_attempt_the_failure_is_visible_to_staff(gateway, admin_client):
    gateway.script = [(500, {"error": "down"}, 0.0)]
    message = sms_queue(phone="13800001234", text="x")
    now = timezone.now()
    for _ in range(services.MAX_ATTEMPTS):
        send_due(now=now)
        now += services.RETRY_DELAYS[-1]
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == services.MAX_ATTEMPTS
    assert len(gateway.requests) == services.MAX_ATTEMPTS
    page = admin_client.get("/en/admin/messaging/message/?status__exact=failed")
    assert page.status_code == 200
    assert "13800001234" in page.content.decode()
    assert "HTTP 500" in page.content.decode()
    change = admin_client.get(f"/en/admin/messaging/message/{message.pk}/change/")
    assert change.status_code == 200
    assert b'name="_save"' not in change.content


def test_an_http_gateway_waits_for_the_scheduler(gateway, django_capture_on_commit_callbacks):
    """Not cheap: nothing is posted in the request's after-commit."""
    with django_capture_on_commit_callbacks(execute=True):
        sms_queue(phone="13800001234", text="x")
    assert gateway.requests == []
    assert Message.objects.get().status == Status.QUEUED
