"""What is public about members (docs/PRIVACY.md, "What is public about members"): who is
public at all (``Member.objects.public()``, the queryset here), and how their phone may be
shown (``public_phone``, ``public_tel``, ``mask_phone``). The one rule behind the members
API, the ``members`` export layer, the point lookup and the building-contact page.

Below gridgov.people.models (which takes its queryset from here): nothing of it is imported
at module level, so the models can import this module."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from gridgov.grids.models import GridRole

if TYPE_CHECKING:
    from gridgov.people.models import Member


class MemberQuerySet(models.QuerySet):
    def public(self, day: dt.date | None = None):
        """The members anyone may see (name, kind, specialty, pledge, masked phone, grids) —
        the one rule behind the members API, the ``members`` export layer, the point lookup
        and the building-contact page:

        - whoever holds a current public role (a grid role current on ``day``:
          ``GridRole.objects.current``, or the secretary of a community committee or
          compound branch), whatever their reporting status;
        - a member the community confirmed (双报到) who chose to be a public contact: the
          reporting form's "show my full number to residents of my building"
          (``phone_public``), the only such choice a member makes;
        - nobody else: nothing of an unreported, unconfirmed or rejected registration.

        Where the number may be shown whole is ``public_phone``'s to say."""
        from gridgov.people.models import OrgKind, PartyOrganisation, ReportStatus

        holders = GridRole.objects.current(day).values("member_id")
        secretaries = PartyOrganisation.objects.filter(
            kind__in=[OrgKind.COMMUNITY_COMMITTEE, OrgKind.COMPOUND_BRANCH], secretary__isnull=False
        ).values("secretary_id")
        confirmed = Q(report_status=ReportStatus.CONFIRMED, phone_public=True)
        return self.filter(Q(pk__in=holders) | Q(pk__in=secretaries) | confirmed)


def mask_phone(phone: str) -> str:
    """138****5678: keep the first 3 and last 4 digits of a number, mask the rest."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def _whole(member: Member, contact_page: bool) -> bool:
    """Whether a stranger may see the member's number whole: on the building-contact page
    only, and only when the member opted in."""
    return contact_page and member.phone_public


def public_phone(member: Member, *, contact_page: bool = False) -> str:
    """A public member's phone as a stranger may see it: whole only on the building-contact
    page (the finder: one building at a time, rate-limited, ``contact_page=True``) and only
    when the member opted in (``phone_public``); masked in every list, export and API
    answer. Who is public at all is ``Member.objects.public()``'s to say."""
    return member.phone if _whole(member, contact_page) else mask_phone(member.phone)


def public_tel(member: Member, *, contact_page: bool = False) -> str:
    """The number a stranger's phone may dial (a ``tel:`` link): ``public_phone`` when it
    is shown whole, else nothing (a masked number cannot be dialled)."""
    return member.phone if _whole(member, contact_page) else ""
