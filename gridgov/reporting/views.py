"""Pages of dual reporting (双报到), mounted at /reporting/: a member registers online with
their home community and follows their status; community staff confirm or reject. The
units' pages are in ``unit_views``. Thin: data from selectors, every change through a
service."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from geodata.tilesources import from_settings
from gridgov.grids.models import Grid, Level
from gridgov.grids.selectors import grids_geojson
from gridgov.people.selectors import member_for
from gridgov.ratelimits.limits import allow
from gridgov.reporting import services
from gridgov.reporting.forms import RegistrationForm, ReportForm
from gridgov.reporting.models import REPORT_TRANSITIONS
from gridgov.reporting.selectors import (
    communities_for_reporting,
    deadline_for,
    may_handle_reporting,
    members_for_reporting,
    pending_reports,
    rejected_reports,
    report_history,
)

# Registration attempts per client IP per window (seconds); overridable in settings.
REGISTER_LIMIT = 20
REGISTER_WINDOW = 3600


def _allow_registration(request: HttpRequest) -> bool:
    """Count one registration attempt for the client; False once over the limit (a fixed
    window in the shared rate-limit cache, per client address like the public finder)."""
    limit = getattr(settings, "GRIDGOV_REPORTING_REGISTER_LIMIT", REGISTER_LIMIT)
    window = getattr(settings, "GRIDGOV_REPORTING_REGISTER_WINDOW", REGISTER_WINDOW)
    return allow(request, "reporting:register", limit, window)


def staff_required(view):
    """Community secretaries and staff, street admins (and superusers); others get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_handle_reporting(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _map_context() -> dict:
    background = from_settings(settings)
    return {
        "outlines": grids_geojson(Grid.objects.filter(level=Level.COMMUNITY)),
        # The background's layers and datum: on GCJ-02 (Gaode) the page's script shifts the
        # outlines for display and a tap back to WGS84 (static/js/gridgov-crs.js).
        "tiles": background.leaflet(),
        "display_crs": background.crs,
        "centre": list(settings.LEAFLET_CONFIG["DEFAULT_CENTER"]),
    }


def _back(request: HttpRequest, default: str, **kwargs) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default, **kwargs)


def index(request: HttpRequest) -> HttpResponse:
    """/reporting/: staff to the confirmation queue, members to their page, others to the
    registration form."""
    if may_handle_reporting(request.user):
        return redirect("reporting:pending")
    if member_for(request.user) is not None:
        return redirect("reporting:me")
    return redirect("reporting:register")


# --- the member ---------------------------------------------------------------------------


def register(request: HttpRequest) -> HttpResponse:
    """到居住地社区报到 online: public, phone first. A signed-in user without a member record
    registers without choosing a new login."""
    if member_for(request.user) is not None:
        return redirect("reporting:me")
    signed_in = request.user.is_authenticated
    form_class = ReportForm if signed_in else RegistrationForm
    if request.method == "POST":
        if not _allow_registration(request):
            response = render(request, "reporting/register.html", {"limited": True}, status=429)
            response["Retry-After"] = str(
                getattr(settings, "GRIDGOV_REPORTING_REGISTER_WINDOW", REGISTER_WINDOW)
            )
            return response
        form = form_class(request.POST)
        if form.is_valid():
            account = (
                {"user": request.user}
                if signed_in
                else {
                    "username": form.cleaned_data["username"],
                    "password": form.cleaned_data["password1"],
                }
            )
            try:
                member = services.report_register(
                    **form.details(), location=form.location, **account
                )
            except ValidationError as exc:
                form.show_service_errors(exc)
            else:
                if not signed_in:
                    login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _("Thank you: your reporting was sent to %(c)s. The community will confirm it.")
                    % {"c": member.community.name},
                )
                return redirect("reporting:me")
    else:
        form = form_class()
    return render(
        request, "reporting/register.html", {"form": form, "signed_in": signed_in, **_map_context()}
    )


def _initial(member) -> dict:
    data = {name: getattr(member, name) for name in ReportForm.DETAILS}
    data["work_unit"], data["unit_organisation"] = (
        member.work_unit_id,
        member.unit_organisation_id,
    )
    if member.location is not None:
        data.update(lon=f"{member.location.x:.7f}", lat=f"{member.location.y:.7f}", crs="wgs84")
    return data


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The member's own reporting: status, the reason of a rejection, the history, and the
    form to correct and resubmit while the community has not confirmed it."""
    member = member_for(request.user)
    if member is None:
        return render(request, "reporting/me.html", {"member": None})
    editable = member.report_status in REPORT_TRANSITIONS["submit"]
    form = None
    if editable:
        if request.method == "POST":
            form = ReportForm(request.POST)
            if form.is_valid():
                try:
                    services.report_resubmit(
                        member=member,
                        acting_user=request.user,
                        location=form.location,
                        **form.details(),
                    )
                except ValidationError as exc:
                    form.show_service_errors(exc)
                else:
                    messages.success(request, _("Your corrections were sent to the community."))
                    return redirect("reporting:me")
        else:
            form = ReportForm(initial=_initial(member))
    elif request.method == "POST":
        messages.error(
            request,
            _("Your reporting was confirmed on %(day)s: ask your community to change it.")
            % {"day": member.reported_on},
        )
        return redirect("reporting:me")
    year = timezone.localdate().year
    return render(
        request,
        "reporting/me.html",
        {
            "member": member,
            "form": form,
            "history": report_history(member),
            "deadline": deadline_for(year=year, community=member.community_id),
            "year": year,
            **(_map_context() if form is not None else {}),
        },
    )


# --- community staff ----------------------------------------------------------------------


@staff_required
def pending(request: HttpRequest) -> HttpResponse:
    year = timezone.localdate().year
    communities = list(communities_for_reporting(request.user)[:100])
    return render(
        request,
        "reporting/pending.html",
        {
            "rows": pending_reports(request.user),
            "rejected": rejected_reports(request.user)[:100],
            "deadlines": [(c, deadline_for(year=year, community=c)) for c in communities],
            "year": year,
        },
    )


@staff_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(
        members_for_reporting(request.user).select_related(
            "community", "compound", "building", "work_unit", "unit_organisation"
        ),
        pk=pk,
    )
    return render(
        request,
        "reporting/member.html",
        {
            "member": member,
            "history": report_history(member),
            "can_decide": member.report_status in REPORT_TRANSITIONS["confirm"],
        },
    )


@require_POST
@staff_required
def member_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in ("confirm", "reject"):
        raise Http404(step)
    member = get_object_or_404(members_for_reporting(request.user), pk=pk)
    try:
        if step == "confirm":
            services.report_confirm(member=member, acting_user=request.user)
            text = _("%(member)s's reporting is confirmed.") % {"member": member}
        else:
            services.report_reject(
                member=member, acting_user=request.user, reason=request.POST.get("reason", "")
            )
            text = _("%(member)s's reporting is rejected; the member sees your reason.") % {
                "member": member
            }
    except services.ReportingNotAllowed as exc:
        raise PermissionDenied(exc.text) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, text)
    return _back(request, "reporting:pending")
