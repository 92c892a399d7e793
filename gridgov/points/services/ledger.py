"""Writers of the ledger: earn (activities), adjust (corrections), and the demo reset.
Entries are only ever added."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor
from gridgov.accounts.services import audit_record, snapshot
from gridgov.people.models import Member
from gridgov.points.errors import PointsNotAllowed
from gridgov.points.models import EntryKind, LedgerEntry, MallItem, Redemption
from gridgov.points.selectors import hours_in_year, may_keep_points, points_balance
from gridgov.points.services.locks import REASON_MAX, _lock_member, _user


def points_for_hours(hours: Decimal) -> int:
    """Points earned for confirmed hours (GRIDGOV_POINTS_PER_HOUR per hour, rounded down)."""
    return int(Decimal(hours) * settings.GRIDGOV_POINTS_PER_HOUR)


# --- the ledger -----------------------------------------------------------------------


@transaction.atomic
def ledger_earn(
    *,
    member: Member,
    hours: Decimal,
    reason: str,
    source: str,
    occurred_on: dt.date,
    acting_user: Actor,
    points: int | None = None,
) -> LedgerEntry:
    """Credit confirmed volunteer hours (and their points) once per source."""
    hours = Decimal(hours)
    if hours <= 0:
        raise ValidationError({"hours": _("Hours must be more than zero.")})
    if source and LedgerEntry.objects.filter(kind=EntryKind.EARN, source=source).exists():
        raise ValidationError({"source": _("These hours have already been credited.")})
    entry = LedgerEntry.objects.create(
        member=member,
        kind=EntryKind.EARN,
        hours=hours,
        points=points_for_hours(hours) if points is None else points,
        reason=reason,
        source=source,
        occurred_on=occurred_on,
        created_by=_user(acting_user),
    )
    audit_record(actor=acting_user, action="ledger_earn", obj=entry, after=snapshot(entry))
    return entry


def _h(hours: Decimal) -> str:
    """Hours as people write them: 5, 1.5, 0.25 (the backends return 5 or 5.00)."""
    return format(Decimal(hours).quantize(Decimal("0.01")).normalize(), "f")


def _decimal_hours(value: object) -> Decimal:
    try:
        hours = Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise ValidationError({"hours": _("Hours must be a number, e.g. 1.5 or -2.")}) from None
    try:
        exact = hours.is_finite() and hours == hours.quantize(Decimal("0.01"))
    except InvalidOperation:  # more digits than a decimal holds (1e308)
        exact = False
    if not exact:
        raise ValidationError({"hours": _("Hours are recorded to two decimals at most.")})
    if abs(hours) >= 100000:
        raise ValidationError({"hours": _("Hours must be less than 100,000.")})
    return hours


def _whole_points(value: object) -> int:
    try:
        points = int(str(value).strip() or "0")
    except ValueError:
        raise ValidationError(
            {"points": _("Points must be a whole number, e.g. 20 or -5.")}
        ) from None
    if abs(points) >= 10**9:
        raise ValidationError({"points": _("Points must be less than a billion.")})
    return points


@transaction.atomic
def ledger_adjust(
    *,
    member: Member,
    hours: Decimal | int | float | str,
    points: int | str,
    reason: str,
    acting_user: Actor,
    occurred_on: dt.date | None = None,
) -> LedgerEntry:
    """A correction: a new ``adjust`` entry (hours and/or points, either sign) with the reason
    why. It may not take the member's points below zero, nor their hours in the year of
    ``occurred_on`` (today by default) below zero."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the ledger is being adjusted.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}}
        )
    hours, points = _decimal_hours(hours), _whole_points(points)
    if not hours and not points:
        raise ValidationError(
            {"hours": _("An adjustment changes hours, points or both: both are zero.")}
        )
    today = timezone.localdate()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise ValidationError(
            {"occurred_on": _("The date of an adjustment cannot be in the future.")}
        )
    if not may_keep_points(acting_user, member):
        raise PointsNotAllowed(
            _("%(user)s may not adjust the ledger of %(member)s: they are outside their grids.")
            % {"user": acting_user, "member": member}
        )
    member = _lock_member(member)
    balance = points_balance(member)
    if balance + points < 0:
        raise ValidationError(
            {
                "points": _(
                    "%(member)s has %(balance)s points: taking away %(take)s would leave a "
                    "negative balance."
                )
                % {"member": member, "balance": balance, "take": -points}
            }
        )
    year_hours = hours_in_year(member, occurred_on.year)
    if year_hours + hours < 0:
        raise ValidationError(
            {
                "hours": _(
                    "%(member)s has %(have)s hours in %(year)s: taking away %(take)s would leave "
                    "fewer than zero."
                )
                % {
                    "member": member,
                    "have": _h(year_hours),
                    "year": occurred_on.year,
                    "take": _h(-hours),
                }
            }
        )
    entry = LedgerEntry.objects.create(
        member=member,
        kind=EntryKind.ADJUST,
        hours=hours,
        points=points,
        reason=reason,
        occurred_on=occurred_on,
        created_by=_user(acting_user),
    )
    audit_record(actor=acting_user, action="ledger_adjust", obj=entry, after=snapshot(entry))
    return entry


# --- demo reset -----------------------------------------------------------------------


@transaction.atomic
def points_reset_all() -> None:
    """Remove every redemption, mall item and ledger entry: only for ``load_demo --reset``,
    after the rows that refer to ledger entries (activities' records) are gone.

    The ledger's triggers refuse row deletes, so inside this one transaction (DDL is
    transactional on both backends) they are switched off, the rows deleted and the triggers
    switched back on: PostgreSQL disables and re-enables them; SQLite drops them and
    re-creates them from their stored SQL."""
    Redemption.objects.all().delete()
    MallItem.objects.all().delete()
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred FK checks are pending: check them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER points_ledger_immutable")
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER points_ledger_immutable")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [LedgerEntry._meta.db_table],
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
        cursor.execute(f"DELETE FROM {table}")
        for _name, sql in triggers:
            cursor.execute(sql)
