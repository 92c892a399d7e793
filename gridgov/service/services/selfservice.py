"""Writers of members' self-organised service (自主服务): the member submits what they did
with a photo as evidence; community staff of the place confirm it (then, and only then, it
credits the ledger, once: source ``service.selfservice:<id>``) or reject it with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.placement import apply_placement, locate_one
from gridgov.people.models import Member
from gridgov.people.services import check_point
from gridgov.photos.pipeline import CleanPhoto, photo_clean, photo_delete, photo_save
from gridgov.points.services import ledger_earn
from gridgov.service.access import may_review
from gridgov.service.errors import NotAllowed, ServiceError
from gridgov.service.models import SelfService, SelfServiceStatus, ServiceCategory
from gridgov.service.services.guards import require_member
from gridgov.service.services.inputs import parse_hours
from gridgov.service.services.times import when

MOST_HOURS = Decimal("24")
PHOTO_FOLDER = "service/self"  # MEDIA_ROOT/service/self/<year>/<month>/<random>.jpg|png


def _place(record: SelfService, location: Point | None, errors: dict) -> None:
    if location is None:
        errors["location"] = _(
            "Say where the service took place (or give your home "
            "address's location in your member record)."
        )
        return
    try:
        check_point(location, label=_("The place"))
    except ValidationError as exc:
        errors["location"] = exc.message_dict["location"][0]
        return
    record.location = Point(location.x, location.y, srid=4326)
    placement = locate_one(record.location)
    if not len(placement.community) or not placement.community[0]:
        errors["location"] = _(
            "The place (%(x).6f, %(y).6f) lies outside every community: "
            "no community could confirm the service there."
        ) % {"x": location.x, "y": location.y}
        return
    apply_placement(record, placement)


def _photo(photo: UploadedFile | None, errors: dict[str, str]) -> CleanPhoto | None:
    """The evidence photo checked and re-encoded (gridgov.photos), not stored yet."""
    if photo is None:
        errors["photo"] = _("Attach a photo of the service as evidence.")
        return None
    try:
        return photo_clean(photo, field="photo", label=_("Photo"))
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return None


def selfservice_submit(
    *,
    member: Member,
    acting_user: Actor,
    description: str,
    served_on: dt.date,
    hours: Any,
    category: ServiceCategory,
    photo: UploadedFile | None,
    location: Point | None = None,
    address: str = "",
) -> SelfService:
    """Submit a self-organised service with a photo. The place defaults to the member's
    home; it must lie in a community (whose staff confirm it). The photo goes through the
    photo pipeline (checked, re-encoded without its metadata) and is stored under a random
    name; if anything fails after it was stored, it is removed again."""
    if member is None:
        raise NotAllowed(
            _("Your account is not linked to a party member: ask your community to link it.")
        )
    require_member(
        member,
        acting_user,
        _("%(user)s may only submit their own service.") % {"user": acting_user},
    )
    errors: dict[str, str] = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Say what you did.")
    today = timezone.localdate()
    if not isinstance(served_on, dt.date):
        errors["served_on"] = _("Give the date of the service.")
    elif served_on > today:
        errors["served_on"] = _("The service date %(date)s is in the future.") % {
            "date": served_on.isoformat()
        }
    try:
        value = parse_hours(hours, most=MOST_HOURS, why=_("one day"))
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        value = None
    if category is None:
        errors["category"] = _("Choose a service category.")
    elif not category.active:
        errors["category"] = _("Category %(c)s is no longer in use.") % {"c": category}
    clean = _photo(photo, errors)
    record = SelfService(
        member=member,
        description=description,
        served_on=served_on,
        category=category,
        address=address or "",
        photo_kind=clean.kind if clean else "",
        status=SelfServiceStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    if value is not None:
        record.hours = value
    _place(record, location if location is not None else member.location, errors)
    if errors or clean is None:
        raise ValidationError(errors)
    storage = SelfService._meta.get_field("photo").storage
    stored = None
    try:
        with transaction.atomic():
            stored = photo_save(clean, folder=PHOTO_FOLDER, storage=storage).name
            record.photo = stored
            record.full_clean()
            record.save()
            audit_record(
                actor=acting_user, action="selfservice.submit", obj=record, after=snapshot(record)
            )
    except BaseException:
        if stored:
            photo_delete(stored, storage=storage)
        raise
    return record


def _load(record: SelfService) -> SelfService:
    return (
        SelfService.objects.select_for_update(of=("self",))
        .select_related("member", "category")
        .get(pk=record.pk)
    )


def _review_checks(record: SelfService, acting_user: Actor) -> None:
    if acting_user is not None:
        if not may_review(acting_user, record):
            raise NotAllowed(
                _(
                    "%(user)s may not review service at %(code)s: only the staff "
                    "of its community may."
                )
                % {"user": acting_user, "code": record.grid_code}
            )
        if record.member.user_id == acting_user.pk:
            raise NotAllowed(_("You cannot review your own service."))
    if record.status != SelfServiceStatus.SUBMITTED:
        raise ServiceError(
            _("This service of %(member)s was already %(status)s on %(at)s.")
            % {
                "member": record.member,
                "status": record.get_status_display(),
                "at": when(record.reviewed_at),
            }
        )


def _decide(record: SelfService, acting_user: Actor, now: dt.datetime, **fields: Any) -> None:
    done = SelfService.objects.filter(pk=record.pk, status=SelfServiceStatus.SUBMITTED).update(
        reviewed_at=now, reviewed_by=account_of(acting_user), **fields
    )
    if not done:
        latest = SelfService.objects.select_related("member").get(pk=record.pk)
        _review_checks(latest, None)
        raise ServiceError(_("The service changed while it was being reviewed: try again."))


@transaction.atomic
def selfservice_confirm(*, record: SelfService, acting_user: Actor) -> SelfService:
    """社区确认: the hours count. Credits the ledger once, dated the day of the service."""
    record = _load(record)
    _review_checks(record, acting_user)
    before, now = snapshot(record), timezone.now()
    _decide(record, acting_user, now, status=SelfServiceStatus.CONFIRMED)
    entry = ledger_earn(
        member=record.member,
        hours=record.hours,
        reason=f"{record.category.name} · {record.description}"[:200],
        source=record.ledger_source,
        occurred_on=record.served_on,
        acting_user=acting_user,
    )
    SelfService.objects.filter(pk=record.pk).update(ledger_entry=entry)
    record.refresh_from_db()
    audit_record(
        actor=acting_user,
        action="selfservice.confirm",
        obj=record,
        before=before,
        after=snapshot(record),
    )
    return record


@transaction.atomic
def selfservice_reject(*, record: SelfService, acting_user: Actor, reason: str) -> SelfService:
    """Not confirmed, with the reason the member sees. No hours."""
    record = _load(record)
    _review_checks(record, acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "reason": _("Say why the service of %(member)s is rejected.")
                % {"member": record.member}
            }
        )
    before, now = snapshot(record), timezone.now()
    _decide(record, acting_user, now, status=SelfServiceStatus.REJECTED, reject_reason=reason)
    record.refresh_from_db()
    audit_record(
        actor=acting_user,
        action="selfservice.reject",
        obj=record,
        before=before,
        after=snapshot(record),
    )
    return record
