"""Writers of the ledger. Entries are only ever added."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.accounts.services import audit_record, snapshot
from gridgov.people.models import Member
from gridgov.points.models import EntryKind, LedgerEntry


def points_for_hours(hours: Decimal) -> int:
    """Points earned for confirmed hours (GRIDGOV_POINTS_PER_HOUR per hour, rounded down)."""
    return int(Decimal(hours) * settings.GRIDGOV_POINTS_PER_HOUR)


@transaction.atomic
def ledger_earn(*, member: Member, hours: Decimal, reason: str, source: str,
                occurred_on: dt.date, acting_user, points: int | None = None) -> LedgerEntry:
    """Credit confirmed volunteer hours (and their points) once per source."""
    hours = Decimal(hours)
    if hours <= 0:
        raise ValidationError({"hours": _("Hours must be more than zero.")})
    if source and LedgerEntry.objects.filter(kind=EntryKind.EARN, source=source).exists():
        raise ValidationError({"source": _("These hours have already been credited.")})
    entry = LedgerEntry.objects.create(
        member=member, kind=EntryKind.EARN, hours=hours,
        points=points_for_hours(hours) if points is None else points,
        reason=reason, source=source, occurred_on=occurred_on,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    audit_record(actor=acting_user, action="ledger_earn", obj=entry, after=snapshot(entry))
    return entry
