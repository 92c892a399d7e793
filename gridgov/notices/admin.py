from django.contrib import admin

from gridgov.accounts import policy
from gridgov.accounts.admin import ScopedAdminMixin
from gridgov.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: notices are left by the services, never typed by hand. Their parameters
    name people and cases of every grid: only for whoever reads residents everywhere."""

    capability = policy.READ_RESIDENTS
    district_only = True

    list_display = ("created_at", "user", "kind", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "key")
    readonly_fields = (
        "user",
        "kind",
        "params",
        "url",
        "key",
        "created_at",
        "read_at",
        "emailed_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
