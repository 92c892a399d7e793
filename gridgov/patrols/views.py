"""Patrol pages for grid leaders and community staff on a phone or tablet (/patrols/).

Thin: data from gridgov.patrols.selectors (scoped by the user's patrol roles), every write
through gridgov.patrols.services (a finding opens its case through
services.case_from_finding, which calls the cases' service). A route, patrol or finding
outside the user's scope is a 404, as if it did not exist.
"""

from __future__ import annotations

import json

import shapely
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from geodata.tilesources import from_settings
from geodata.tracks import length_m
from gridgov.accounts import policy
from gridgov.cases.models import CaseCategory
from gridgov.cases.selectors import cases_visible_to
from gridgov.patrols import selectors
from gridgov.patrols.forms import FindingForm, OpenCaseForm, PatrolRecordForm
from gridgov.patrols.models import Patrol, PatrolRoute
from gridgov.patrols.services import case_from_finding, finding_add, patrol_record


def _put_errors(form, exc: ValidationError) -> None:
    """A service's refusal onto the form: keyed messages on their field when the form has
    one, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _geometry(geom) -> dict | None:
    return None if geom is None else json.loads(geom.json)


def _map_data(
    route: PatrolRoute, *, patrol: Patrol | None = None, findings=(), pick: bool = False
) -> dict:
    """What the small map draws (templates/patrols/_map.html): the grid, the route, a
    recorded track, findings; ``pick`` lets a tap place a new finding."""
    background = from_settings(settings)
    return {
        "grid": _geometry(route.grid.geom),
        "route": _geometry(route.route),
        "track": _geometry(patrol.track) if patrol is not None else None,
        "findings": [
            {"lon": f.point.x, "lat": f.point.y, "label": f.get_kind_display()} for f in findings
        ],
        "pick": pick,
        # The background's layers and datum (GCJ-02: the script shifts what it draws and
        # shifts a tap back to WGS84 with static/js/gridgov-crs.js).
        "tiles": background.leaflet(),
        "display_crs": background.crs,
    }


def _route(request: HttpRequest, pk: int) -> PatrolRoute:
    return get_object_or_404(
        selectors.routes_visible_to(request.user).select_related("grid"), pk=pk
    )


@login_required
def route_list(request: HttpRequest) -> HttpResponse:
    """The user's routes, overdue first, with days since their last patrol."""
    show_all = request.GET.get("all") == "1"
    rows = selectors.my_route_rows(request.user, include_inactive=show_all)
    return render(
        request,
        "patrols/list.html",
        {
            "rows": rows,
            "overdue": sum(1 for r in rows if r["overdue"] and r["active"]),
            "show_all": show_all,
            "in_scope": selectors.patrol_prefixes(request.user) != [],
        },
    )


@login_required
def route_detail(request: HttpRequest, pk: int) -> HttpResponse:
    route = _route(request, pk)
    today = timezone.localdate()
    last = selectors.last_patrolled(route)
    since = selectors.days_since(last, today)
    patrols = list(selectors.recent_patrols(route))
    return render(
        request,
        "patrols/route.html",
        {
            "route": route,
            "last": last,
            "since": since,
            "overdue": route.active and (since is None or since > route.interval_days),
            "length_m": length_m(shapely.from_wkb(bytes(route.route.wkb))),
            "team": route.team.order_by("name"),
            "patrols": patrols,
            "map": _map_data(route, findings=[f for p in patrols for f in p.findings.all()]),
        },
    )


@login_required
def patrol_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a walk: date, who walked, an optional GPX track. A refused walk saves nothing
    and shows why (the service checks the file, the date and the members)."""
    route = _route(request, pk)
    choices = selectors.patrol_member_choices(request.user, route)
    if request.method == "POST":
        form = PatrolRecordForm(request.POST, request.FILES, members=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                patrol = patrol_record(
                    route=route,
                    walked_on=data["walked_on"],
                    members=list(data["members"]),
                    acting_user=request.user,
                    gpx=data["gpx"],
                    notes=data["notes"],
                )
            except ValidationError as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, _("Patrol recorded."))
                return redirect("patrols:patrol", pk=patrol.pk)
    else:
        form = PatrolRecordForm(members=choices)
    return render(
        request,
        "patrols/record.html",
        {
            "route": route,
            "form": form,
            "groups": _member_groups(form, route),
            "max_mb": f"{settings.GRIDGOV_MAX_UPLOAD_BYTES / 2**20:g}",
        },
    )


def _member_groups(form: PatrolRecordForm, route: PatrolRoute) -> list[dict]:
    """The member checkboxes in three groups: the route's team (shown), members living in the
    route's grid and the other members in the user's scope (folded away unless one is
    ticked): a community's few hundred members stay usable on a phone."""
    team = set(route.team.values_list("pk", flat=True))
    groups = {
        "team": {"key": "team", "title": _("The route's team"), "boxes": []},
        "local": {
            "key": "local",
            "boxes": [],
            "title": _("Members living in %(grid)s") % {"grid": route.grid.name},
        },
        "others": {"key": "others", "title": _("Other members in your grids"), "boxes": []},
    }
    for box in form["members"]:
        member = box.data["value"].instance
        key = (
            "team"
            if member.pk in team
            else "local"
            if policy.covers([route.grid.code], member.grid_code)
            else "others"
        )
        groups[key]["boxes"].append(box)
    for group in groups.values():
        group["open"] = group["key"] == "team" or any(b.data["selected"] for b in group["boxes"])
    return [g for g in groups.values() if g["boxes"]]


def _patrol(request: HttpRequest, pk: int) -> Patrol:
    return get_object_or_404(
        selectors.patrols_visible_to(request.user).select_related("route__grid", "created_by"),
        pk=pk,
    )


def _patrol_page(
    request: HttpRequest, patrol: Patrol, *, finding_form: FindingForm
) -> HttpResponse:
    findings = list(patrol.findings.order_by("created_at"))
    categories = CaseCategory.objects.filter(active=True).order_by("code")
    return render(
        request,
        "patrols/patrol.html",
        {
            "patrol": patrol,
            "route": patrol.route,
            "members": patrol.members.order_by("name"),
            "findings": findings,
            "finding_form": finding_form,
            "case_form": OpenCaseForm(categories=categories),
            "visible_cases": set(
                cases_visible_to(request.user)
                .filter(number__in=[f.opened_case_number for f in findings if f.opened_case_number])
                .values_list("number", flat=True)
            ),
            "map": _map_data(patrol.route, patrol=patrol, findings=findings, pick=True),
        },
    )


@login_required
def patrol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _patrol_page(request, _patrol(request, pk), finding_form=FindingForm())


@login_required
@require_POST
def finding_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a finding at a tapped point or the phone's location (within reach of the route)."""
    patrol = _patrol(request, pk)
    form = FindingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            finding_add(
                patrol=patrol,
                point=Point(data["lon"], data["lat"], srid=4326),
                kind=data["kind"],
                note=data["note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("Finding added."))
            return redirect(reverse("patrols:patrol", args=[patrol.pk]) + "#findings")
    return _patrol_page(request, patrol, finding_form=form)


@login_required
@require_POST
def finding_case(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a resident's request (a case) for a finding, in the category chosen; once."""
    finding = get_object_or_404(
        selectors.findings_visible_to(request.user).select_related("patrol__route"), pk=pk
    )
    form = OpenCaseForm(request.POST, categories=CaseCategory.objects.filter(active=True))
    if not form.is_valid():
        messages.error(request, _("Choose the category of the case."))
    else:
        try:
            case = case_from_finding(
                finding=finding, category=form.cleaned_data["category"], acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Case %(number)s opened for the finding.") % {"number": case.number}
            )
    return redirect(reverse("patrols:patrol", args=[finding.patrol_id]) + "#findings")
