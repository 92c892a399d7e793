"""Admin for access and audit, plus the mixins every GridGov admin uses."""

from django.contrib import admin
from django.db import transaction

from gridgov.accounts import policy
from gridgov.accounts.models import Assignment, AuditEntry
from gridgov.accounts.selectors import resident_prefixes, scope_prefixes, scope_q
from gridgov.accounts.services import access_record, audit_record, snapshot


class AuditedAdminMixin:
    """Saves and deletes made in the admin leave an audit row in the same transaction."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            audit_record(actor=request.user, action=f"admin.{'change' if change else 'add'}",
                         obj=obj, before=before, after=snapshot(obj))

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(actor=request.user, action="admin.delete", obj=obj, before=snapshot(obj))
            super().delete_model(request, obj)


class ScopedAdminMixin:
    """Non-superusers see only rows inside their grid scope (``scope_field`` holds a grid
    code); ``personal_data`` rows only for roles allowed to read residents."""

    scope_field = "grid_code"
    personal_data = False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        prefixes = (resident_prefixes if self.personal_data else scope_prefixes)(request.user)
        return qs.filter(scope_q(prefixes, self.scope_field))

    # Every look at personal data is logged: who, when, which record or which list.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if self.personal_data and request.method == "GET" and response.status_code == 200:
            access_record(actor=request.user, action="personal.view", model=self.model,
                          object_id=object_id)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if self.personal_data and getattr(response, "status_code", 200) == 200:
            access_record(actor=request.user, action="personal.list", model=self.model,
                          what="admin " + (request.META.get("QUERY_STRING") or "all"))
        return response


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "scope_code", "grid", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "scope_code"]
    raw_id_fields = ["grid"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail cannot be edited or deleted through the application."""

    list_display = ["at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    date_hierarchy = "at"

    def has_view_permission(self, request, obj=None):
        # Rows hold snapshots of people of every grid: only for whoever reads residents
        # everywhere (superusers, an unscoped street admin), whatever permissions say.
        return (super().has_view_permission(request, obj)
                and policy.prefixes(request.user, policy.READ_RESIDENTS) is None)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
