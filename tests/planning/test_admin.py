"""The admin proposes through plan_propose (refusals shown on the form), moves plans only
through the services, and lists only plans in the user's scope."""

from django.contrib import admin as djadmin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from gridgov.planning import services
from gridgov.planning.admin import BranchPlanAdmin
from gridgov.planning.models import BranchPlan, PlanStatus


def test_admin_add_approve_found(client, town):
    root = get_user_model().objects.create_superuser("root", password="x-Pass-2026!")
    client.force_login(root)
    k1 = town.tree.k1
    data = {
        "compound": k1.pk,
        "proposed_secretary": town.k1_formal[0].pk,
        "members": ",".join(str(m.pk) for m in town.k1_formal),
        "note": "n",
    }
    response = client.post("/en/admin/planning/branchplan/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = BranchPlan.objects.get()
    assert plan.members.count() == 3
    assert plan.created_by == root
    # a second proposal for the same compound is refused on the form
    response = client.post("/en/admin/planning/branchplan/add/", data)
    assert response.status_code == 200
    assert "open branch plan" in response.content.decode()
    for action in ("approve", "found"):
        client.post(
            "/en/admin/planning/branchplan/", {"action": action, "_selected_action": [plan.pk]}
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FOUNDED
    assert plan.organisation is not None


def test_admin_reject_by_reason_and_scope(client, town, staff):
    plan = services.plan_propose(
        compound=town.tree.k1,
        members=town.k1_formal,
        proposed_secretary=town.k1_formal[0],
        acting_user=staff["c1"],
    )
    root = get_user_model().objects.create_superuser("root", password="x-Pass-2026!")
    client.force_login(root)
    url = f"/en/admin/planning/branchplan/{plan.pk}/change/"
    response = client.post(url, {"note": "", "reject_reason": "不具备条件"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.REJECTED
    assert plan.reject_reason == "不具备条件"
    c2 = staff["c2"]
    c2.is_staff = True
    c2.save()
    # the scoped queryset: a C2 planner does not see K1's plan
    request = RequestFactory().get("/")
    request.user = c2
    assert list(BranchPlanAdmin(BranchPlan, djadmin.site).get_queryset(request)) == []
