"""Replacing a person's values in the rows ``tracing.trace()`` found, in place.

In every text and JSON column of those rows the person's phone number (in any of its
spellings) and their name(s) become ``[erased]``; a column holding nothing but the number is
emptied when it may be blank. Fields that describe the person as a whole (a case's
requester_name and requester_phone) are erased whatever they hold. The audit trail keeps its
rows — who did what, when — with the person's values in the snapshots replaced, and the
label of a row that was the person's own record replaced by the marker. A photo in those
rows (a gridgov.photos column: it may show the person or their home) is removed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.admin.models import LogEntry
from django.db import models
from django.utils import timezone

from gridgov.accounts.models import AuditEntry
from gridgov.accounts.services import object_type
from gridgov.photos.fields import photo_fields
from gridgov.photos.pipeline import photo_delete_on_commit
from gridgov.privacy.tracing import ERASED, Trace, text_fields


def scrubber(trace: Trace) -> Callable[[str], str]:
    """A function replacing the person's phone and names in a piece of text."""
    names = sorted((n for n in trace.names if len(n) >= 2), key=len, reverse=True)
    # a Latin name or login name ("wangfang") not inside a longer Latin word or number; a
    # Chinese name wherever it stands (no spaces between words)
    name_re = (
        re.compile(
            "|".join(
                rf"(?<![A-Za-z0-9]){re.escape(n)}(?![A-Za-z0-9])" if n.isascii() else re.escape(n)
                for n in names
            )
        )
        if names
        else None
    )
    pattern = trace.pattern

    def scrub(text: str) -> str:
        if pattern is not None:
            text = pattern.sub(ERASED, text)
        if name_re is not None:
            text = name_re.sub(ERASED, text)
        return text

    return scrub


def scrub_json(value: Any, scrub: Callable[[str], str], digits: str) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_json(v, scrub, digits) for v in value]
    if isinstance(value, dict):
        return {k: scrub_json(v, scrub, digits) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool) and digits and str(value) == digits:
        return ERASED
    return value


def _scrub_text(value: str, scrub: Callable[[str], str], digits: str) -> str:
    """Free text; a text column holding JSON (the admin log's change message, which names
    inline rows, \\u-escaped) is read as JSON so that escaped names are found too."""
    if value[:1] in "[{":
        try:
            decoded = json.loads(value)
        except ValueError:
            pass
        else:
            cleaned = scrub_json(decoded, scrub, digits)
            if cleaned != decoded:
                value = json.dumps(cleaned, ensure_ascii=value.isascii())
    return scrub(value)


def _unique(f: models.Field, model: type[models.Model]) -> bool:
    """Whether the column's values must differ from row to row, alone or with others
    (django-axes' login attempts: username, address and browser together)."""
    together = [set(t) for t in model._meta.unique_together]
    together += [
        set(c.fields)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    ]
    return f.unique or any(f.name in names for names in together)


def touched(model: type[models.Model]) -> dict[str, Any]:
    """The columns ``save()`` would stamp with the time (auto_now): an erasure writes through
    ``update()``, and readers that watch ``updated_at`` (the locate index's fingerprint)
    must see the change."""
    now = timezone.now()
    return {f.attname: now for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}


def _fit(f: models.Field, obj: models.Model, old: str, new: str) -> str:
    if _unique(f, type(obj)) and new != old:
        new = f"{ERASED}{obj.pk}"  # a marker alone would collide with the next erased row
    limit = getattr(f, "max_length", None)
    return new[:limit] if limit else new


def _erase_whole(f: models.Field, value: Any) -> Any:
    if value in (None, "", ERASED):
        return value
    if isinstance(f, models.JSONField):
        return None if f.null else {}
    return "" if f.blank and f.name.endswith("phone") else ERASED


def _erase_snapshot_keys(snap: Any, keys: Iterable[str]) -> Any:
    if not isinstance(snap, dict):
        return snap
    return {
        k: (ERASED if k in keys and v not in (None, "", ERASED) else v) for k, v in snap.items()
    }


def redact_row(
    obj: models.Model, trace: Trace, scrub: Callable[[str], str], wholesale: set[str]
) -> dict[str, Any]:
    """The changed values of one row (column name -> new value)."""
    changes: dict[str, Any] = {}
    for f in text_fields(type(obj)):
        old = getattr(obj, f.attname)
        if f.name in wholesale:
            new = _erase_whole(f, old)
        elif old in (None, ""):
            continue
        elif isinstance(f, models.JSONField):
            new = scrub_json(old, scrub, trace.phone)
        else:
            new = _scrub_text(old, scrub, trace.phone)
            if (
                new.strip() == ERASED
                and trace.pattern is not None
                and trace.pattern.fullmatch(old.strip())
                and f.blank
            ):
                new = ""  # a phone column: emptied, not marked
        if new != old:
            changes[f.attname] = _fit(f, obj, old, new) if isinstance(new, str) else new
    return changes


def _photos_removed(obj: models.Model) -> dict[str, Any]:
    """The row's photo columns emptied; their files are deleted once the erasure commits."""
    changes: dict[str, Any] = {}
    for f in photo_fields(type(obj)):
        name = getattr(obj, f.attname).name
        if name:
            changes[f.attname] = ""
            photo_delete_on_commit(name, storage=f.storage)
    return changes


def _about(trace: Trace) -> dict[tuple[str, str], tuple[bool, set[str]]]:
    """For each row found, keyed as the audit trail names it (type, id): whether it is the
    person's own record, and which snapshot keys describe the person."""
    person = trace.person
    out = {}
    for (model, pk), _obj in trace.rows.items():
        keys = set(trace.wholesale.get((model, pk), ()))
        if person is not None:
            keys.update(
                f.attname
                for f in model._meta.concrete_fields
                if f.is_relation
                and f.related_model is type(person)
                and getattr(_obj, f.attname) == person.pk
            )
        out[(object_type(model), str(pk))] = (False, keys)
    return out


def redact(
    trace: Trace, *, own_fields: tuple[str, ...] = (), skip: Iterable[models.Model] = ()
) -> Counter:
    """Replace the person's values in every row found (except ``skip``: the person's own
    record, which the caller deletes or anonymises). Returns rows changed per table."""
    scrub = scrubber(trace)
    about = _about(trace)
    person = trace.person
    if person is not None:
        own = (object_type(person), str(person.pk))
        about[own] = (True, set(own_fields))
    skipped = {(type(o), o.pk) for o in skip}
    done: Counter = Counter()
    for key, obj in trace.rows.items():
        if key in skipped:
            continue
        model = type(obj)
        changes = redact_row(obj, trace, scrub, trace.wholesale.get(key, set()))
        changes.update(_photos_removed(obj))
        if model is AuditEntry or model is LogEntry:
            target = (
                (obj.object_type, obj.object_id)
                if model is AuditEntry
                else (_label(obj.content_type_id), obj.object_id)
            )
            is_own, keys = about.get(target, (False, set()))
            if model is AuditEntry and keys:
                for side in ("before", "after"):
                    current = changes.get(side, getattr(obj, side))
                    cleaned = _erase_snapshot_keys(current, keys)
                    if cleaned != getattr(obj, side):
                        changes[side] = cleaned
            if is_own and obj.object_repr != ERASED:
                changes["object_repr"] = ERASED
        if changes:
            model._base_manager.filter(pk=obj.pk).update(**changes, **touched(model))
            done[model._meta.label_lower] += 1
    return done


def _label(content_type_id: int | None) -> str:
    from django.contrib.contenttypes.models import ContentType

    if content_type_id is None:
        return ""
    ct = ContentType.objects.get_for_id(content_type_id)
    model = ct.model_class()  # named as the audit trail names it (a moved model: its old name)
    return object_type(model) if model is not None else f"{ct.app_label}.{ct.model}"
