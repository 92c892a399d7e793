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

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import AuditEntry
from gridgov.accounts.services import audit_record, snapshot
from gridgov.people.models import Member, Resident, mask_phone
from gridgov.privacy.redaction import redact
from gridgov.privacy.tracing import (
    ERASED,
    MIN_PHONE_DIGITS,
    digits_of,
    person_models,
    phone_rows,
    pointer_models,
    trace,
)

# The person's own values in the audit snapshots of their record, erased whatever they hold.
RESIDENT_FIELDS = ("name", "phone", "birth_year", "gender")
MEMBER_FIELDS = ("name", "phone", "address", "location", "specialty", "service_intent",
                 "pledge", "report_reject_reason")


# Columns that are no one's personal data to hand out: credentials (an account's password hash,
# an API key's secret) stay out of a copy even when the row is the person's.
SECRET_COLUMNS = frozenset({"password", "secret_hash", "salt", "session_data"})


def _copy(row: models.Model) -> dict[str, Any]:
    return {k: v for k, v in snapshot(row).items() if k not in SECRET_COLUMNS}


def _related_rows(person: models.Model) -> dict[str, list[dict[str, Any]]]:
    """Every row of every model that points at ``person`` through a foreign key."""
    out: dict[str, list[dict[str, Any]]] = {}
    for rel in person._meta.related_objects:
        if not (rel.one_to_many or rel.one_to_one) or rel.related_model is AuditEntry:
            continue
        model = rel.related_model
        rows = model._default_manager.filter(**{rel.field.name: person}).order_by("pk")
        found = [_copy(row) for row in rows]
        if found:
            out.setdefault(model._meta.label_lower, []).extend(found)
    return out


def personal_data(*, resident: Resident | None = None, member: Member | None = None
                  ) -> dict[str, Any]:
    """Everything held about one person, as JSON-safe data."""
    person = resident or member
    if person is None or (resident is not None and member is not None):
        raise ValidationError(_("Name exactly one person: a resident or a member."))
    data: dict[str, Any] = {
        "kind": person._meta.label_lower,
        "record": snapshot(person),
        "related": _related_rows(person),
        "audit": [
            {"at": e.at.isoformat(), "actor": str(e.actor or ""), "action": e.action}
            for e in AuditEntry.objects.filter(object_type=person._meta.label_lower,
                                               object_id=str(person.pk)).order_by("at", "pk")
        ],
        "exported_at": timezone.now().isoformat(),
    }
    digits = digits_of(person.phone)
    if len(digits) >= MIN_PHONE_DIGITS:  # rows elsewhere carrying their number (Open311 …)
        carrying: dict[str, list[dict[str, Any]]] = {}
        for obj, _hits in phone_rows(digits):
            if obj != person and type(obj) not in pointer_models():
                carrying.setdefault(obj._meta.label_lower, []).append(_copy(obj))
        data["rows_with_phone"] = carrying
    if resident is not None:
        household = resident.household
        data["household"] = {"address": household.address, "room": household.room,
                             "grid_code": household.grid_code}
    return data


@transaction.atomic
def person_export(*, acting_user, resident: Resident | None = None,
                  member: Member | None = None) -> dict[str, Any]:
    """The person's copy of their data; the export itself is logged."""
    data = personal_data(resident=resident, member=member)
    audit_record(actor=acting_user, action="privacy.export", obj=resident or member)
    return data


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the person's data is erased (e.g. the "
                                           "person's request of a given date).")})
    return reason




def _counts(keys) -> dict[str, int]:
    out: dict[str, int] = {}
    for model, _pk in keys:
        out[model._meta.label_lower] = out.get(model._meta.label_lower, 0) + 1
    return dict(sorted(out.items()))


@transaction.atomic
def resident_erase(*, resident: Resident, acting_user, reason: str) -> dict[str, Any]:
    """Erase a resident: their name and phone wherever they lie (cases they raised keep the
    work done, with the requester shown as [erased]), then the record itself (and their
    vulnerability records). All or nothing."""
    reason = _require_reason(reason)
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    pk = resident.pk
    found = trace(person=resident, phone=resident.phone, names=(resident.name,))
    redacted = redact(found, own_fields=RESIDENT_FIELDS, skip=[resident])
    stand_in = Resident(pk=pk, household_id=resident.household_id, name=ERASED)
    try:
        resident.delete()
    except models.ProtectedError as e:
        raise ValidationError(_("Resident #%(pk)s is still referred to by %(what)s; "
                                "nothing was erased.")
                              % {"pk": pk, "what": ", ".join(sorted(
                                  {str(o._meta.verbose_name) for o in e.protected_objects}))}) \
            from e
    done = {"referring": _counts(found.referring), "redacted": dict(sorted(redacted.items()))}
    audit_record(actor=acting_user, action="privacy.erase", obj=stand_in,
                 after={"reason": reason, **done})
    return done


@transaction.atomic
def member_erase(*, member: Member, acting_user, reason: str) -> dict[str, Any]:
    """Anonymise a member in place and disable their login; their name and phone are
    replaced wherever they lie; their work stays on record."""
    reason = _require_reason(reason)
    member = Member.objects.select_for_update().get(pk=member.pk)
    user = member.user
    names = [member.name]
    if user is not None:
        names += [user.get_full_name(), f"{user.last_name}{user.first_name}"]
    found = trace(person=member, phone=member.phone, names=tuple(names))
    redacted = redact(found, own_fields=MEMBER_FIELDS, skip=[member])
    label = _("Erased member #%(pk)s") % {"pk": member.pk}
    Member.objects.filter(pk=member.pk).update(
        name=label[:50], phone="", phone_public=False, address="", location=None,
        compound=None, building=None, nearest_building=None, nearest_distance_m=None,
        specialty="", service_intent="", pledge="", report_reject_reason="", user=None)
    if user is not None:
        user.refresh_from_db()
        user.is_active = False
        user.username = f"erased-{member.pk}-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.set_unusable_password()
        user.save()
    member.name = label
    done = {"referring": _counts(found.referring), "redacted": dict(sorted(redacted.items()))}
    audit_record(actor=acting_user, action="privacy.erase", obj=member,
                 after={"reason": reason, **done})
    return done


def _phone_digits(phone: str) -> str:
    digits = digits_of(phone)
    if len(digits) < MIN_PHONE_DIGITS:
        raise ValidationError({"phone": _("Give the whole phone number (at least %(n)s "
                                          "digits).") % {"n": MIN_PHONE_DIGITS}})
    return digits


def _phone_audit(*, acting_user, action: str, digits: str, after=None) -> AuditEntry:
    """The audit row of a look at or an erasure of a number; it names the number masked."""
    return AuditEntry.objects.create(
        actor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        action=action, object_type="privacy.phone", object_id="",
        object_repr=mask_phone(digits), after=after)


@transaction.atomic
def phone_export(*, acting_user, phone: str) -> dict[str, Any]:
    """Everything held about someone known only by a phone number: every row of every table
    carrying it, the rows referring to those, and the changes recorded to them."""
    digits = _phone_digits(phone)
    rows: dict[str, list[dict[str, Any]]] = {}
    related: dict[str, list[dict[str, Any]]] = {}
    audit = []
    for obj, _hits in phone_rows(digits):
        if type(obj) in pointer_models():
            continue
        rows.setdefault(obj._meta.label_lower, []).append(_copy(obj))
        if type(obj) in person_models():
            continue  # a resident's or member's record: their own export holds the rest
        for label, found in _related_rows(obj).items():
            related.setdefault(label, []).extend(found)
        audit += [{"at": e.at.isoformat(), "actor": str(e.actor or ""), "action": e.action,
                   "object": f"{obj._meta.label_lower}:{obj.pk}"}
                  for e in AuditEntry.objects.filter(object_type=obj._meta.label_lower,
                                                     object_id=str(obj.pk)).order_by("at", "pk")]
    _phone_audit(acting_user=acting_user, action="privacy.export", digits=digits)
    return {"kind": "phone", "phone": digits, "rows": rows, "related": related,
            "audit": audit, "exported_at": timezone.now().isoformat()}


@transaction.atomic
def phone_erase(*, phone: str, acting_user, reason: str) -> dict[str, Any]:
    """Erase someone known only by a phone number: the number in every table, and the name
    given beside it (a case's requester_name) in those rows and the rows linked to them. A
    number that is a resident's or member's is erased with that person, not here."""
    reason = _require_reason(reason)
    digits = _phone_digits(phone)
    found = trace(phone=digits)
    owners = sorted(f"{model._meta.verbose_name} #{pk}" for model, pk in found.phone_rows
                    if model in person_models())
    if owners:
        raise ValidationError(_("The number belongs to %(who)s: erase that person instead "
                                "(it covers the number everywhere); nothing was erased.")
                              % {"who": ", ".join(owners)})
    redacted = redact(found)
    done = {"rows_with_phone": _counts(found.phone_rows),
            "redacted": dict(sorted(redacted.items()))}
    _phone_audit(acting_user=acting_user, action="privacy.erase", digits=digits,
                 after={"reason": reason, **done})
    return done
