"""Writers of members, households and residents. Saving a point locates it in all three levels.

Also the member side of dual reporting (双报到): online registration with the home community,
correction and resubmission, the community's confirmation or rejection. The unit side (unit
organisations, agreements, deadlines) is in gridgov.people.unit_services."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.location import apply_placement, locate_one
from gridgov.grids.models import Grid, Located
from gridgov.people.models import (
    REPORT_TRANSITIONS,
    CoBuildingUnit,
    Gender,
    Household,
    Member,
    MemberKind,
    OrgKind,
    PartyOrganisation,
    ReportAction,
    ReportEvent,
    ReportStatus,
    Resident,
    UnitReport,
)
from gridgov.people.selectors import covers_community


def point_from(lon: Any, lat: Any, *, label: str) -> Point:
    """A WGS84 point from user input, refusing non-numbers and out-of-range coordinates."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            {
                "location": _("%(who)s: longitude and latitude must be numbers, got %(x)r, %(y)r.")
                % {"who": label, "x": lon, "y": lat}
            }
        ) from exc
    check_point(Point(x, y, srid=4326), label=label)
    return Point(x, y, srid=4326)


def check_point(point: Point | None, *, label: str) -> None:
    if point is None:
        return
    if point.srid not in (None, 4326):
        point.transform(4326)
    x, y = point.x, point.y
    if not (-180 <= x <= 180) or not (-90 <= y <= 90) or x != x or y != y:
        raise ValidationError(
            {
                "location": _(
                    "%(who)s: coordinates out of range (longitude -180..180, latitude "
                    "-90..90): %(x)s, %(y)s."
                )
                % {"who": label, "x": x, "y": y}
            }
        )


def _locate(obj: Located) -> None:
    check_point(obj.location, label=str(obj))
    if obj.location is not None:
        obj.location.srid = 4326
    placement = locate_one(obj.location)
    if len(placement.building):
        apply_placement(obj, placement)
    else:
        for name in (
            "community_id",
            "compound_id",
            "building_id",
            "nearest_building_id",
            "nearest_distance_m",
            "located_at",
        ):
            setattr(obj, name, None)
        obj.grid_code = ""


def _create(model, *, acting_user, action: str, fields: dict[str, Any]):
    obj = model(**fields)
    if isinstance(obj, Located):
        _locate(obj)
    obj.full_clean()
    obj.save()
    audit_record(actor=acting_user, action=action, obj=obj, after=snapshot(obj))
    return obj


def _update(obj, *, acting_user, action: str, changes: dict[str, Any]):
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    before = snapshot(obj)
    for field, value in changes.items():
        setattr(obj, field, value)
    if isinstance(obj, Located) and ("location" in changes or obj.located_at is None):
        _locate(obj)
    obj.full_clean()
    obj.save()
    audit_record(actor=acting_user, action=action, obj=obj, before=before, after=snapshot(obj))
    return obj


@transaction.atomic
def member_create(*, acting_user, **fields) -> Member:
    """Register a member; their home point is located in community, compound and building."""
    return _create(Member, acting_user=acting_user, action="member.create", fields=fields)


@transaction.atomic
def member_update(*, member: Member, acting_user, **changes) -> Member:
    return _update(member, acting_user=acting_user, action="member.update", changes=changes)


@transaction.atomic
def household_create(*, acting_user, **fields) -> Household:
    return _create(Household, acting_user=acting_user, action="household.create", fields=fields)


@transaction.atomic
def household_update(*, household: Household, acting_user, **changes) -> Household:
    return _update(household, acting_user=acting_user, action="household.update", changes=changes)


@transaction.atomic
def resident_create(*, acting_user, **fields) -> Resident:
    return _create(Resident, acting_user=acting_user, action="resident.create", fields=fields)


# --- dual reporting (双报到) ---------------------------------------------------------------
# A member registers online with their home community (the point locates them), corrects
# and resubmits; the community confirms or rejects with a reason. Each step writes the
# member, one ReportEvent and one audit row in one transaction, or nothing.


class ReportingError(ValidationError):
    """A refused reporting step; nothing was written."""

    def __init__(self, message, *, code: str = "reporting"):
        super().__init__(message, code=code)

    @property
    def text(self) -> str:
        return " ".join(self.messages)


class ReportingTransitionError(ReportingError):
    """The step is not allowed from the current status."""


class ReportingNotAllowed(ReportingError):
    """The acting user may not take this step (outside their scope, not their record)."""


MOBILE = re.compile(r"1[3-9][0-9]{9}")
SUBMITTED_FIELDS = frozenset(
    {
        "name",
        "gender",
        "phone",
        "phone_public",
        "kind",
        "work_unit",
        "unit_organisation",
        "address",
        "location",
        "specialty",
        "service_intent",
        "pledge",
    }
)


def normalise_phone(text: str, *, mobile: bool = True) -> str:
    """A mainland mobile number as 11 ASCII digits (full-width digits read, spaces, dashes,
    dots, brackets and +86 / 0086 dropped), or "". With ``mobile=False`` any number (a
    landline, 0757-12345678) is read the same way and given as its digits, or "" when the
    text is not a number. The one reading of a phone number: forms, services that store a
    number (cases.services.case_create) and erasure's search (privacy.tracing) use it."""
    digits = re.sub(r"[\s\-().]", "", unicodedata.normalize("NFKC", text or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86") and MOBILE.fullmatch(digits[2:]):
        digits = digits[2:]
    if mobile:
        return digits if MOBILE.fullmatch(digits) else ""
    return digits if digits.isascii() and digits.isdigit() else ""


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _check_details(fields: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """What the member submits, checked field by field (all problems at once)."""

    def need(name: str, message: str) -> None:
        value = fields.get(name)
        if isinstance(value, str):
            value = value.strip()
            fields[name] = value
        if not value:
            errors.setdefault(name, []).append(message)

    need("name", _("Enter your name."))
    need("address", _("Enter your home address."))
    if "phone" in fields:
        phone = normalise_phone(fields["phone"])
        if not phone:
            errors.setdefault("phone", []).append(
                _("Enter an 11-digit mobile number, e.g. 13912345678 (you typed %(p)r).")
                % {"p": fields["phone"]}
            )
        fields["phone"] = phone
    kind, unit, org = fields.get("kind"), fields.get("work_unit"), fields.get("unit_organisation")
    if kind not in MemberKind.values:
        errors.setdefault("kind", []).append(_("Choose what kind of member you are."))
    if kind == MemberKind.IN_SERVICE and unit is None:
        errors.setdefault("work_unit", []).append(_("An in-service member names their work unit."))
    if org is not None:
        if org.kind != OrgKind.UNIT_ORG:
            errors.setdefault("unit_organisation", []).append(
                _("%(org)s is not a unit party organisation.") % {"org": org}
            )
        elif unit is None or org.unit_id != unit.pk:
            errors.setdefault("unit_organisation", []).append(
                _("%(org)s belongs to %(unit)s, not to the work unit you chose.")
                % {"org": org, "unit": org.unit}
            )
    if fields.get("gender") not in Gender.values:
        errors.setdefault("gender", []).append(_("Choose female or male."))


def _home_placement(location: Point | None, errors: dict[str, list[str]]):
    """Locate the home point; a point in no community is refused (no community to report
    to). Returns the placement, or None with an error recorded."""
    if location is None:
        errors.setdefault("location", []).append(
            _(
                "Mark your home on the map, use your phone's location, or type an address we "
                "can find."
            )
        )
        return None
    try:
        check_point(location, label=_("Home"))
    except ValidationError as exc:
        errors.setdefault("location", []).extend(exc.messages)
        return None
    location = Point(location.x, location.y, srid=4326)
    placement = locate_one(location)
    if not len(placement.community) or not placement.community[0]:
        errors.setdefault("location", []).append(
            _(
                "Your home (%(x).6f, %(y).6f) lies outside every community of this platform: "
                "check the point on the map, or report to the community where you live "
                "directly."
            )
            % {"x": location.x, "y": location.y}
        )
        return None
    return placement


def record_report_step(
    *,
    member: Member | None = None,
    unit_report: UnitReport | None = None,
    acting_user,
    action: str,
    from_status: str,
    to_status: str,
    note: str,
    at: dt.datetime,
    before: dict | None,
    audit_action: str,
) -> None:
    obj = member if member is not None else unit_report
    ReportEvent.objects.create(
        member=member,
        unit_report=unit_report,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        actor=_actor(acting_user),
        at=at,
    )
    audit_record(
        actor=acting_user, action=audit_action, obj=obj, before=before, after=snapshot(obj)
    )


def _roster_entry(phone: str, name: str, errors: dict[str, list[str]]) -> Member | None:
    """A member record the unit or community entered before (same phone and name, no login,
    never reported) is taken over by the registration instead of being duplicated."""
    same = list(Member.objects.select_for_update().filter(phone=phone))
    if not same:
        return None
    claimable = [
        m
        for m in same
        if m.user_id is None and m.name == name and m.report_status == ReportStatus.NOT_REPORTED
    ]
    if len(same) == 1 and claimable:
        return claimable[0]
    errors.setdefault("phone", []).append(
        _(
            "The mobile number %(p)s already belongs to a member record. Log in if you "
            "registered before, or ask your community to correct the record."
        )
        % {"p": phone}
    )
    return None


def _new_account(username: str, password: str, name: str, errors: dict[str, list[str]]):
    User = get_user_model()
    username = (username or "").strip()
    field = User._meta.get_field(User.USERNAME_FIELD)
    if not username:
        errors.setdefault("username", []).append(_("Choose a username to log in with."))
    else:
        try:
            field.run_validators(username)
        except ValidationError as exc:
            errors.setdefault("username", []).extend(exc.messages)
        if User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
            errors.setdefault("username", []).append(
                _("The username %(u)s is taken: choose another.") % {"u": username}
            )
    try:
        validate_password(password or "", user=User(username=username, first_name=name))
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    return username


@transaction.atomic
def report_register(
    *,
    name: str,
    gender: str,
    phone: str,
    kind: str,
    address: str,
    location: Point | None,
    user=None,
    username: str = "",
    password: str = "",
    phone_public: bool = False,
    work_unit: CoBuildingUnit | None = None,
    unit_organisation: PartyOrganisation | None = None,
    specialty: str = "",
    service_intent: str = "",
    pledge: str = "",
    at: dt.datetime | None = None,
) -> Member:
    """到居住地社区报到: a member registers online with their home community. Creates the
    login (``username``/``password``), or links the signed-in ``user`` that has no member
    record yet; the home point places them in community, compound and building; status
    becomes registered, awaiting the community's confirmation."""
    now = at or timezone.now()
    fields: dict[str, Any] = {
        "name": name,
        "gender": gender,
        "phone": phone,
        "phone_public": bool(phone_public),
        "kind": kind,
        "work_unit": work_unit,
        "unit_organisation": unit_organisation,
        "address": address,
        "specialty": (specialty or "").strip(),
        "service_intent": (service_intent or "").strip(),
        "pledge": (pledge or "").strip(),
    }
    errors: dict[str, list[str]] = {}
    _check_details(fields, errors)
    placement = _home_placement(location, errors)
    if user is not None:
        if Member.objects.filter(user=user).exists():
            raise ReportingTransitionError(
                _("Your account already has a member record: correct it on your reporting page.")
            )
    else:
        username = _new_account(username, password, fields["name"], errors)
    member = _roster_entry(fields["phone"], fields["name"], errors) if fields["phone"] else None
    if errors:
        raise ValidationError(errors)
    if user is None:
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=username, password=password, first_name=fields["name"][:150]
                )
        except IntegrityError as exc:  # the same username, registered a moment ago
            raise ValidationError(
                {"username": [_("The username %(u)s is taken: choose another.") % {"u": username}]}
            ) from exc
        audit_record(
            actor=user, action="user.register", obj=user, after={"username": user.get_username()}
        )
    before = snapshot(member) if member is not None else None
    from_status = member.report_status if member is not None else ReportStatus.NOT_REPORTED
    member = member or Member()
    for key, value in fields.items():
        setattr(member, key, value)
    member.location = Point(location.x, location.y, srid=4326)
    apply_placement(member, placement)
    member.user = user
    member.report_status = ReportStatus.REGISTERED
    member.report_submitted_at, member.reported_on, member.report_reject_reason = now, None, ""
    member.full_clean(exclude=["user"])
    member.save()
    record_report_step(
        member=member,
        acting_user=user,
        action=ReportAction.REGISTERED,
        from_status=from_status,
        to_status=member.report_status,
        note="",
        at=now,
        before=before,
        audit_action="member.report_register",
    )
    return member


@transaction.atomic
def report_resubmit(
    *, member: Member, acting_user, at: dt.datetime | None = None, **changes: Any
) -> Member:
    """The member corrects their details: while awaiting confirmation (it stays awaiting),
    or after a rejection (back to awaiting, the reason cleared). A confirmed record changes
    only through the community."""
    now = at or timezone.now()
    member = Member.objects.select_for_update().get(pk=member.pk)
    if acting_user is None or member.user_id is None or member.user_id != acting_user.pk:
        raise ReportingNotAllowed(
            _("Only %(member)s can correct their own reporting.") % {"member": member}
        )
    if member.report_status not in REPORT_TRANSITIONS["submit"]:
        raise ReportingTransitionError(
            _("Your reporting was confirmed on %(day)s: ask your community to change it.")
            % {"day": member.reported_on}
        )
    bad = set(changes) - SUBMITTED_FIELDS
    if bad:
        raise ReportingError(
            _("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(bad))}
        )
    fields = {name: getattr(member, name) for name in SUBMITTED_FIELDS - {"location"}}
    fields.update({k: v for k, v in changes.items() if k != "location"})
    errors: dict[str, list[str]] = {}
    _check_details(fields, errors)
    location = changes.get("location", member.location)
    placement = _home_placement(location, errors)
    if (
        fields["phone"]
        and fields["phone"] != member.phone
        and Member.objects.filter(phone=fields["phone"]).exclude(pk=member.pk).exists()
    ):
        errors.setdefault("phone", []).append(
            _("The mobile number %(p)s already belongs to another member record.")
            % {"p": fields["phone"]}
        )
    if errors:
        raise ValidationError(errors)
    before, from_status = snapshot(member), member.report_status
    for key, value in fields.items():
        setattr(member, key, value)
    member.location = Point(location.x, location.y, srid=4326)
    apply_placement(member, placement)
    action = {
        ReportStatus.REJECTED: ReportAction.RESUBMITTED,
        ReportStatus.REGISTERED: ReportAction.CORRECTED,
    }.get(from_status, ReportAction.REGISTERED)
    member.report_status = ReportStatus.REGISTERED
    member.report_submitted_at, member.report_reject_reason = now, ""
    member.full_clean(exclude=["user"])
    member.save()
    record_report_step(
        member=member,
        acting_user=acting_user,
        action=action,
        from_status=from_status,
        to_status=member.report_status,
        note="",
        at=now,
        before=before,
        audit_action="member.report_resubmit",
    )
    return member


def require_reporting_staff(user, community: Grid | None, what: str) -> None:
    if not covers_community(user, community):
        raise ReportingNotAllowed(
            _("%(user)s may not handle the reporting of %(what)s: it is outside their communities.")
            % {"user": user, "what": what}
        )


def _member_refusal(member: Member, step: str) -> str:
    status = member.report_status
    if status == ReportStatus.CONFIRMED:
        if step == "confirm":
            return _("%(member)s's reporting was already confirmed on %(day)s.") % {
                "member": member,
                "day": member.reported_on,
            }
        return _(
            "%(member)s's reporting was confirmed on %(day)s: it can no longer be rejected."
        ) % {"member": member, "day": member.reported_on}
    if status == ReportStatus.REJECTED:
        if step == "confirm":
            return _(
                "%(member)s's reporting was rejected: the member must correct and "
                "resubmit it before it can be confirmed."
            ) % {"member": member}
        return _(
            "%(member)s's reporting is already rejected, waiting for the member to correct it."
        ) % {"member": member}
    return _("%(member)s has not registered yet: there is nothing to %(step)s.") % {
        "member": member,
        "step": _("confirm") if step == "confirm" else _("reject"),
    }


def _decide_member(
    *,
    member: Member,
    acting_user,
    step: str,
    values: dict[str, Any],
    action: str,
    note: str,
    audit_action: str,
) -> Member:
    """Move a member out of 'registered' with a conditional UPDATE: of two staff deciding
    at once, exactly one wins; the other is told what happened."""
    current = Member.objects.select_related("community").get(pk=member.pk)
    require_reporting_staff(acting_user, current.community, str(current))
    if current.report_status not in REPORT_TRANSITIONS[step]:
        raise ReportingTransitionError(_member_refusal(current, step))
    now, before = timezone.now(), snapshot(current)
    won = Member.objects.filter(pk=current.pk, report_status=current.report_status).update(
        updated_at=now, **values
    )
    if not won:
        raise ReportingTransitionError(_member_refusal(Member.objects.get(pk=current.pk), step))
    member = Member.objects.get(pk=current.pk)
    record_report_step(
        member=member,
        acting_user=acting_user,
        action=action,
        from_status=current.report_status,
        to_status=member.report_status,
        note=note,
        at=now,
        before=before,
        audit_action=audit_action,
    )
    return member


@transaction.atomic
def report_confirm(*, member: Member, acting_user, reported_on: dt.date | None = None) -> Member:
    """The community confirms a registered member. ``reported_on`` is the day the member
    submitted the confirmed details (a slow confirmation does not make them late); staff
    may give an earlier day for a paper registration, never a future one."""
    current = Member.objects.get(pk=member.pk)
    submitted = _day(current.report_submitted_at) if current.report_submitted_at else None
    day = reported_on or submitted or timezone.localdate()
    if day > timezone.localdate():
        raise ReportingError(
            _("%(member)s cannot have reported on %(day)s: that is in the future.")
            % {"member": current, "day": day}
        )
    return _decide_member(
        member=current,
        acting_user=acting_user,
        step="confirm",
        values={
            "report_status": ReportStatus.CONFIRMED,
            "reported_on": day,
            "report_reject_reason": "",
        },
        action=ReportAction.CONFIRMED,
        note="",
        audit_action="member.report_confirm",
    )


@transaction.atomic
def report_reject(*, member: Member, acting_user, reason: str) -> Member:
    """The community rejects a registration, saying why; the member sees the reason,
    corrects and resubmits."""
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError(
            _(
                "Say why %(member)s's reporting is rejected: the member sees "
                "the reason and corrects it."
            )
            % {"member": member}
        )
    return _decide_member(
        member=member,
        acting_user=acting_user,
        step="reject",
        values={
            "report_status": ReportStatus.REJECTED,
            "reported_on": None,
            "report_reject_reason": reason,
        },
        action=ReportAction.REJECTED,
        note=reason,
        audit_action="member.report_reject",
    )
