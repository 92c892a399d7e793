"""Where a person's data lies, found generically (no list of tables to forget one in):

- the rows of every model that point at the person through a relation, and the rows that
  point at those (a case they raised, then its events and service-list entries);
- every row of every table with a text or JSON column holding their phone number;
- the rows that name one of those rows by a unique handle (a case number in a notice's
  link and parameters, in a patrol finding);
- the audit trail's rows and the admin log's entries about any of them.

``trace()`` returns those rows loaded, with the person's name(s) and phone; redaction.py
then replaces the person's values in them. A row of another person (another resident or
member) is never taken in through a relation: only their own phone field, if it holds the
same number, is touched.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext

from gridgov.accounts.models import AuditEntry
from gridgov.accounts.services import object_type
from gridgov.people.services import normalise_phone

ERASED = "[erased]"
MIN_PHONE_DIGITS = 7  # shorter "numbers" (110, 12345) are not a person's; never erased everywhere
MIN_HANDLE = 6  # a unique value shorter than this is too likely to occur by chance
DEPTH = 2  # rows pointing at the person (1), rows pointing at those (2)
CHUNK = 200

Key = tuple[type[models.Model], Any]  # (model, pk)


def person_models() -> tuple[type[models.Model], ...]:
    from gridgov.people.models import Member, Resident

    return (Resident, Member)


def pointer_models() -> tuple[type[models.Model], ...]:
    """Tables that refer to any row by type and id: the audit trail and the admin log."""
    return (AuditEntry, LogEntry)


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns a person's name or phone can be written into."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        and not f.primary_key
        and not f.choices
    ]


def all_models() -> list[type[models.Model]]:
    return [
        m for m in apps.get_models() if m._meta.managed and not m._meta.proxy and text_fields(m)
    ]


def phone_regex(digits: str) -> re.Pattern[str]:
    """The number in free text: with or without +86 / 0086, a space, dash or dot between any
    two digits, not inside a longer number."""
    body = "[ .-]?".join(re.escape(d) for d in digits)
    return re.compile(rf"(?<!\d)(?:(?:\+|00)?86[ .-]?)?{body}(?!\d)")


def phone_pieces(digits: str) -> tuple[str, ...]:
    """What the database is asked for before the regex confirms: the number's first three
    and last four digits, both in one column. Those stay together in every usual spelling
    (138 0013 8000, 138-0013-8000, +86 13800138000, 0757-12345678), where the whole number
    in one piece would miss the spaced and dashed ones."""
    return (digits[:3], digits[-4:]) if len(digits) > 7 else (digits,)


def placeholders() -> set[str]:
    """Names that are not a person's: the marker and "anonymous" in every language."""
    out = {"", ERASED}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out.add(gettext("anonymous"))
    return out


@dataclass
class Trace:
    """The rows holding a person's data. ``wholesale`` names, per row, the fields that
    describe the person as a whole (a case's requester_name and requester_phone when the
    case points at them or carries their number): those are erased, not searched."""

    person: models.Model | None
    phone: str  # digits, or "" when there is none worth searching for
    names: set[str] = field(default_factory=set)
    rows: dict[Key, models.Model] = field(default_factory=dict)
    wholesale: dict[Key, set[str]] = field(default_factory=lambda: defaultdict(set))
    phone_rows: set[Key] = field(default_factory=set)
    referring: set[Key] = field(default_factory=set)  # rows pointing at the person

    def add(self, obj: models.Model) -> bool:
        key = (type(obj), obj.pk)
        if key in self.rows:
            return False
        self.rows[key] = obj
        return True

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return phone_regex(self.phone) if self.phone else None


Needle = str | tuple[str, ...]  # a term, or pieces that must all be in one column


def _search(model: type[models.Model], terms: list[Needle]) -> models.QuerySet:
    """Rows of ``model`` with one of ``terms`` in a text column (JSON read as text)."""
    qs = model._base_manager.all()
    q = models.Q()
    for f in text_fields(model):
        column = f.name
        if isinstance(f, models.JSONField):
            column = f"_text_{f.name}"
            qs = qs.annotate(**{column: Cast(f.name, models.TextField())})
        for term in terms:
            pieces = (term,) if isinstance(term, str) else term
            both = models.Q()
            for piece in pieces:
                both &= models.Q(**{f"{column}__contains": piece})
            q |= both
    return qs.filter(q)


def rows_containing(terms: list[Needle]) -> list[models.Model]:
    """Every row of every table holding one of ``terms`` somewhere in its text."""
    found = []
    for model in all_models():
        for i in range(0, len(terms), CHUNK):
            found.extend(_search(model, terms[i : i + CHUNK]))
    return found


def _texts(obj: models.Model) -> list[tuple[models.Field, Any]]:
    return [(f, getattr(obj, f.attname)) for f in text_fields(type(obj))]


def _flat(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def phone_rows(digits: str) -> list[tuple[models.Model, list[tuple[models.Field, Any]]]]:
    """Every row of every table holding the number, with the fields that hold it."""
    pattern = phone_regex(digits)
    out = []
    for obj in rows_containing([phone_pieces(digits)]):
        hits = [(f, v) for f, v in _texts(obj) if v is not None and pattern.search(_flat(v))]
        if hits:
            out.append((obj, hits))
    return out


def _take_phone_rows(trace: Trace) -> None:
    """Rows carrying the number: each is the person's. A field that holds nothing but the
    number is a phone field; its partner ``<prefix>name`` names the person (a case's
    requester_name beside requester_phone), unless the row is another person's record."""
    pattern = trace.pattern
    names_skip = placeholders()
    for obj, hits in phone_rows(trace.phone):
        model, key = type(obj), (type(obj), obj.pk)
        if key == (type(trace.person), getattr(trace.person, "pk", None)):
            continue
        trace.add(obj)
        trace.phone_rows.add(key)
        by_name = {f.name: f for f in text_fields(model)}
        for f, v in hits:
            if not (isinstance(v, str) and pattern.fullmatch(v.strip())):
                continue
            trace.wholesale[key].add(f.name)
            if model in person_models():
                continue
            partner = (
                by_name.get(f.name[: -len("phone")] + "name") if f.name.endswith("phone") else None
            )
            if partner is not None:
                trace.wholesale[key].add(partner.name)
                name = (getattr(obj, partner.attname) or "").strip()
                if name not in names_skip and len(name) >= 2:
                    trace.names.add(name)


def _name(value: Any) -> str:
    value = value.strip() if isinstance(value, str) else ""
    return value if len(value) >= 2 else ""


def _describing(fk: models.Field, parent: type[models.Model]) -> tuple[str, ...]:
    """The prefixes of the columns describing the row a foreign key points at: ``requester_``
    for ``requester`` (requester_name, requester_phone), and for a key to a login account
    named ``<x>_user`` the same ``<x>_`` (a case's requester_user: its requester_name)."""
    out = [fk.name + "_"]
    if parent._meta.label == settings.AUTH_USER_MODEL and fk.name.endswith("_user"):
        out.append(fk.name[: -len("user")])
    return tuple(out)


def _account_rows(user: models.Model, trace: Trace) -> list[models.Model]:
    """Rows naming a login account by its username rather than a key (django-axes' login
    attempts and logs): every table with a ``username`` column but the accounts' own."""
    out = []
    username = getattr(user, user.USERNAME_FIELD, "") or ""
    if not username:
        return out
    for model in all_models():
        if model is type(user):
            continue
        if any(f.name == "username" for f in text_fields(model)):
            for row in model._base_manager.filter(username=username):
                trace.wholesale[(model, row.pk)].add("username")
                if trace.add(row):
                    out.append(row)
    return out


def _children(objs: list[models.Model], trace: Trace, *, direct: bool) -> list[models.Model]:
    """Rows pointing at ``objs`` through a foreign key (rows of other people excepted)."""
    out = []
    skip = placeholders() if direct else set()
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for obj in objs:
        if type(obj) not in pointer_models():
            by_model[type(obj)].append(obj)
    for model, parents in by_model.items():
        pks = [p.pk for p in parents]
        for rel in model._meta.get_fields(include_hidden=True):  # related_name="+" too
            if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
                continue
            child_model = rel.related_model
            if child_model in person_models() or child_model in pointer_models():
                continue  # other people's records; the pointers are found by type and id
            for i in range(0, len(pks), CHUNK):
                rows = child_model._base_manager.filter(
                    **{f"{rel.field.name}__in": pks[i : i + CHUNK]}
                )
                prefixes = _describing(rel.field, model)
                for row in rows:
                    if direct:
                        _describes(trace, row, prefixes, skip)
                    if trace.add(row):
                        out.append(row)
    return out + _own_audit_rows(objs, trace)


def _own_audit_rows(objs: list[models.Model], trace: Trace) -> list[models.Model]:
    """The audit trail's rows written by the person's own account belong to the person too."""
    out = []
    for user in (o for o in objs if o._meta.label == settings.AUTH_USER_MODEL):
        for rel_model, fk in ((AuditEntry, "actor"), (LogEntry, "user")):
            for row in rel_model._base_manager.filter(**{fk: user}):
                if trace.add(row):
                    out.append(row)
    return out


def _describes(trace: Trace, row: models.Model, prefixes: tuple[str, ...], skip: set[str]) -> None:
    """A row pointing straight at the person: its fields that describe them (``prefixes``)
    are theirs wholesale."""
    key = (type(row), row.pk)
    trace.referring.add(key)
    describing = [f for f in text_fields(type(row)) if f.name.startswith(prefixes)]
    trace.wholesale[key].update(f.name for f in describing)
    # the name it gives the person (requester_name) is theirs: scrubbed
    # from the rows linked to them too (the case's events, its notices)
    trace.names.update(
        n
        for n in (_name(getattr(row, f.attname)) for f in describing if f.name.endswith("name"))
        if n not in skip
    )


def _handles(objs: list[models.Model]) -> list[str]:
    """Unique values that name a row elsewhere in free text (a case's number)."""
    out = set()
    for obj in objs:
        for f in text_fields(type(obj)):
            value = getattr(obj, f.attname)
            if f.unique and isinstance(value, str) and len(value) >= MIN_HANDLE:
                out.add(value)
    return sorted(out)


def _handle_regex(handles: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(h) for h in sorted(handles, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def _take_named(trace: Trace, objs: list[models.Model]) -> None:
    handles = _handles(objs)
    if not handles:
        return
    pattern = _handle_regex(handles)
    for obj in rows_containing(handles):
        if type(obj) in person_models() or (type(obj), obj.pk) in trace.rows:
            continue
        if any(v is not None and pattern.search(_flat(v)) for _f, v in _texts(obj)):
            trace.add(obj)


def _take_pointers(trace: Trace) -> None:
    """The audit trail's rows and the admin log's entries about every row found."""
    ids: dict[type[models.Model], list[str]] = defaultdict(list)
    for (model, pk), _obj in list(trace.rows.items()):
        if model not in pointer_models():
            ids[model].append(str(pk))
    types = ContentType.objects.get_for_models(*ids) if ids else {}
    for model, pks in ids.items():
        for i in range(0, len(pks), CHUNK):
            chunk = pks[i : i + CHUNK]
            for row in AuditEntry.objects.filter(
                object_type=object_type(model), object_id__in=chunk
            ):
                trace.add(row)
            for row in LogEntry.objects.filter(content_type=types[model], object_id__in=chunk):
                trace.add(row)


def trace(
    *, person: models.Model | None = None, phone: str = "", names: tuple[str, ...] = ()
) -> Trace:
    """Every row holding the person's data (see the module's docstring)."""
    digits = normalise_phone(phone, mobile=False)
    found = Trace(person=person, phone=digits if len(digits) >= MIN_PHONE_DIGITS else "")
    found.names.update(
        n.strip() for n in names if n and n.strip() not in placeholders() and len(n.strip()) >= 2
    )
    roots: list[models.Model] = []
    if person is not None:
        found.add(person)
        roots.append(person)
        for f in person._meta.concrete_fields:
            if getattr(person, f.attname) is None or not f.is_relation:
                continue
            if f.one_to_one:  # the person's own account: followed like the person
                own = getattr(person, f.name)
                found.add(own)
                roots.append(own)
            elif f.remote_field.on_delete is models.CASCADE:
                # the record the person is part of (their household): not followed, but its
                # audit rows and admin log entries (which name inline rows) are searched
                found.add(getattr(person, f.name))
    if found.phone:
        _take_phone_rows(found)
    carrying = [
        found.rows[k]
        for k in sorted(found.phone_rows, key=lambda k: (k[0]._meta.label, str(k[1])))
        if k[0] not in person_models()
    ]
    # rows pointing at the person, or at their own login account (a case they raised while
    # logged in: requester_user), are theirs: what describes them there goes wholesale
    level = _children(roots, found, direct=True)
    for account in roots[1:]:
        if account._meta.label == settings.AUTH_USER_MODEL:
            level += _account_rows(account, found)
    level += _children(carrying, found, direct=False)
    near = roots + carrying + level
    for _depth in range(1, DEPTH):
        level = _children(level, found, direct=False)
    _take_named(found, near)
    _take_pointers(found)
    return found
