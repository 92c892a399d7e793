"""The member's side of dual reporting (到居住地社区报到): online registration with the home
community (the home point locates them), correction while awaiting confirmation, and
resubmission after a rejection. The community's side is in ``confirmation``."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Account, Actor
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.placement import Placement, apply_placement, locate_one
from gridgov.people.models import (
    CoBuildingUnit,
    Gender,
    Member,
    MemberKind,
    OrgKind,
    PartyOrganisation,
    ReportStatus,
)
from gridgov.people.services import check_point, normalise_phone
from gridgov.reporting.models import REPORT_TRANSITIONS, ReportAction
from gridgov.reporting.services.steps import (
    ReportingError,
    ReportingNotAllowed,
    ReportingTransitionError,
    record_report_step,
)

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
# The step a correction is, by the status it starts from.
_CORRECTION_ACTION: dict[str, ReportAction] = {
    ReportStatus.REJECTED: ReportAction.RESUBMITTED,
    ReportStatus.REGISTERED: ReportAction.CORRECTED,
}


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


def _home_placement(
    location: Point | None, errors: dict[str, list[str]]
) -> tuple[Point, Placement] | None:
    """Locate the home point; a point in no community is refused (no community to report
    to). Returns the point (in WGS 84) and its placement, or None with an error recorded."""
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
    return location, placement


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


def _new_account(username: str, password: str, name: str, errors: dict[str, list[str]]) -> str:
    User = get_user_model()
    username = (username or "").strip()
    # USERNAME_FIELD names a concrete field of the user model (Django's contract for it).
    field = cast(models.Field, User._meta.get_field(User.USERNAME_FIELD))
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
    user: Account = None,
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
    home = _home_placement(location, errors)
    if user is not None:
        if Member.objects.filter(user=user).exists():
            raise ReportingTransitionError(
                _("Your account already has a member record: correct it on your reporting page.")
            )
    else:
        username = _new_account(username, password, fields["name"], errors)
    member = _roster_entry(fields["phone"], fields["name"], errors) if fields["phone"] else None
    if errors or home is None:  # no home: an error is recorded
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
    member.location, placement = home
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
    *, member: Member, acting_user: Actor, at: dt.datetime | None = None, **changes: Any
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
    home = _home_placement(changes.get("location", member.location), errors)
    if (
        fields["phone"]
        and fields["phone"] != member.phone
        and Member.objects.filter(phone=fields["phone"]).exclude(pk=member.pk).exists()
    ):
        errors.setdefault("phone", []).append(
            _("The mobile number %(p)s already belongs to another member record.")
            % {"p": fields["phone"]}
        )
    if errors or home is None:  # no home: an error is recorded
        raise ValidationError(errors)
    before, from_status = snapshot(member), member.report_status
    for key, value in fields.items():
        setattr(member, key, value)
    member.location, placement = home
    apply_placement(member, placement)
    action = _CORRECTION_ACTION.get(from_status, ReportAction.REGISTERED)
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
