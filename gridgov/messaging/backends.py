"""Where a message leaves the site.

SMS goes through the backend ``GRIDGOV_SMS_URL`` names:

- ``none`` (or unset): no SMS. ``sms_available()`` is False; features that would text
  someone say so and show the community's phone instead, and nothing is queued.
- ``file:///absolute/folder``: one UTF-8 text file per message in that folder (to, channel,
  time, subject, text): for development and trials (``make run`` writes ``var/outbox/``).
  ``check --deploy`` warns when it is used with debug off (messaging.W001).
- ``http://…`` or ``https://…``: an SMS gateway answering the JSON POST described in
  docs/MESSAGES.md. The token comes from the URL's user part
  (``https://TOKEN@sms.intranet/send``) or ``GRIDGOV_SMS_TOKEN``; each request waits at most
  ``GRIDGOV_SMS_TIMEOUT`` seconds.

E-mail goes through Django's ``EMAIL_BACKEND`` (``GRIDGOV_EMAIL_URL``).

A backend's ``send`` returns the provider's id (or "") or raises ``SendError``; the queue
(services.py) decides what happens next. A ``cheap`` backend (a file, a local mail backend)
is used right after the commit that queued the message; the others wait for the scheduler."""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

# Mail backends that do not leave the machine: sending through them in the request's
# after-commit is cheap.
LOCAL_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)
# HTTP answers that will not change on a retry (a malformed request, a refused number).
RETRYABLE_4XX = frozenset({408, 425, 429})


class SendError(Exception):
    """A message could not be sent. ``permanent``: retrying will not help."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Outgoing(Protocol):
    """What a backend reads of a message (a ``Message`` row)."""

    pk: int
    channel: str
    to: str
    subject: str
    body: str
    created_at: dt.datetime


class SmsBackend:
    cheap = False

    def send(self, message: Outgoing) -> str:
        raise NotImplementedError


class FileBackend(SmsBackend):
    """One file per message, named by its time and id (sending a message again rewrites
    its file, never adds a second)."""

    cheap = True

    def __init__(self, folder: Path):
        self.folder = folder

    def path_for(self, message: Outgoing) -> Path:
        at = timezone.localtime(message.created_at)
        return self.folder / f"{at:%Y%m%d-%H%M%S}-{message.pk:06d}-{message.channel}.txt"

    def send(self, message: Outgoing) -> str:
        lines = [
            f"To: {message.to}",
            f"Channel: {message.channel}",
            f"Time: {timezone.localtime():%Y-%m-%d %H:%M:%S %z}",
            f"Message: {message.pk}",
        ]
        if message.subject:
            lines.append(f"Subject: {message.subject}")
        text = "\n".join(lines) + "\n\n" + message.body + "\n"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path_for(message), text)
        except OSError as e:
            raise SendError(f"{type(e).__name__}: {e}") from e
        return ""


def write_atomically(path: Path, text: str) -> None:
    """Write a whole file or nothing: a reader never sees half a message."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class HttpBackend(SmsBackend):
    """POST {"id", "to", "text"} as JSON to the gateway; any 2xx answer is success (its
    JSON "id", if any, is kept as the provider's id). Timeouts, connection errors, 5xx,
    408 and 429 are retried later; other 4xx answers fail the message for good."""

    def __init__(self, url: str, *, token: str = "", timeout: float = 10.0):
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, message: Outgoing) -> str:
        payload = {"id": f"gridgov-{message.pk}", "to": message.to, "text": message.body}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "User-Agent": "GridGov",
            },
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read(65536)
        except urllib.error.HTTPError as e:
            permanent = 400 <= e.code < 500 and e.code not in RETRYABLE_4XX
            detail = e.read(300).decode("utf-8", "replace").strip()
            raise SendError(f"HTTP {e.code} {detail}".strip(), permanent=permanent) from e
        except (urllib.error.URLError, OSError) as e:  # refused, unreachable, timed out
            reason = getattr(e, "reason", e)
            raise SendError(f"{type(e).__name__}: {reason}") from e
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            return ""
        return str(data.get("id", ""))[:100] if isinstance(data, dict) else ""


def parse_sms_url(url: str) -> SmsBackend | None:
    """The backend a ``GRIDGOV_SMS_URL`` names (None: no SMS). Raises ImproperlyConfigured
    for anything else."""
    url = (url or "").strip()
    if url.lower() in ("", "none"):
        return None
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not path.startswith("/"):
            raise ImproperlyConfigured(
                f"GRIDGOV_SMS_URL={url!r}: a file outbox is file:///absolute/folder"
            )
        return FileBackend(Path(path))
    if parts.scheme in ("http", "https") and parts.hostname:
        token = unquote(parts.password or parts.username or "") or getattr(
            settings, "GRIDGOV_SMS_TOKEN", ""
        )
        netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if parts.port:
            netloc += f":{parts.port}"
        clean = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        return HttpBackend(clean, token=token, timeout=getattr(settings, "GRIDGOV_SMS_TIMEOUT", 10))
    raise ImproperlyConfigured(
        f"GRIDGOV_SMS_URL={url!r}: use none, file:///folder, or http(s)://gateway/path"
    )


def sms_backend() -> SmsBackend | None:
    """The SMS backend of the current settings (None: no SMS)."""
    return parse_sms_url(getattr(settings, "GRIDGOV_SMS_URL", "none"))


def sms_available() -> bool:
    """Whether the site can text anyone. Features that would send an SMS ask this, and
    when it is False say so and show the community's phone instead."""
    try:
        return sms_backend() is not None
    except ImproperlyConfigured:
        return False


class EmailSender:
    """Django's mail backend, one connection per sending pass."""

    def __init__(self) -> None:
        self._connection: Any = None

    @property
    def cheap(self) -> bool:
        return settings.EMAIL_BACKEND in LOCAL_EMAIL_BACKENDS

    def send(self, message: Outgoing) -> str:
        try:
            if self._connection is None:
                self._connection = get_connection()
                self._connection.open()
            EmailMessage(
                subject=message.subject,
                body=message.body,
                to=[message.to],
                connection=self._connection,
            ).send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as e:
            raise SendError(f"recipient refused: {e}", permanent=True) from e
        except (smtplib.SMTPException, OSError) as e:
            self.close()
            raise SendError(f"{type(e).__name__}: {e}") from e
        return ""

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # a broken connection is dropped either way
                pass
            self._connection = None
