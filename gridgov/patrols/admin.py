"""Admin for patrols: routes drawn on a local Leaflet map and saved through the services (a
route leaving its grid is a form error with the metres outside); patrols recorded through
patrol_record with an optional GPX upload; findings added through finding_add."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridgov.accounts import policy
from gridgov.accounts.admin import AuditedAdminMixin, ScopedAdminMixin
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.admin_map import GridMapAdmin, GridMapAdminMixin
from gridgov.patrols.models import Finding, Patrol, PatrolRoute
from gridgov.patrols.services import (
    finding_add,
    finding_check,
    patrol_record,
    route_check,
    route_create,
    route_update,
    track_read,
)


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or the form when unknown)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PatrolRouteForm(forms.ModelForm):
    class Meta:
        model = PatrolRoute
        fields = ["grid", "name", "route", "schedule", "team", "active"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        probe = PatrolRoute(
            pk=self.instance.pk,
            grid=data["grid"],
            name=data["name"],
            route=data["route"],
            schedule=data["schedule"],
        )
        try:
            route_check(probe)
        except ValidationError as exc:
            _form_errors(self, exc)
        return data


@admin.register(PatrolRoute)
class PatrolRouteAdmin(ScopedAdminMixin, GridMapAdmin):
    capability = policy.RECORD_PATROLS
    scope_field = "grid__code"  # staff see the routes of their grids (as in the API)
    form = PatrolRouteForm
    list_display = ["name", "grid", "schedule", "active", "updated_at"]
    list_filter = ["schedule", "active"]
    search_fields = ["name", "grid__code", "grid__name"]
    raw_id_fields = ["grid"]
    filter_horizontal = ["team"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            "grid": data["grid"],
            "name": data["name"],
            "line": data["route"],
            "schedule": data["schedule"],
            "team": data["team"],
            "active": data["active"],
        }
        if change:
            saved = route_update(route=obj, acting_user=request.user, **fields)
        else:
            saved = route_create(acting_user=request.user, **fields)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # The team was written (and audited) by the service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        # Patrols refer to routes: retire a route (active off) instead.
        return False


class FindingFormSet(forms.BaseInlineFormSet):
    """Checks each new or changed finding against the patrol's route (distance in metres)."""

    def clean(self):
        super().clean()
        route = getattr(self.instance, "route", None)
        if route is None:
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not form.has_changed() or form.errors:
                continue
            try:
                finding_check(
                    route=route, point=data["point"], kind=data["kind"], note=data.get("note", "")
                )
            except ValidationError as exc:
                _form_errors(form, exc)


class FindingInline(GridMapAdminMixin, admin.TabularInline):
    model = Finding
    formset = FindingFormSet
    extra = 0
    fields = ["kind", "point", "note", "opened_case_number"]
    readonly_fields = ["opened_case_number"]


class PatrolForm(forms.ModelForm):
    gpx = forms.FileField(
        label=_("GPX file"),
        required=False,
        help_text=_("The GPS track recorded on the walk (optional)."),
    )

    class Meta:
        model = Patrol
        fields = ["route", "walked_on", "started_at", "ended_at", "members", "notes"]

    def clean(self):
        data = super().clean()
        if self.errors or self.instance.pk or not data.get("gpx"):
            return data
        try:
            track_read(route=data["route"], gpx=data["gpx"])
        except ValidationError as exc:
            _form_errors(self, exc)
        return data


@admin.register(Patrol)
class PatrolAdmin(ScopedAdminMixin, AuditedAdminMixin, GridMapAdmin):
    capability = policy.RECORD_PATROLS
    scope_field = "route__grid__code"
    form = PatrolForm
    inlines = [FindingInline]
    list_display = ["route", "walked_on", "track_length_m", "created_by", "created_at"]
    list_filter = ["walked_on"]
    search_fields = ["route__name", "route__grid__code", "notes"]
    raw_id_fields = ["route"]
    filter_horizontal = ["members"]
    date_hierarchy = "walked_on"

    def get_readonly_fields(self, request, obj=None):
        # What the walk was (route, date, track) is fixed once recorded.
        fixed = ["track_length_m", "created_by"]
        return fixed + (["route", "walked_on", "track"] if obj else [])

    def get_fields(self, request, obj=None):
        fields = ["route", "walked_on", "started_at", "ended_at", "members", "notes"]
        return fields + (["track", "track_length_m", "created_by"] if obj else ["gpx"])

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)  # audited by the mixin
            return
        data = form.cleaned_data
        saved = patrol_record(
            route=data["route"],
            walked_on=data["walked_on"],
            members=data["members"],
            acting_user=request.user,
            gpx=data.get("gpx"),
            notes=data.get("notes", ""),
            started_at=data.get("started_at"),
            ended_at=data.get("ended_at"),
        )
        obj.pk = saved.pk
        obj.track, obj.track_length_m = saved.track, saved.track_length_m

    def save_related(self, request, form, formsets, change):
        if change:
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Finding:
            return super().save_formset(request, form, formset, change)
        findings = formset.save(commit=False)
        for finding in formset.deleted_objects:
            audit_record(
                actor=request.user, action="admin.delete", obj=finding, before=snapshot(finding)
            )
            finding.delete()
        for finding in findings:
            if finding.pk is None:
                finding_add(
                    patrol=form.instance,
                    point=finding.point,
                    kind=finding.kind,
                    note=finding.note,
                    acting_user=request.user,
                )
            else:
                before = snapshot(Finding.objects.get(pk=finding.pk))
                finding.save()
                audit_record(
                    actor=request.user,
                    action="admin.change",
                    obj=finding,
                    before=before,
                    after=snapshot(finding),
                )
        return None


@admin.register(Finding)
class FindingAdmin(ScopedAdminMixin, AuditedAdminMixin, GridMapAdmin):
    capability = policy.RECORD_PATROLS
    scope_field = "patrol__route__grid__code"
    list_display = ["kind", "patrol", "opened_case_number", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["patrol"]
    readonly_fields = ["opened_case_number"]
