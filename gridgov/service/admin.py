"""Admin for service categories, activities, sign-ups and self-organised service: scoped by
grid, every write through the services (so it is checked and audited like the pages), the
state (places taken, check-in, hours, review) read-only. The check-in code is not shown
here: only the organisers' page shows it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts import policy
from gridgov.accounts.admin import AuditedAdminMixin, ScopedAdminMixin
from gridgov.grids.admin_map import GridMapAdmin
from gridgov.service import services
from gridgov.service.forms import FIELD_FOR
from gridgov.service.models import Activity, SelfService, ServiceCategory, SignUp

ACTIVITY_FIELDS = [
    "organiser_grid",
    "title",
    "category",
    "description",
    "address",
    "location",
    "starts_at",
    "ends_at",
    "capacity",
]
ACTIVITY_STATE = [
    "status",
    "places_taken",
    "cancel_reason",
    "cancelled_at",
    "created_by",
    "created_at",
    "community",
    "compound",
    "building",
    "grid_code",
    "located_at",
]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    capability = policy.ORGANISE_ACTIVITIES
    scope_field = None  # one catalogue for the district
    list_display = ["code", "name", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False  # activities and posts refer to it: retire it (active off) instead


def _dry_run(form, call) -> None:
    """Ask the service itself inside a savepoint that is rolled back, so the form shows the
    service's own refusals on its fields instead of failing on save."""
    sid = transaction.savepoint()
    try:
        call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, msgs in exc.message_dict.items():
                target = FIELD_FOR.get(field, field)
                form.add_error(target if target in form.fields else None, msgs)
        else:
            form.add_error(None, exc.messages)
    finally:
        transaction.savepoint_rollback(sid)


@admin.register(Activity)
class ActivityAdmin(ScopedAdminMixin, GridMapAdmin):
    capability = policy.ORGANISE_ACTIVITIES
    scope_field = "organiser_grid__code"
    list_display = [
        "title",
        "category",
        "organiser_grid",
        "starts_at",
        "capacity",
        "places_taken",
        "status",
    ]
    list_filter = ["status", "category"]
    search_fields = ["title", "grid_code", "address"]
    list_select_related = ["category", "organiser_grid"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["organiser_grid"]
    fields = [*ACTIVITY_FIELDS, *ACTIVITY_STATE]

    def get_readonly_fields(self, request, obj=None):
        return ACTIVITY_STATE if obj is None else ["organiser_grid", *ACTIVITY_STATE]

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled with a reason on the organisers' page, never deleted

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        admin_self = self

        class ActivityAdminForm(form):
            def clean(self):
                data = super().clean()
                if not self.errors:
                    _dry_run(self, lambda: admin_self._write(request, self, obj))
                return data

        return ActivityAdminForm

    def _write(self, request, form, obj) -> Activity:
        data = form.cleaned_data
        if obj is None or obj.pk is None:
            return services.activity_publish(
                acting_user=request.user, **{f: data.get(f) for f in ACTIVITY_FIELDS}
            )
        changes = {
            f: data.get(f) for f in form.changed_data if f in services.activities.EDITABLE_FIELDS
        }
        if not changes:
            return obj
        return services.activity_update(activity=obj, acting_user=request.user, **changes)

    def save_model(self, request, obj, form, change):
        saved = self._write(request, form, Activity.objects.get(pk=obj.pk) if change else None)
        obj.pk = saved.pk
        for field in ("places_taken", "checkin_code", *ACTIVITY_STATE):
            setattr(obj, field, getattr(saved, field))


@admin.action(description=gettext_lazy("Confirm the activity's full length as hours"))
def confirm_full_hours(modeladmin, request, queryset):
    done = 0
    for signup in queryset.select_related("activity"):
        try:
            services.signup_confirm_hours(
                signup=signup, hours=signup.activity.length_hours, acting_user=request.user
            )
            done += 1
        except ValidationError as exc:
            modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
    if done:
        modeladmin.message_user(request, _("Hours confirmed for %(n)s sign-ups.") % {"n": done})


@admin.register(SignUp)
class SignUpAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only history; hours are confirmed through the service (action or page)."""

    capability = policy.ORGANISE_ACTIVITIES
    scope_field = "activity__organiser_grid__code"
    list_display = [
        "activity",
        "member",
        "status",
        "signed_up_at",
        "checked_in_at",
        "checkin_method",
        "hours",
    ]
    list_filter = ["status", "checkin_method"]
    search_fields = ["member__name", "activity__title"]
    list_select_related = ["activity", "member"]
    actions = [confirm_full_hours]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in SignUp._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # actions only


@admin.action(description=gettext_lazy("Confirm the selected self-organised service"))
def confirm_self_service(modeladmin, request, queryset):
    done = 0
    for record in queryset:
        try:
            services.selfservice_confirm(record=record, acting_user=request.user)
            done += 1
        except ValidationError as exc:
            modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(n)s confirmed.") % {"n": done})


@admin.register(SelfService)
class SelfServiceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only; members submit on their page, staff confirm (action or page) or reject
    with a reason on the page. The photo opens through the checking view. Read by those who
    read personal data there; confirmed by those who review service."""

    capability = policy.READ_RESIDENTS
    write_capability = policy.REVIEW_SERVICE
    personal_data = True
    list_display = [
        "member",
        "served_on",
        "hours",
        "category",
        "status",
        "grid_code",
        "submitted_at",
    ]
    list_filter = ["status", "category"]
    search_fields = ["member__name", "description", "grid_code"]
    list_select_related = ["member", "category"]
    date_hierarchy = "served_on"
    actions = [confirm_self_service]
    exclude = ["photo"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in SelfService._meta.fields if f.name != "photo"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def view_on_site(self, obj):
        from django.urls import reverse

        return reverse("service:self", args=[obj.pk])
