"""Writers of the three lists (三单): members' resources and the service list.

Confirming a match writes a ``ServiceListEntry`` and its audit row, and — when asked — hands
the case to the member through gridgov.cases.services.case_dispatch in the same transaction:
if the case cannot be dispatched, nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import shapely
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geodata.measure import distance_m
from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.cases.models import Case
from gridgov.cases.services import case_dispatch
from gridgov.people.models import Member, Resident
from gridgov.posts.errors import PostError
from gridgov.posts.lists.selectors import VULNERABILITY_CATEGORIES, WAITING_STATUSES
from gridgov.posts.models import EntryStatus, MemberResource, ServiceListEntry
from gridgov.posts.services import (
    as_date,
    not_future,
    require_manager,
    require_self_or_manager,
)
from gridgov.service.models import ServiceCategory

RESOURCE_FIELDS = frozenset({"category", "skill", "available_time", "active"})


# --- resources (资源清单) -------------------------------------------------------------------


def _check_category(category: ServiceCategory | None) -> None:
    if category is None:
        raise PostError({"category": _("Choose a service category.")})
    if not category.active:
        raise PostError(
            {"category": _("The service category %(c)s is no longer in use.") % {"c": category}}
        )


@transaction.atomic
def resource_create(
    *,
    member: Member,
    acting_user: Actor,
    category: ServiceCategory,
    skill: str,
    available_time: str = "",
) -> MemberResource:
    """A member offers a skill in a service category, at stated times."""
    require_self_or_manager(acting_user, member, member.grid_code, _("their resources"))
    _check_category(category)
    skill = (skill or "").strip()
    if not skill:
        raise PostError({"skill": _("%(member)s: say what skill is offered.") % {"member": member}})
    resource = MemberResource(
        member=member, category=category, skill=skill, available_time=(available_time or "").strip()
    )
    resource.full_clean()
    resource.save()
    audit_record(
        actor=acting_user, action="resource.create", obj=resource, after=snapshot(resource)
    )
    return resource


@transaction.atomic
def resource_update(
    *, resource: MemberResource, acting_user: Actor, **changes: Any
) -> MemberResource:
    bad = set(changes) - RESOURCE_FIELDS
    if bad:
        raise PostError(
            _("A resource's %(fields)s cannot be changed.") % {"fields": ", ".join(sorted(bad))}
        )
    resource = MemberResource.objects.select_for_update().get(pk=resource.pk)
    member = Member.objects.get(pk=resource.member_id)
    require_self_or_manager(acting_user, member, member.grid_code, _("their resources"))
    if "category" in changes:
        _check_category(changes["category"])
    if "skill" in changes:
        changes["skill"] = (changes["skill"] or "").strip()
        if not changes["skill"]:
            raise PostError(
                {"skill": _("%(member)s: say what skill is offered.") % {"member": member}}
            )
    before = snapshot(resource)
    for field, value in changes.items():
        setattr(resource, field, value)
    try:
        resource.full_clean()
    except ValidationError as exc:
        raise PostError(exc.message_dict) from exc
    resource.save()
    audit_record(
        actor=acting_user,
        action="resource.update",
        obj=resource,
        before=before,
        after=snapshot(resource),
    )
    return resource


# --- the service list (服务清单) -------------------------------------------------------------


def _metres(member: Member, point: Point | None) -> float | None:
    if member.location is None or point is None:
        return None
    return round(
        distance_m(
            shapely.Point(member.location.x, member.location.y), shapely.Point(point.x, point.y)
        ),
        1,
    )


@dataclass(frozen=True)
class _Need:
    """What a confirmed match records of the need it serves."""

    category: ServiceCategory
    label: str  # what a refusal names: the case number, or the resident's name
    grid_code: str
    point: Point | None


def _case_need(case: Case, category: ServiceCategory | None) -> tuple[Case, _Need]:
    """The case (read again with its service category) and its need; refused when the case
    is not on the needs list, needs another category, or is no longer waiting."""
    case = Case.objects.select_related("category__service_link__service_category").get(pk=case.pk)
    link = getattr(case.category, "service_link", None)
    if link is None:
        raise PostError(
            _(
                "Case %(number)s: its category %(c)s has no service category, "
                "so it is not on the needs list."
            )
            % {"number": case.number, "c": case.category}
        )
    if category is not None and category.pk != link.service_category_id:
        raise PostError(
            {
                "category": _("Case %(number)s needs %(need)s, not %(c)s.")
                % {"number": case.number, "need": link.service_category, "c": category}
            }
        )
    if case.status not in WAITING_STATUSES:
        raise PostError(
            _(
                "Case %(number)s is %(status)s: only a case still waiting for a "
                "member can be matched."
            )
            % {"number": case.number, "status": case.get_status_display()}
        )
    return case, _Need(link.service_category, case.number, case.grid_code, case.location)


def _survey_need(
    resident: Resident, category: ServiceCategory | None, *, dispatch: bool
) -> tuple[Resident, _Need]:
    """The surveyed resident (read again with their household) and their need in the
    category; refused when they were not surveyed with a need in it, or to be dispatched."""
    resident = Resident.objects.select_related("household").get(pk=resident.pk)
    if category is None:
        raise PostError({"category": _("Choose the service category of the need.")})
    surveyed = {
        VULNERABILITY_CATEGORIES.get(c)
        for c in resident.vulnerabilities.values_list("category", flat=True)
    }
    if category.code not in surveyed:
        raise PostError(
            {
                "category": _("%(resident)s was not surveyed with a need in %(c)s.")
                % {"resident": resident, "c": category}
            }
        )
    if dispatch:
        raise PostError({"dispatch": _("Only a need raised as a case can be dispatched.")})
    household = resident.household
    return resident, _Need(category, resident.name, household.grid_code, household.location)


@transaction.atomic
def service_entry_confirm(
    *,
    acting_user: Actor,
    member: Member,
    case: Case | None = None,
    resident: Resident | None = None,
    category: ServiceCategory | None = None,
    note: str = "",
    dispatch: bool = False,
) -> ServiceListEntry:
    """Staff confirm a match: a member with a resource in the need's service category will
    serve a need — an open case waiting for a member, or a surveyed resident in a category.
    ``dispatch`` also hands the case to the member (下单)."""
    if (case is None) == (resident is None):
        raise PostError(_("Choose exactly one need: a case or a surveyed resident."))
    if member is None:
        raise PostError({"member": _("Choose the member who will serve the need.")})
    if case is not None:
        case, need = _case_need(case, category)
    else:
        given = cast(Resident, resident)  # exactly one of case and resident: checked above
        resident, need = _survey_need(given, category, dispatch=dispatch)
    category = need.category
    require_manager(acting_user, need.grid_code, need.label)
    require_manager(acting_user, member.grid_code, str(member))
    if not MemberResource.objects.filter(member=member, category=category, active=True).exists():
        raise PostError(
            {"member": _("%(member)s offers nothing in %(c)s.") % {"member": member, "c": category}}
        )
    already = ServiceListEntry.objects.filter(member=member, status=EntryStatus.PLANNED)
    already = (
        already.filter(case=case)
        if case is not None
        else already.filter(resident=resident, category=category)
    )
    if already.exists():
        raise PostError(_("%(member)s is already planned for this need.") % {"member": member})
    entry = ServiceListEntry(
        case=case,
        resident=resident,
        category=category,
        member=member,
        grid_code=need.grid_code,
        distance_m=_metres(member, need.point),
        note=(note or "").strip(),
        planned_on=timezone.localdate(),
        created_by=account_of(acting_user),
    )
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:  # the same match confirmed twice at the same moment
        raise PostError(
            _("%(member)s is already planned for this need.") % {"member": member}
        ) from exc
    if dispatch and case is not None:  # (a survey need refused dispatch above)
        case_dispatch(
            case=case,
            member=member,
            acting_user=acting_user,
            note=entry.note or _("From the service list."),
        )
        entry.dispatched = True
        entry.save(update_fields=["dispatched"])
    audit_record(
        actor=acting_user, action="service_entry.confirm", obj=entry, after=snapshot(entry)
    )
    return entry


def _close_entry(
    entry: ServiceListEntry, *, acting_user: Actor, status: str, note: str, done_on: Any = None
) -> ServiceListEntry:
    entry = (
        ServiceListEntry.objects.select_for_update(of=("self",))
        .select_related("member", "category")
        .get(pk=entry.pk)
    )
    require_manager(acting_user, entry.grid_code, str(entry))
    if entry.status != EntryStatus.PLANNED:
        raise PostError(
            _("This service is already %(status)s.") % {"status": entry.get_status_display()}
        )
    before = snapshot(entry)
    if status == EntryStatus.DONE:
        day = as_date(done_on, "done_on", str(entry)) if done_on else timezone.localdate()
        not_future(day, "done_on", _("The date the service was done"))
        if day < entry.planned_on:
            raise PostError(
                {
                    "done_on": _(
                        "The service was planned on %(day)s: it cannot be done before that."
                    )
                    % {"day": entry.planned_on}
                }
            )
        entry.done_on = day
    entry.status = status
    note = (note or "").strip()
    if note:
        entry.note = f"{entry.note}\n{note}" if entry.note else note
    try:
        entry.full_clean()
    except ValidationError as exc:
        raise PostError(exc.messages) from exc
    entry.save()
    audit_record(
        actor=acting_user,
        action=f"service_entry.{status}",
        obj=entry,
        before=before,
        after=snapshot(entry),
    )
    return entry


@transaction.atomic
def service_entry_complete(
    *, entry: ServiceListEntry, acting_user: Actor, done_on: Any = None, note: str = ""
) -> ServiceListEntry:
    """The member served the need: planned → done, on a day."""
    return _close_entry(
        entry, acting_user=acting_user, status=EntryStatus.DONE, note=note, done_on=done_on
    )


@transaction.atomic
def service_entry_cancel(
    *, entry: ServiceListEntry, acting_user: Actor, reason: str
) -> ServiceListEntry:
    """A planned match will not happen (say why); the need gets suggestions again."""
    if not (reason or "").strip():
        raise PostError({"reason": _("Say why the planned service is cancelled.")})
    return _close_entry(entry, acting_user=acting_user, status=EntryStatus.CANCELLED, note=reason)
