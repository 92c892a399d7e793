"""Admin for cases: scoped by grid, personal data only for roles that read residents, new
cases saved through case_create (located, numbered, audited) and the state machine out of
reach — status, holders and timestamps are read-only; steps happen on the case pages."""

from django.contrib import admin
from django.utils.translation import gettext as _

from gridgov.accounts import policy
from gridgov.accounts.admin import AuditedAdminMixin, ScopedAdminMixin
from gridgov.cases.models import Case, CaseCategory, CaseEvent
from gridgov.cases.services import EDITABLE_FIELDS, case_create, case_update
from gridgov.grids.admin_map import GridMapAdmin
from gridgov.grids.placement import locate_one

STATE_FIELDS = [
    "number",
    "status",
    "closure_reason",
    "duplicate_of",
    "dispatched_to",
    "taken_by",
    "created_at",
    "opened_at",
    "first_response_at",
    "dispatched_at",
    "taken_at",
    "started_at",
    "resolved_at",
    "closed_at",
    "escalated",
    "escalated_at",
    "escalation_note",
    "reopened_count",
    "feedback",
    "satisfaction",
    "feedback_at",
    "community",
    "compound",
    "building",
    "nearest_building",
    "nearest_distance_m",
    "grid_code",
    "located_at",
]


@admin.register(CaseCategory)
class CaseCategoryAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    capability = policy.HANDLE_CASES
    scope_field = None  # one catalogue for the district
    list_display = [
        "code",
        "name",
        "kind",
        "first_response_sla_minutes",
        "resolution_sla_hours",
        "active",
    ]
    list_filter = ["kind", "active"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_status", "to_status", "member", "actor", "note", "satisfaction"]
    readonly_fields = fields
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ScopedAdminMixin, GridMapAdmin):
    capability = policy.READ_RESIDENTS  # a requester's name, phone and room
    personal_data = True
    inlines = [CaseEventInline]
    list_display = ["number", "title", "category", "status", "escalated", "grid_code", "opened_at"]
    list_filter = ["status", "category", "channel", "escalated"]
    search_fields = ["number", "title", "grid_code", "requester_name"]
    raw_id_fields = ["requester", "requester_user"]
    list_select_related = ["category"]
    date_hierarchy = "opened_at"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return STATE_FIELDS
        return [*STATE_FIELDS, "location", "category"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form

        class CaseAddForm(form):
            def clean(self):
                data = super().clean()
                point = data.get("location")
                if point is not None:
                    placement = locate_one(point)
                    if not len(placement.community) or not placement.community[0]:
                        self.add_error(
                            "location",
                            _(
                                "This point lies outside every community: no grid would answer "
                                "the case."
                            ),
                        )
                return data

        return CaseAddForm

    def has_delete_permission(self, request, obj=None):
        return False  # a case is closed with a reason, never deleted

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {f: data[f] for f in form.changed_data if f in EDITABLE_FIELDS}
            saved = case_update(case=obj, acting_user=request.user, **changes) if changes else obj
        else:
            fields = {
                f: data.get(f)
                for f in (
                    "category",
                    "channel",
                    "title",
                    "requester_name",
                    "location",
                    "description",
                    "requester_phone",
                    "address",
                    "requester",
                    "requester_user",
                )
            }
            saved = case_create(
                acting_user=request.user,
                **{
                    k: (
                        v
                        if v is not None
                        or k in ("location", "requester", "requester_user", "category")
                        else ""
                    )
                    for k, v in fields.items()
                },
            )
        obj.pk = saved.pk
        for f in STATE_FIELDS:
            setattr(obj, f, getattr(saved, f))

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # no history before the case exists
