"""Thin pages for branch planning: lists and plans from selectors, map from maps/, every
change through a service. Staff with a planning role only (others get 403)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov import spreadsheets
from gridgov.grids.models import Grid
from gridgov.people.models import Member
from gridgov.planning import exporting, services
from gridgov.planning.groups.selectors import compounds_to_plan
from gridgov.planning.models import OPEN_STATUSES
from gridgov.planning.selectors import (
    FORMAL_Q,
    allowed_steps,
    compound_formal_members,
    may_plan,
    planning_geojson,
    planning_lists,
    plans_visible_to,
)
from maps.builders import Tiles, embed
from maps.planning.map import PlanningLabels, planning_map


def planner_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_plan(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@planner_required
def planning_page(request: HttpRequest) -> HttpResponse:
    lists = planning_lists(request.user)
    layers = planning_geojson(lists)
    labels = PlanningLabels(
        eligible=_("Compounds where a branch can be founded"),
        unled=_("Branch compounds with buildings without a leader"),
        name=_("Name"),
        code=_("Code"),
        formal_members=_("formal members"),
        unled_buildings=_("buildings without a leader"),
    )
    m = planning_map(
        eligible=layers["eligible"],
        unled=layers["unled"],
        labels=labels,
        tiles=Tiles.configured(),
        static=static,
        centre=settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
    )
    open_plans = set(
        plans_visible_to(request.user)
        .filter(status__in=OPEN_STATUSES)
        .values_list("compound_id", flat=True)
    )
    candidates = compound_formal_members([r["grid"].pk for r in lists.eligible])
    for r in lists.eligible:
        r["candidates"] = candidates[r["grid"].pk]
        r["has_open_plan"] = r["grid"].pk in open_plans
    plans = list(plans_visible_to(request.user)[:200])
    for p in plans:
        p.steps = allowed_steps(p)
    return render(
        request,
        "planning/page.html",
        {
            "lists": lists,
            "map": embed(m),
            "plans": plans,
            "compounds": compounds_to_plan(request.user),
        },
    )


def _done(request: HttpRequest, text: str):
    messages.success(request, text)
    return redirect("planning:page")


@require_POST
@planner_required
def plan_propose(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("compound", "")
    if "\x00" in code:  # no grid code holds NUL (and PostgreSQL refuses it in a query)
        raise Http404
    compound = get_object_or_404(Grid, code=code)
    members = list(Member.objects.filter(FORMAL_Q, compound=compound))
    secretary = None
    if request.POST.get("secretary"):
        pk = request.POST["secretary"].strip()
        if not (pk.isascii() and pk.isdigit()):
            raise Http404
        secretary = get_object_or_404(Member, pk=int(pk), compound=compound)
    try:
        services.plan_propose(
            compound=compound,
            members=members,
            proposed_secretary=secretary,
            note=request.POST.get("note", ""),
            acting_user=request.user,
        )
    except services.PlanError as error:
        messages.error(request, error.text)
        return redirect("planning:page")
    return _done(request, _("Plan proposed for %(name)s.") % {"name": compound.name})


STEPS = {"approve", "reject", "found"}


@require_POST
@planner_required
def plan_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise PermissionDenied
    plan = get_object_or_404(plans_visible_to(request.user), pk=pk)
    try:
        if step == "approve":
            services.plan_approve(plan=plan, acting_user=request.user)
            text = _("Plan approved.")
        elif step == "reject":
            services.plan_reject(
                plan=plan, reason=request.POST.get("reason", ""), acting_user=request.user
            )
            text = _("Plan rejected.")
        else:
            services.plan_found(plan=plan, acting_user=request.user)
            text = _("Branch founded.")
    except services.PlanError as error:
        messages.error(request, error.text)
        return redirect("planning:page")
    return _done(request, text)


@planner_required
def export_csv(request: HttpRequest) -> HttpResponse:
    return spreadsheets.download(
        exporting.as_csv(planning_lists(request.user)), name="branch-planning", fmt="csv"
    )


@planner_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return spreadsheets.download(
        exporting.as_xlsx(planning_lists(request.user)), name="branch-planning", fmt="xlsx"
    )
