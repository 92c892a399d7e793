"""Pages of the units' side of dual reporting, mounted at /reporting/units/ and
/reporting/unit-reports/: every unit and who of it has not reported in time (with the list
as CSV and Excel to send to the unit), its organisation's reports to the communities
(record, confirm, reject) and its co-building agreements. Reporting staff only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov import spreadsheets
from gridgov.accounts.services import access_record
from gridgov.people.models import CoBuildingUnit, Member
from gridgov.reporting import exporting, services
from gridgov.reporting.forms import AgreementForm, UnitReportForm
from gridgov.reporting.selectors import (
    NOT_IN_TIME,
    Standing,
    agreements_visible_to,
    communities_for_reporting,
    unit_reports_visible_to,
    unit_standing,
    unit_summaries,
)
from gridgov.reporting.views import staff_required


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@staff_required
def units(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    rows = unit_summaries(request.user, year=year)
    if request.GET.get("mine"):
        rows = [r for r in rows if r["members"] or r["org_reported"] or r["agreement"]]
    return render(
        request,
        "reporting/units.html",
        {"rows": rows, "year": year, "mine": bool(request.GET.get("mine"))},
    )


def _unit_context(request: HttpRequest, unit: CoBuildingUnit, year: int) -> dict:
    members = list(unit_standing(request.user, unit, year=year))
    communities = communities_for_reporting(request.user)
    return {
        "unit": unit,
        "year": year,
        "missing": [m for m in members if m.standing in NOT_IN_TIME],
        "in_time": [m for m in members if m.standing == Standing.IN_TIME],
        "reports": unit_reports_visible_to(request.user)
        .filter(organisation__unit=unit)
        .prefetch_related("events"),
        "agreements": agreements_visible_to(request.user).filter(unit=unit),
        "organisations": unit.organisations.all(),
        "today": timezone.localdate(),
        "report_form": UnitReportForm(unit=unit, communities=communities),
        "agreement_form": AgreementForm(communities=communities),
    }


@staff_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(CoBuildingUnit, pk=pk)
    return render(request, "reporting/unit.html", _unit_context(request, unit, _year(request)))


@staff_required
def unit_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Who of the unit has not reported in time (for the year), to send to the unit."""
    unit = get_object_or_404(CoBuildingUnit, pk=pk)
    year = _year(request)
    members = unit_standing(request.user, unit, year=year).filter(standing__in=NOT_IN_TIME)
    name = f"not-reported-{unit.pk}-{year}"
    if fmt in ("csv", "xlsx"):  # names and phones: every download is logged
        access_record(
            actor=request.user, action="personal.export", model=Member, what=f"{name}.{fmt}"
        )
    if fmt == "csv":
        return spreadsheets.download(exporting.as_csv(members), name=name, fmt=fmt)
    if fmt == "xlsx":
        return spreadsheets.download(
            exporting.as_xlsx(members, title=str(year)), name=name, fmt=fmt
        )
    raise Http404(fmt)


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@require_POST
@staff_required
def unit_report_record(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(CoBuildingUnit, pk=pk)
    form = UnitReportForm(
        request.POST, unit=unit, communities=communities_for_reporting(request.user)
    )
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("reporting:unit", pk=unit.pk)
    try:
        services.unit_report_record(acting_user=request.user, **form.cleaned_data)
    except services.ReportingNotAllowed as exc:
        raise PermissionDenied(exc.text) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The report of %(org)s is recorded.") % {"org": form.cleaned_data["organisation"]},
        )
    return redirect("reporting:unit", pk=unit.pk)


@require_POST
@staff_required
def unit_report_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in ("confirm", "reject"):
        raise Http404(step)
    report = get_object_or_404(unit_reports_visible_to(request.user), pk=pk)
    try:
        if step == "confirm":
            services.unit_report_confirm(report=report, acting_user=request.user)
            text = _("The report of %(org)s is confirmed.") % {"org": report.organisation}
        else:
            services.unit_report_reject(
                report=report, acting_user=request.user, reason=request.POST.get("reason", "")
            )
            text = _("The report of %(org)s is rejected.") % {"org": report.organisation}
    except services.ReportingNotAllowed as exc:
        raise PermissionDenied(exc.text) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, text)
    return redirect("reporting:unit", pk=report.organisation.unit_id)


@require_POST
@staff_required
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(CoBuildingUnit, pk=pk)
    form = AgreementForm(request.POST, communities=communities_for_reporting(request.user))
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("reporting:unit", pk=unit.pk)
    try:
        services.agreement_sign(unit=unit, acting_user=request.user, **form.cleaned_data)
    except services.ReportingNotAllowed as exc:
        raise PermissionDenied(exc.text) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The co-building agreement is recorded."))
    return redirect("reporting:unit", pk=unit.pk)
