"""Plan services: propose, approve (refused with the count under 3 formal members),
reject with a reason, found (creates the branch and the secretary's grid role); audited."""

import pytest

from gridgov.accounts.models import AuditEntry
from gridgov.grids.models import GridRole, RoleKind
from gridgov.people.models import OrgKind, PartyOrganisation
from gridgov.planning import services
from gridgov.planning.models import BranchPlan, PlanStatus
from gridgov.planning.selectors import planning_lists


def propose_k1(town, user, members=None, secretary=None):
    members = town.k1_formal if members is None else members
    return services.plan_propose(
        compound=town.tree.k1,
        members=members,
        proposed_secretary=secretary or members[0],
        acting_user=user,
    )


def test_approve_refused_with_fewer_than_three_formal_members(town, staff):
    # two formal members plus a probationary one and an applicant: 2 formal
    plan = propose_k1(
        town, staff["c1"], members=[*town.k1_formal[:2], town.k1_probationary, town.k1_applicant]
    )
    with pytest.raises(services.PlanError) as refused:
        services.plan_approve(plan=plan, acting_user=staff["c1"])
    assert "at least 3 formal members; this plan has 2." in refused.value.text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED
    assert not AuditEntry.objects.filter(action="branchplan.approve").exists()


def test_full_flow_founds_branch_with_secretary_role(town, staff):
    user = staff["c1"]
    secretary = town.k1_formal[1]
    plan = propose_k1(town, user, secretary=secretary)
    assert plan.members.count() == 3
    assert plan.created_by == user
    services.plan_approve(plan=plan, acting_user=user)
    plan = services.plan_found(plan=plan, acting_user=user)
    assert plan.status == PlanStatus.FOUNDED
    org = PartyOrganisation.objects.get(grid=town.tree.k1)
    assert org.kind == OrgKind.COMPOUND_BRANCH
    assert org.secretary == secretary
    assert plan.organisation == org
    assert org.founded_on is not None
    role = GridRole.objects.get(
        grid=town.tree.k1, role=RoleKind.BRANCH_SECRETARY, until__isnull=True
    )
    assert role.member == secretary
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "branchplan.propose",
        "branchplan.approve",
        "branchplan.found",
        "organisation.found",
        "gridrole.assign",
    } <= actions
    # K1 is no longer eligible; its unled building B2 now shows in the second list
    lists = planning_lists(user)
    assert lists.eligible == []
    assert [r["code"] for r in lists.unled] == ["100001001"]


def test_found_refused_when_branch_exists(town, staff):
    plan = propose_k1(town, staff["street"])
    services.plan_approve(plan=plan, acting_user=staff["street"])
    PartyOrganisation.objects.create(kind=OrgKind.COMPOUND_BRANCH, name="x", grid=town.tree.k1)
    with pytest.raises(services.PlanError, match="already has a party organisation"):
        services.plan_found(plan=plan, acting_user=staff["street"])
    assert not GridRole.objects.filter(role=RoleKind.BRANCH_SECRETARY).exists()


def test_propose_refusals(town, staff):
    with pytest.raises(services.PlanError, match="already has a party organisation"):
        services.plan_propose(
            compound=town.tree.k3, members=town.k3_formal, acting_user=staff["street"]
        )
    with pytest.raises(services.PlanError, match="do not live in"):
        services.plan_propose(
            compound=town.tree.k1, members=[town.k2_formal[0]], acting_user=staff["street"]
        )
    with pytest.raises(services.PlanError, match="outside the area"):
        propose_k1(town, staff["c2"])
    propose_k1(town, staff["c1"])
    with pytest.raises(services.PlanError, match="open branch plan"):
        propose_k1(town, staff["c1"])
    assert BranchPlan.objects.count() == 1


def test_reject_needs_reason_and_closes(town, staff):
    plan = propose_k1(town, staff["c1"])
    with pytest.raises(services.PlanError, match="reason"):
        services.plan_reject(plan=plan, reason="  ", acting_user=staff["c1"])
    plan = services.plan_reject(plan=plan, reason="楼盘即将拆迁", acting_user=staff["c1"])
    assert plan.status == PlanStatus.REJECTED
    assert plan.reject_reason == "楼盘即将拆迁"
    with pytest.raises(services.PlanError):
        services.plan_approve(plan=plan, acting_user=staff["c1"])
    with pytest.raises(services.PlanError):
        services.plan_found(plan=plan, acting_user=staff["c1"])
    propose_k1(town, staff["c1"])  # a rejected plan does not block a new one
