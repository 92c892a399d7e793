"""The three lists page (三单): resources, needs with matching suggestions, the service list;
and the staff steps that confirm, complete or cancel a match."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.accounts import policy
from gridgov.cases.selectors import cases_visible_to
from gridgov.people.models import Member
from gridgov.posts.lists import services
from gridgov.posts.lists.selectors import (
    MAX_RADIUS_M,
    match_radius_m,
    needs_for,
    residents_in_survey,
    resources_visible_to,
    service_list,
    suggest,
)
from gridgov.posts.models import ServiceListEntry
from gridgov.posts.selectors import is_manager, manager_prefixes, manages
from gridgov.posts.views import as_int, back, run
from gridgov.service.models import ServiceCategory


def _radius(request: HttpRequest) -> float:
    """The matching radius from ?radius= (metres), or the configured default."""
    raw = request.GET.get("radius", "").strip()
    if not raw:
        return match_radius_m()
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 < value <= MAX_RADIUS_M:
        messages.error(
            request,
            _(
                "The radius must be a number of metres between 1 and "
                "%(max)s, not %(value)s; using %(default)s."
            )
            % {"max": int(MAX_RADIUS_M), "value": raw, "default": int(match_radius_m())},
        )
        return match_radius_m()
    return value


@login_required
def lists(request: HttpRequest) -> HttpResponse:
    user = request.user
    if policy.prefixes(user, policy.READ_MEMBERS) == []:  # lists name members: staff only
        raise PermissionDenied(_("The three lists are for the staff of a grid."))
    prefix = request.GET.get("grid", "").strip()
    radius = _radius(request)
    year = as_int(request.GET.get("year")) or None
    needs = needs_for(user=user, prefix=prefix, survey_year=year)
    suggest(needs.needs, user=user, radius_m=radius)
    for need in needs.needs:
        need.can_confirm = manages(user, need.grid_code)
    return render(
        request,
        "posts/lists.html",
        {
            "needs": needs,
            "resources": resources_visible_to(user, prefix=prefix)
            .filter(active=True)
            .order_by("category__code", "member__name", "id"),
            "entries": service_list(user=user, prefix=prefix),
            "prefix": prefix,
            "radius": radius,
            "is_manager": is_manager(user),
        },
    )


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Confirm a suggested (or chosen) member for a need: ``need`` is ``case:<id>`` or
    ``resident:<id>:<service category code>``."""
    user, post = request.user, request.POST
    parts = post.get("need", "").split(":")
    case = resident = category = None
    if len(parts) == 2 and parts[0] == "case":
        case = cases_visible_to(user).filter(pk=as_int(parts[1])).first()
    elif len(parts) == 3 and parts[0] == "resident":
        resident = residents_in_survey(user=user, resident_id=as_int(parts[1]))
        category = ServiceCategory.objects.filter(code=parts[2]).first()
    if case is None and (resident is None or category is None):
        raise Http404
    member = Member.objects.filter(
        policy.scope_q(manager_prefixes(user)), pk=as_int(post.get("member"))
    ).first()
    if member is None:
        messages.error(request, _("Choose the member who will serve the need."))
        return back(request, "posts:lists")
    run(
        request,
        lambda: services.service_entry_confirm(
            acting_user=user,
            member=member,
            case=case,
            resident=resident,
            category=category,
            note=post.get("note", ""),
            dispatch=post.get("dispatch") == "1",
        ),
        _("%(member)s will serve this need.") % {"member": member},
    )
    return back(request, "posts:lists")


def _entry(request: HttpRequest, pk: int) -> ServiceListEntry:
    entry = get_object_or_404(ServiceListEntry, pk=pk)
    if not manages(request.user, entry.grid_code):
        raise Http404
    return entry


@login_required
@require_POST
def entry_done(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    run(
        request,
        lambda: services.service_entry_complete(
            entry=entry,
            acting_user=request.user,
            done_on=request.POST.get("done_on") or None,
            note=request.POST.get("note", ""),
        ),
        _("Service recorded as done."),
    )
    return back(request, "posts:lists")


@login_required
@require_POST
def entry_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    run(
        request,
        lambda: services.service_entry_cancel(
            entry=entry, acting_user=request.user, reason=request.POST.get("reason", "")
        ),
        _("Planned service cancelled."),
    )
    return back(request, "posts:lists")
