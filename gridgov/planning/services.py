"""Writers of branch plans. Each locks, validates, writes and audits in one transaction;
a refusal raises PlanError with a specific message and writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.models import Grid, Kind, Level, RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import Member, OrgKind, PartyOrganisation
from gridgov.planning.models import BranchPlan, PlanStatus
from gridgov.planning.selectors import MIN_FORMAL_MEMBERS, formal_count, may_plan_compound


class PlanError(ValidationError):
    """A refused plan operation. Nothing was written."""

    def __init__(self, message: str, *, code: str = "plan"):
        super().__init__(message, code=code)

    @property
    def text(self) -> str:
        return self.messages[0]


def _plan_snapshot(plan: BranchPlan) -> dict[str, Any]:
    data = snapshot(plan)
    data["members"] = sorted(plan.members.values_list("pk", flat=True))
    return data


def _check_scope(acting_user: Actor, compound: Grid) -> None:
    if acting_user is not None and not may_plan_compound(acting_user, compound):
        raise PlanError(
            _("Compound %(code)s is outside the area you plan for.") % {"code": compound.code},
            code="scope",
        )


def _locked(plan: BranchPlan, acting_user: Actor) -> BranchPlan:
    plan = BranchPlan.objects.select_for_update().select_related("compound").get(pk=plan.pk)
    _check_scope(acting_user, plan.compound)
    return plan


def _refuse_step(plan: BranchPlan, step: str) -> NoReturn:
    raise PlanError(
        _("A %(status)s plan cannot be %(step)s.")
        % {"status": plan.get_status_display(), "step": step},
        code="transition",
    )


def _has_branch(compound: Grid) -> bool:
    return PartyOrganisation.objects.filter(grid=compound).exists()


def plan_check_proposal(
    *,
    compound: Grid,
    acting_user: Actor,
    members: Iterable[Member] = (),
    proposed_secretary: Member | None = None,
) -> list[Member]:
    """Why a proposal would be refused (PlanError), else the plan's members: the given ones
    plus the proposed secretary. Writes nothing (the admin's add form calls it too)."""
    _check_scope(acting_user, compound)
    if compound.level != Level.COMPOUND or compound.kind != Kind.RESIDENTIAL:
        raise PlanError(
            _("%(grid)s is not a residential compound.") % {"grid": compound}, code="not_compound"
        )
    if _has_branch(compound):
        raise PlanError(
            _("Compound %(code)s already has a party organisation.") % {"code": compound.code},
            code="has_branch",
        )
    if BranchPlan.objects.filter(
        compound=compound, status__in=[PlanStatus.PROPOSED, PlanStatus.APPROVED]
    ).exists():
        raise PlanError(
            _("Compound %(code)s already has an open branch plan.") % {"code": compound.code},
            code="open_plan",
        )
    chosen = {m.pk: m for m in members}
    if proposed_secretary is not None:
        chosen.setdefault(proposed_secretary.pk, proposed_secretary)
    outsiders = sorted(m.name for m in chosen.values() if m.compound_id != compound.pk)
    if outsiders:
        raise PlanError(
            _("These members do not live in %(compound)s: %(names)s.")
            % {"compound": compound.name, "names": ", ".join(outsiders)},
            code="outsiders",
        )
    return list(chosen.values())


@transaction.atomic
def plan_propose(
    *,
    compound: Grid,
    acting_user: Actor,
    members: Iterable[Member] = (),
    proposed_secretary: Member | None = None,
    note: str = "",
) -> BranchPlan:
    """Propose founding a branch in a compound. Members must live in the compound; the
    proposed secretary is one of the members (added when missing)."""
    compound = Grid.objects.select_for_update().get(pk=compound.pk)
    chosen = plan_check_proposal(
        compound=compound,
        acting_user=acting_user,
        members=members,
        proposed_secretary=proposed_secretary,
    )
    plan = BranchPlan(
        compound=compound,
        proposed_secretary=proposed_secretary,
        note=note,
        created_by=account_of(acting_user),
    )
    plan.full_clean()
    plan.save()
    plan.members.set(chosen)
    audit_record(
        actor=acting_user, action="branchplan.propose", obj=plan, after=_plan_snapshot(plan)
    )
    return plan


@transaction.atomic
def plan_note(*, plan: BranchPlan, note: str, acting_user: Actor) -> BranchPlan:
    """Change a plan's note (the one field editable after proposing)."""
    plan = _locked(plan, acting_user)
    before = _plan_snapshot(plan)
    plan.note = note
    plan.save(update_fields=["note", "updated_at"])
    audit_record(
        actor=acting_user,
        action="branchplan.note",
        obj=plan,
        before=before,
        after=_plan_snapshot(plan),
    )
    return plan


@transaction.atomic
def plan_approve(*, plan: BranchPlan, acting_user: Actor) -> BranchPlan:
    """Approve a proposed plan: it needs at least 3 formal members and a proposed secretary
    who is one of them."""
    plan = _locked(plan, acting_user)
    if plan.status != PlanStatus.PROPOSED:
        _refuse_step(plan, _("approved"))
    members = list(plan.members.all())
    formal = formal_count(members)
    if formal < MIN_FORMAL_MEMBERS:
        raise PlanError(
            _("A compound branch needs at least %(min)d formal members; this plan has %(count)d.")
            % {"min": MIN_FORMAL_MEMBERS, "count": formal},
            code="too_few_members",
        )
    secretary = plan.proposed_secretary
    if (
        secretary is None
        or secretary.pk not in {m.pk for m in members}
        or formal_count([secretary]) != 1
    ):
        raise PlanError(
            _("Choose a proposed secretary among the plan's formal members."), code="secretary"
        )
    before = _plan_snapshot(plan)
    plan.status = PlanStatus.APPROVED
    plan.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=acting_user,
        action="branchplan.approve",
        obj=plan,
        before=before,
        after=_plan_snapshot(plan),
    )
    return plan


@transaction.atomic
def plan_reject(*, plan: BranchPlan, reason: str, acting_user: Actor) -> BranchPlan:
    """Reject an open plan, with the reason."""
    plan = _locked(plan, acting_user)
    if plan.status not in (PlanStatus.PROPOSED, PlanStatus.APPROVED):
        _refuse_step(plan, _("rejected"))
    reason = (reason or "").strip()
    if not reason:
        raise PlanError(_("Give the reason for rejecting the plan."), code="reason")
    before = _plan_snapshot(plan)
    plan.status = PlanStatus.REJECTED
    plan.reject_reason = reason
    plan.save(update_fields=["status", "reject_reason", "updated_at"])
    audit_record(
        actor=acting_user,
        action="branchplan.reject",
        obj=plan,
        before=before,
        after=_plan_snapshot(plan),
    )
    return plan


@transaction.atomic
def plan_found(
    *, plan: BranchPlan, acting_user: Actor, founded_on: dt.date | None = None, name: str = ""
) -> BranchPlan:
    """Found the branch of an approved plan: create the compound_branch organisation on the
    compound and give the proposed secretary the branch_secretary role there."""
    plan = _locked(plan, acting_user)
    if plan.status != PlanStatus.APPROVED:
        _refuse_step(plan, _("founded"))
    compound = Grid.objects.select_for_update().get(pk=plan.compound_id)
    if _has_branch(compound):
        raise PlanError(
            _("Compound %(code)s already has a party organisation.") % {"code": compound.code},
            code="has_branch",
        )
    formal = formal_count(plan.members.all())
    if formal < MIN_FORMAL_MEMBERS:  # members may have changed since approval
        raise PlanError(
            _("A compound branch needs at least %(min)d formal members; this plan has %(count)d.")
            % {"min": MIN_FORMAL_MEMBERS, "count": formal},
            code="too_few_members",
        )
    founded_on = founded_on or timezone.localdate()
    org = PartyOrganisation(
        kind=OrgKind.COMPOUND_BRANCH,
        name=name or _("%(compound)s party branch") % {"compound": compound.name},
        grid=compound,
        secretary=plan.proposed_secretary,
        founded_on=founded_on,
    )
    org.full_clean()
    org.save()
    audit_record(actor=acting_user, action="organisation.found", obj=org, after=snapshot(org))
    gridrole_assign(
        grid=compound,
        member=plan.proposed_secretary,
        role=RoleKind.BRANCH_SECRETARY,
        acting_user=acting_user,
        since=founded_on,
    )
    before = _plan_snapshot(plan)
    plan.status = PlanStatus.FOUNDED
    plan.organisation = org
    plan.save(update_fields=["status", "organisation", "updated_at"])
    audit_record(
        actor=acting_user,
        action="branchplan.found",
        obj=plan,
        before=before,
        after=_plan_snapshot(plan),
    )
    return plan
