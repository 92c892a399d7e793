"""PIPL rights of one person (个人信息保护法 第四十五、四十七条): a copy of everything held
about a resident or a member, and erasure.

The copy follows every relation that points at the person (whatever app defines it), so a
new model referring to residents or members is included without changing this module.
Erasure deletes a resident (their vulnerability records go with them), anonymises the cases
they raised, and redacts their values in the audit trail's snapshots; a member is anonymised
in place (their hours, posts and case history stay, as records of work done, under a name
that no longer identifies them) and their login is disabled. Both write an audit row that
says who did it, when, and why — without the erased values.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import AuditEntry
from gridgov.accounts.services import audit_record, snapshot
from gridgov.people.models import Member, Resident

ERASED = "[erased]"
RESIDENT_FIELDS = ("name", "phone", "birth_year", "gender")
MEMBER_FIELDS = ("name", "phone", "address", "location", "specialty", "service_intent",
                 "pledge", "report_reject_reason")
CASE_FIELDS = ("requester", "requester_name", "requester_phone")


def _related_rows(person: models.Model) -> dict[str, list[dict[str, Any]]]:
    """Every row of every model that points at ``person`` through a foreign key."""
    out: dict[str, list[dict[str, Any]]] = {}
    for rel in person._meta.related_objects:
        if not (rel.one_to_many or rel.one_to_one) or rel.related_model is AuditEntry:
            continue
        model = rel.related_model
        rows = model._default_manager.filter(**{rel.field.name: person}).order_by("pk")
        found = [snapshot(row) for row in rows]
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


def _redact(entries, fields, *, person: bool = True) -> int:
    """Replace the person's values in audit snapshots (and, for the person's own rows, the
    row's label) with a marker; the rows themselves — who did what, when — stay."""
    n = 0
    for entry in entries:
        changed = False
        for side in ("before", "after"):
            snap = getattr(entry, side)
            if not isinstance(snap, dict):
                continue
            for f in fields:
                for key in (f, f"{f}_id"):
                    if snap.get(key) not in (None, "", ERASED):
                        snap[key] = ERASED
                        changed = True
        label = ERASED if person else entry.object_repr
        if changed or label != entry.object_repr:
            AuditEntry.objects.filter(pk=entry.pk).update(before=entry.before,
                                                          after=entry.after,
                                                          object_repr=label)
            n += 1
    return n


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the person's data is erased (e.g. the "
                                           "person's request of a given date).")})
    return reason


@transaction.atomic
def resident_erase(*, resident: Resident, acting_user, reason: str) -> dict[str, int]:
    """Erase a resident: anonymise the cases they raised, redact the audit snapshots, delete
    the record (and their vulnerability records). All or nothing."""
    reason = _require_reason(reason)
    from gridgov.cases.models import Case

    pk = resident.pk
    cases = list(Case.objects.select_for_update().filter(requester=resident))
    for case in cases:
        Case.objects.filter(pk=case.pk).update(requester=None, requester_name=ERASED,
                                               requester_phone="")
    redacted = _redact(AuditEntry.objects.filter(object_type="people.resident",
                                                 object_id=str(pk)), RESIDENT_FIELDS)
    redacted += _redact(AuditEntry.objects.filter(
        object_type="cases.case", object_id__in=[str(c.pk) for c in cases]), CASE_FIELDS,
        person=False)
    stand_in = Resident(pk=pk, household_id=resident.household_id, name=ERASED)
    try:
        resident.delete()
    except models.ProtectedError as e:
        raise ValidationError(_("Resident #%(pk)s is still referred to by %(what)s; "
                                "nothing was erased.")
                              % {"pk": pk, "what": ", ".join(sorted(
                                  {o._meta.verbose_name for o in e.protected_objects}))}) \
            from e
    audit_record(actor=acting_user, action="privacy.erase", obj=stand_in,
                 after={"reason": reason, "cases_anonymised": len(cases)})
    return {"cases": len(cases), "audit_entries": redacted}


@transaction.atomic
def member_erase(*, member: Member, acting_user, reason: str) -> dict[str, int]:
    """Anonymise a member in place and disable their login; their work stays on record."""
    reason = _require_reason(reason)
    member = Member.objects.select_for_update().get(pk=member.pk)
    label = _("Erased member #%(pk)s") % {"pk": member.pk}
    Member.objects.filter(pk=member.pk).update(
        name=label[:50], phone="", phone_public=False, address="", location=None,
        compound=None, building=None, nearest_building=None, nearest_distance_m=None,
        specialty="", service_intent="", pledge="", report_reject_reason="", user=None)
    if member.user_id:
        user = member.user
        user.is_active = False
        user.username = f"erased-{member.pk}-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.set_unusable_password()
        user.save()
    redacted = _redact(AuditEntry.objects.filter(object_type="people.member",
                                                 object_id=str(member.pk)), MEMBER_FIELDS)
    member.name = label
    audit_record(actor=acting_user, action="privacy.erase", obj=member,
                 after={"reason": reason})
    return {"audit_entries": redacted}
