"""Admin for grids: map widgets served locally (django-leaflet), every save through services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from gridgov.accounts import policy
from gridgov.accounts.admin import AuditedAdminMixin, ScopedAdminMixin
from gridgov.grids.admin_map import GridMapAdmin
from gridgov.grids.models import Grid, GridRole, Street
from gridgov.grids.services import (
    as_multipolygon,
    grid_check,
    grid_create,
    grid_update,
    gridrole_assign,
)


class GridForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["level", "parent", "code", "name", "kind", "geom"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Accept a Polygon too (drawn or pasted): the service coerces it to a MultiPolygon
        # and refuses anything that is not polygonal, naming the grid.
        self.fields["geom"].geom_type = "GEOMETRY"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["geom"] = as_multipolygon(data["geom"], label=data.get("code") or "?")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        probe = Grid(pk=self.instance.pk, **{f: data.get(f) for f in self.Meta.fields})
        try:
            grid_check(probe)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return data


@admin.register(Grid)
class GridAdmin(ScopedAdminMixin, GridMapAdmin):
    """Grids are drawn and renamed by those who plan them (community staff and above), inside
    their subtree: a grid's code and outline decide everyone's scope."""

    capability = policy.PLAN
    scope_field = "code"
    form = GridForm
    list_display = ["code", "name", "level", "kind", "parent", "updated_at"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    ordering = ["code"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data.get(f) for f in form.Meta.fields}
        if change:
            changes = {f: data[f] for f in form.changed_data}
            saved = grid_update(grid=obj, acting_user=request.user, **changes)
        else:
            saved = grid_create(acting_user=request.user, **data)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        # Grid codes are stable and people are located in grids: retire, never delete here.
        return False


@admin.register(GridRole)
class GridRoleAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Leaders are appointed with the plans of their grids (community staff and above)."""

    capability = policy.PLAN
    scope_field = "grid__code"
    list_display = ["grid", "role", "member", "since", "until"]
    list_filter = ["role"]
    search_fields = ["grid__code", "grid__name", "member__name"]
    raw_id_fields = ["grid", "member"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            saved = gridrole_assign(
                grid=obj.grid,
                member=obj.member,
                role=obj.role,
                since=obj.since,
                acting_user=request.user,
            )
            obj.pk = saved.pk


@admin.register(Street)
class StreetAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """A street office's own street (its scope is the street's code)."""

    capability = policy.PLAN
    scope_field = "code"
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
