"""Issuing API keys: the whole key is shown once, on the page after saving; the list shows
prefix, scopes, revocation and last use; keys are revoked, never deleted; the use log is
read-only.

Least privilege: keys are seen, issued, changed and revoked only by superusers and staff who
hold ``policy.MANAGE_API_KEYS`` over the whole district (an unscoped street office admin),
and then only with the model permissions too; a scoped user gets no API key page at all,
whatever permissions an operator gave them. Issue, change and revoke go through the services
(audited)."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gridgov.accounts import policy
from gridgov.accounts.admin import ScopedAdminMixin
from gridgov.api.models import ApiKey, ApiKeyUse
from gridgov.api.services import api_key_change, api_key_issue, api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    capability = policy.MANAGE_API_KEYS
    district_only = True
    list_display = (
        "name",
        "prefix",
        "can_read",
        "can_post_requests",
        "scope_code",
        "rate_limit_per_minute",
        "revoked",
        "last_used_at",
        "created_at",
    )
    list_filter = ("can_read", "can_post_requests", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "scope_code")
    fields = (
        "name",
        "can_read",
        "can_post_requests",
        "scope_code",
        "rate_limit_per_minute",
        "prefix",
        "created_by",
        "created_at",
        "revoked_at",
        "last_used_at",
    )
    readonly_fields = ("prefix", "created_by", "created_at", "revoked_at", "last_used_at")
    actions = ["revoke"]

    @admin.display(boolean=True, description=gettext_lazy("revoked"), ordering="revoked_at")
    def revoked(self, key: ApiKey) -> bool:
        return key.revoked_at is not None

    def save_model(self, request, obj, form, change):
        if change:
            api_key_change(key=obj, acting_user=request.user)
            return
        raw = api_key_issue(key=obj, acting_user=request.user)
        messages.success(
            request,
            _("API key for %(name)s: %(key)s — copy it now, it will not be shown again.")
            % {"name": obj.name, "key": raw},
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the use log keeps pointing at the key

    @admin.action(description=gettext_lazy("Revoke the selected API keys"), permissions=["change"])
    def revoke(self, request, queryset):
        done = sum(api_key_revoke(key=key, acting_user=request.user) for key in queryset)
        self.message_user(
            request,
            ngettext("%(n)d API key revoked.", "%(n)d API keys revoked.", done) % {"n": done},
            messages.SUCCESS,
        )


@admin.register(ApiKeyUse)
class ApiKeyUseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Who called with which key: for those who manage the keys (district-wide only)."""

    capability = policy.MANAGE_API_KEYS
    district_only = True
    list_display = ("at", "key", "prefix", "method", "path", "status_code", "remote_addr")
    list_filter = ("status_code", "method")
    search_fields = ("key__name", "prefix", "path", "remote_addr")
    date_hierarchy = "at"
    list_select_related = ("key",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
