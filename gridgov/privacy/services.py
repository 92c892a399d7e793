"""PIPL rights of one person (个人信息保护法 第四十五、四十七条): a copy of everything held
about a resident or a member, and erasure.

The copy follows every relation that points at the person (whatever app defines it), so a
new model referring to residents or members is included without changing this module.
Erasure finds the person's data wherever it lies (tracing.py: every relation, their phone
number in every table, their name in the rows linked to them, the audit trail and admin log
about those rows, notices naming those rows) and replaces it (redaction.py); then a resident
is deleted (their vulnerability records go with them) and a member is anonymised in place
(their hours, posts and case history stay, as records of work done, under a name that no
longer identifies them) with their login disabled. Someone known only by a phone number
(an Open311 request) is reached through the number alone. Each erasure is one transaction and
writes an audit row that says who did it, when, and why — without the erased values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.models import AuditEntry
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.models import GridRole
from gridgov.people.models import Member, Resident, mask_phone
from gridgov.people.services import normalise_phone
from gridgov.privacy.outbox import outbox_erased, take_outbox
from gridgov.privacy.redaction import redact, touched
from gridgov.privacy.tracing import (
    ERASED,
    MIN_PHONE_DIGITS,
    Trace,
    person_models,
    pointer_models,
    trace,
)

# The person's own values in the audit snapshots of their record, erased whatever they hold.
RESIDENT_FIELDS = ("name", "phone", "birth_year", "gender")
MEMBER_FIELDS = (
    "name",
    "phone",
    "address",
    "location",
    "specialty",
    "service_intent",
    "pledge",
    "report_reject_reason",
)


# Columns that are no one's personal data to hand out: credentials (an account's password hash,
# an API key's secret) stay out of a copy even when the row is the person's.
SECRET_COLUMNS = frozenset({"password", "secret_hash", "salt", "session_data"})


def _copy(row: models.Model) -> dict[str, Any]:
    return {k: v for k, v in snapshot(row).items() if k not in SECRET_COLUMNS}


def person_trace(person: Resident | Member) -> Trace:
    """Every row held about a resident or member: what erasure changes, and what their copy
    holds (one walk, tracing.trace, for both). A member's names include their login's."""
    names = [person.name]
    user = getattr(person, "user", None)
    if user is not None:
        names += [user.get_full_name(), f"{user.last_name}{user.first_name}", user.get_username()]
    found = trace(person=person, phone=person.phone, names=tuple(names))
    take_outbox(found, emails=[user.email] if user is not None else [])
    return found


def _content_type(pk: int | None) -> ContentType | None:
    return ContentType.objects.get_for_id(pk) if pk else None


def _pointer_copy(row: models.Model) -> dict[str, Any]:
    """An audit row or admin log entry as a copy lists it: when, by whom, what, about which
    row (not its snapshots, which hold other people's values too)."""
    if isinstance(row, AuditEntry):
        return {
            "at": row.at.isoformat(),
            "actor": str(row.actor or ""),
            "action": row.action,
            "object": f"{row.object_type}:{row.object_id}",
        }
    log = cast(LogEntry, row)  # the other pointer model (tracing.pointer_models)
    return {
        "at": log.action_time.isoformat(),
        "actor": str(log.user or ""),
        "action": "admin."
        + {1: "add", 2: "change", 3: "delete"}.get(log.action_flag, str(log.action_flag)),
        "object": f"{ct.app_label}.{ct.model}:{log.object_id}"
        if (ct := _content_type(log.content_type_id))
        else "",
    }


def _copy_of(found: Trace, *, skip: models.Model | None = None) -> dict[str, Any]:
    """The rows found, grouped by table: ``related`` (every row erasure would touch but the
    audit trail and admin log), ``rows_with_phone`` (those carrying the number) and
    ``audit`` (the audit trail's and the admin log's rows among them)."""
    related: dict[str, list[dict[str, Any]]] = {}
    carrying: dict[str, list[dict[str, Any]]] = {}
    audit = []
    own = (type(skip), skip.pk) if skip is not None else None
    for key in sorted(found.rows, key=lambda k: (k[0]._meta.label_lower, str(k[1]))):
        model, row = key[0], found.rows[key]
        if key == own:
            continue
        if model in pointer_models():
            audit.append(_pointer_copy(row))
            continue
        related.setdefault(model._meta.label_lower, []).append(_copy(row))
        if key in found.phone_rows:
            carrying.setdefault(model._meta.label_lower, []).append(_copy(row))
    audit.sort(key=lambda a: (a["at"], a["object"], a["action"]))
    return {"related": related, "rows_with_phone": carrying, "audit": audit}


def personal_data(
    *, resident: Resident | None = None, member: Member | None = None
) -> dict[str, Any]:
    """Everything held about one person, as JSON-safe data: every row erasure would touch
    (the same walk), the changes recorded to them, and the rows carrying their number."""
    person = resident or member
    if person is None or (resident is not None and member is not None):
        raise ValidationError(_("Name exactly one person: a resident or a member."))
    data: dict[str, Any] = {
        "kind": person._meta.label_lower,
        "record": snapshot(person),
        **_copy_of(person_trace(person), skip=person),
        "exported_at": timezone.now().isoformat(),
    }
    if resident is not None:
        household = resident.household
        data["household"] = {
            "address": household.address,
            "room": household.room,
            "grid_code": household.grid_code,
        }
    return data


@transaction.atomic
def person_export(
    *, acting_user: Actor, resident: Resident | None = None, member: Member | None = None
) -> dict[str, Any]:
    """The person's copy of their data; the export itself is logged."""
    data = personal_data(resident=resident, member=member)
    person = resident or member
    assert person is not None  # personal_data refuses a call naming nobody
    audit_record(actor=acting_user, action="privacy.export", obj=person)
    return data


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "reason": _(
                    "Say why the person's data is erased (e.g. the "
                    "person's request of a given date)."
                )
            }
        )
    return reason


def _counts(keys: Iterable[tuple[type[models.Model], Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for model, _pk in keys:
        out[model._meta.label_lower] = out.get(model._meta.label_lower, 0) + 1
    return dict(sorted(out.items()))


@transaction.atomic
def resident_erase(*, resident: Resident, acting_user: Actor, reason: str) -> dict[str, Any]:
    """Erase a resident: their name and phone wherever they lie (cases they raised keep the
    work done, with the requester shown as [erased]), then the record itself (and their
    vulnerability records). All or nothing."""
    reason = _require_reason(reason)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    pk = resident.pk
    found = person_trace(resident)
    redacted = redact(found, own_fields=RESIDENT_FIELDS, skip=[resident])
    outbox_erased(found)
    stand_in = Resident(pk=pk, household_id=resident.household_id, name=ERASED)
    try:
        resident.delete()
    except models.ProtectedError as e:
        raise ValidationError(
            _("Resident #%(pk)s is still referred to by %(what)s; nothing was erased.")
            % {
                "pk": pk,
                "what": ", ".join(sorted({str(o._meta.verbose_name) for o in e.protected_objects})),
            }
        ) from e
    done = {"referring": _counts(found.referring), "redacted": dict(sorted(redacted.items()))}
    audit_record(
        actor=acting_user, action="privacy.erase", obj=stand_in, after={"reason": reason, **done}
    )
    return done


@transaction.atomic
def member_erase(*, member: Member, acting_user: Actor, reason: str) -> dict[str, Any]:
    """Anonymise a member in place and disable their login; their name and phone are
    replaced wherever they lie; their work stays on record."""
    reason = _require_reason(reason)
    member = Member.objects.select_for_update().get(pk=member.pk)
    user = member.user
    found = person_trace(member)
    redacted = redact(found, own_fields=MEMBER_FIELDS, skip=[member])
    outbox_erased(found)
    label = _("Erased member #%(pk)s") % {"pk": member.pk}
    Member.objects.filter(pk=member.pk).update(
        name=label[:50],
        phone="",
        phone_public=False,
        address="",
        location=None,
        compound=None,
        building=None,
        nearest_building=None,
        nearest_distance_m=None,
        specialty="",
        service_intent="",
        pledge="",
        report_reject_reason="",
        user=None,
        **touched(Member),
    )
    roles = _end_roles(member)
    if user is not None:
        user.refresh_from_db()
        user.is_active = False
        user.username = f"erased-{member.pk}-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.set_unusable_password()
        user.save()
    member.name = label
    done = {
        "referring": _counts(found.referring),
        "redacted": dict(sorted(redacted.items())),
        **roles,
    }
    audit_record(
        actor=acting_user, action="privacy.erase", obj=member, after={"reason": reason, **done}
    )
    return done


def _end_roles(member: Member) -> dict[str, list[dict[str, Any]]]:
    """An erased member holds no public role (building leader …) from today: "Erased member
    #N" is nobody's contact. A term begun before today ends yesterday (its history stays);
    one beginning today or later was never served and is withdrawn."""
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    ended, withdrawn = [], []
    holding = (
        GridRole.objects.select_for_update()
        .select_related("grid")
        .filter(member=member)
        .filter(models.Q(until__isnull=True) | models.Q(until__gte=today))
        .order_by("pk")
    )
    for role in holding:
        entry = {
            "id": role.pk,
            "grid": role.grid.code,
            "role": role.role,
            "since": role.since.isoformat(),
        }
        if role.since <= yesterday:
            GridRole.objects.filter(pk=role.pk).update(until=yesterday)
            ended.append({**entry, "until": yesterday.isoformat()})
        else:
            GridRole.objects.filter(pk=role.pk).delete()
            withdrawn.append(entry)
    out = {}
    if ended:
        out["roles_ended"] = ended
    if withdrawn:
        out["roles_withdrawn"] = withdrawn
    return out


def _phone_digits(phone: str) -> str:
    digits = normalise_phone(phone, mobile=False)
    if len(digits) < MIN_PHONE_DIGITS:
        raise ValidationError(
            {
                "phone": _("Give the whole phone number (at least %(n)s digits).")
                % {"n": MIN_PHONE_DIGITS}
            }
        )
    return digits


def _phone_audit(
    *, acting_user: Actor, action: str, digits: str, after: dict[str, Any] | None = None
) -> AuditEntry:
    """The audit row of a look at or an erasure of a number; it names the number masked."""
    return AuditEntry.objects.create(
        actor=account_of(acting_user),
        action=action,
        object_type="privacy.phone",
        object_id="",
        object_repr=mask_phone(digits),
        after=after,
    )


@transaction.atomic
def phone_export(*, acting_user: Actor, phone: str) -> dict[str, Any]:
    """Everything held about someone known only by a phone number: every row erasure by the
    number would touch (the same walk): the rows carrying it, the rows referring to those,
    and the changes recorded to them."""
    digits = _phone_digits(phone)
    found = trace(phone=digits)
    copy = _copy_of(found)
    rows = copy.pop("rows_with_phone")
    related = {
        label: [r for r in found_rows if r not in rows.get(label, [])]
        for label, found_rows in copy.pop("related").items()
    }
    _phone_audit(acting_user=acting_user, action="privacy.export", digits=digits)
    return {
        "kind": "phone",
        "phone": digits,
        "rows": rows,
        "related": {k: v for k, v in related.items() if v},
        **copy,
        "exported_at": timezone.now().isoformat(),
    }


@transaction.atomic
def phone_erase(*, phone: str, acting_user: Actor, reason: str) -> dict[str, Any]:
    """Erase someone known only by a phone number: the number in every table, and the name
    given beside it (a case's requester_name) in those rows and the rows linked to them. A
    number that is a resident's or member's is erased with that person, not here."""
    reason = _require_reason(reason)
    digits = _phone_digits(phone)
    found = trace(phone=digits)
    owners = sorted(
        f"{model._meta.verbose_name} #{pk}"
        for model, pk in found.phone_rows
        if model in person_models()
    )
    if owners:
        raise ValidationError(
            _(
                "The number belongs to %(who)s: erase that person instead "
                "(it covers the number everywhere); nothing was erased."
            )
            % {"who": ", ".join(owners)}
        )
    redacted = redact(found)
    outbox_erased(found)
    done = {
        "rows_with_phone": _counts(found.phone_rows),
        "redacted": dict(sorted(redacted.items())),
    }
    _phone_audit(
        acting_user=acting_user,
        action="privacy.erase",
        digits=digits,
        after={"reason": reason, **done},
    )
    return done
