from django.contrib import admin

from gridgov.accounts import policy
from gridgov.accounts.admin import ScopedAdminMixin
from gridgov.messaging.models import Message
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


@admin.register(Message)
class MessageAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The outbox of SMS and e-mail (gridgov.messaging), read-only: staff see what was
    sent, what waits for another attempt and what failed for good, with the last error.
    Messages hold phone numbers and addresses of every grid: only for whoever reads
    residents everywhere, as the notices. (Registered here: messaging sits below the
    accounts and knows no policy.)"""

    capability = policy.READ_RESIDENTS
    district_only = True

    list_display = (
        "created_at",
        "channel",
        "to",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel")
    search_fields = ("to", "ref")
    readonly_fields = (
        "channel",
        "to",
        "subject",
        "body",
        "ref",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "provider_id",
        "created_at",
    )
    exclude = ("key", "claim", "claimed_until")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
