"""The SMS setting's system checks: an unreadable URL stops every command (messaging.E001);
`check --deploy` warns when the file outbox is used with debug off (messaging.W001)."""

from __future__ import annotations

import io

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def _ids(deploy: bool) -> set[str]:
    return {m.id for m in run_checks(include_deployment_checks=deploy)}


def test_check_deploy_warns_of_a_file_outbox_with_debug_off(outbox, settings):
    settings.DEBUG = False
    assert "messaging.W001" in _ids(deploy=True)
    assert "messaging.W001" not in _ids(deploy=False)  # a plain `check` is quiet
    err = io.StringIO()
    call_command("check", "--deploy", "--tag", "messaging", stdout=io.StringIO(), stderr=err)
    assert "messaging.W001" in err.getvalue()


def test_no_warning_in_debug_or_without_a_file_outbox(outbox, settings):
    settings.DEBUG = True
    assert "messaging.W001" not in _ids(deploy=True)
    settings.DEBUG = False
    for url in ("none", "https://token@sms.intranet/send"):
        settings.GRIDGOV_SMS_URL = url
        assert "messaging.W001" not in _ids(deploy=True)


@pytest.mark.parametrize(
    "url", ["smtp://mail.intranet", "file://relative/outbox", "https://", "sms"]
)
def test_an_unreadable_sms_url_is_an_error(settings, url):
    settings.GRIDGOV_SMS_URL = url
    assert "messaging.E001" in _ids(deploy=False)
    with pytest.raises(SystemCheckError):
        call_command("check", "--tag", "messaging", stdout=io.StringIO(), stderr=io.StringIO())
