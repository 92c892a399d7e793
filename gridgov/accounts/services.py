"""The audit trail: every service writes one row in the same transaction as its change."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import models

from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.models import AuditEntry


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The stored fields of a row as JSON-safe values (geometry as EWKT)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(value, GEOSGeometry):
            value = value.ewkt
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        data[field.attname] = value
    return data


def object_type(model: models.Model | type[models.Model]) -> str:
    """What the audit trail calls a model: its label ("people.member"), or for a model moved
    to another app the label its rows were written under before (``audit_object_type`` on
    the model), so that a table's old and new rows read as one."""
    return getattr(model, "audit_object_type", "") or model._meta.label_lower


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one write. Call inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=account_of(actor),
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )


def access_record(
    *, actor: Actor, action: str, model: type[models.Model], object_id: str = "", what: str = ""
) -> AuditEntry:
    """Record that someone looked at or exported personal data (who, when, what): a view of
    one record (``object_id``) or a list or export (``what`` says which filter or file)."""
    return AuditEntry.objects.create(
        actor=account_of(actor),
        action=action,
        object_type=object_type(model),
        object_id=str(object_id),
        object_repr=what[:200],
    )
