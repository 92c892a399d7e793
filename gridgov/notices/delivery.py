"""How a notice leaves the site besides the in-app list: an SMS to the recipient's phone and
an e-mail to their address, queued in gridgov.messaging inside the notice's transaction (a
change that rolls back texts nobody). The words are the notice's, in the site's language,
with a link when ``GRIDGOV_SITE_URL`` is set.

A login account has no phone of its own: a user's phone is that of the member record linked
to their account (``Member.user``), when it is a mobile number. E-mail goes out when a mail
server is configured (``GRIDGOV_NOTICE_EMAIL``) to users with an address."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone, translation

from gridgov.grids.models import ServiceStation
from gridgov.messaging.backends import sms_available
from gridgov.messaging.models import Channel, Message
from gridgov.messaging.services import email_queue, sms_queue
from gridgov.notices.models import Notice
from gridgov.notices.texts import notice_text
from gridgov.people.models import Member
from gridgov.people.services import normalise_phone

REF = "notice:"  # a message's ``ref``: the notice it carries


def rendered(kind: str, params: dict) -> str:
    """What a notice of ``kind`` says, in the site's language (an SMS is read as written)."""
    with translation.override(settings.LANGUAGE_CODE):
        return notice_text(Notice(kind=kind, params=params))


def with_link(text: str, url: str) -> str:
    site = settings.GRIDGOV_SITE_URL
    return text + ("\n" + site.rstrip("/") + url if url and site else "")


def phones_of(users: Iterable) -> dict[int, str]:
    """user id -> the mobile number of the member record linked to that account."""
    ids = [u.pk for u in users]
    out = {}
    for user_id, phone in Member.objects.filter(user_id__in=ids).values_list("user_id", "phone"):
        digits = normalise_phone(phone)
        if digits:
            out[user_id] = digits
    return out


def notices_send(notices: list[Notice], *, sms: bool = False) -> list[Message]:
    """Queue each notice's e-mail (when configured) and, with ``sms``, its SMS."""
    queued: list[Message | None] = []
    email = settings.GRIDGOV_NOTICE_EMAIL
    phones = phones_of(n.user for n in notices) if sms and sms_available() else {}
    for notice in notices:
        text = rendered(notice.kind, notice.params)
        body = with_link(text, notice.url)
        ref = f"{REF}{notice.pk}"
        if email and notice.user.email:
            queued.append(
                email_queue(address=notice.user.email, subject=text[:150], text=body, ref=ref)
            )
        if notice.user_id in phones:
            queued.append(
                sms_queue(phone=phones[notice.user_id], text=body, key=notice.key, ref=ref)
            )
    return [m for m in queued if m is not None]


def sms_send(
    *, phone: str, kind: str, params: dict, url: str = "", key: str = "", ref: str = ""
) -> Message | None:
    """Queue an SMS of a notice's words to a number (someone who may have no login: the
    member a request is dispatched to). None when SMS is off or the number is no mobile."""
    digits = normalise_phone(phone)
    if not digits:
        return None
    return sms_queue(phone=digits, text=with_link(rendered(kind, params), url), key=key, ref=ref)


def message_sent(*, message: Message, **_payload: object) -> None:
    """A notice's e-mail left: the notice says when (its "emailed" time)."""
    if message.channel != Channel.EMAIL or not message.ref.startswith(REF):
        return
    pk = message.ref[len(REF) :]
    if pk.isdigit():
        Notice.objects.filter(pk=int(pk), emailed_at__isnull=True).update(emailed_at=timezone.now())


def community_phone(grid_code: str) -> str:
    """The number to call when the site cannot text (``sms_available()`` is False): the
    phone of the service station of the community holding ``grid_code``, or ""."""
    prefixes = [grid_code[:n] for n in range(1, len(grid_code) + 1)]
    return (
        ServiceStation.objects.filter(community__code__in=prefixes)
        .exclude(phone="")
        .order_by("name")
        .values_list("phone", flat=True)
        .first()
        or ""
    )
