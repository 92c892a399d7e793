"""System checks of the SMS setting: a URL that names no backend is an error on every
command; a file outbox with debug off is a warning of ``check --deploy`` (messages written to
files reach nobody)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from gridgov.messaging.backends import FileBackend, parse_sms_url


@checks.register("messaging")
def sms_url_readable(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    try:
        parse_sms_url(getattr(settings, "GRIDGOV_SMS_URL", "none"))
    except ImproperlyConfigured as e:
        return [checks.Error(str(e), id="messaging.E001")]
    return []


@checks.register("messaging", deploy=True)
def no_file_outbox_in_production(
    app_configs: object = None, **kwargs: object
) -> list[checks.CheckMessage]:
    try:
        backend = parse_sms_url(getattr(settings, "GRIDGOV_SMS_URL", "none"))
    except ImproperlyConfigured:
        return []  # messaging.E001 says so
    if isinstance(backend, FileBackend) and not settings.DEBUG:
        return [
            checks.Warning(
                f"GRIDGOV_SMS_URL writes every SMS to a file in {backend.folder} with debug "
                "off: nobody receives them.",
                hint="Set GRIDGOV_SMS_URL to the SMS gateway (https://…, docs/MESSAGES.md), "
                "or to none when the site sends no SMS.",
                id="messaging.W001",
            )
        ]
    return []
