"""Admin for branch plans: scoped to the user's grids; created through plan_propose, moved
only through the services (approve and found as actions; reject by giving a reason on the
change form); the status is never edited by hand."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts import policy
from gridgov.accounts.admin import AuditedAdminMixin, ScopedAdminMixin
from gridgov.grids.admin_map import GridMapAdmin
from gridgov.grids.models import Grid, Level, ServiceStation
from gridgov.planning import services
from gridgov.planning.models import OPEN_STATUSES, BranchPlan, HouseholdTeam, MemberGroup

STATE_FIELDS = ["status", "organisation", "created_by", "created_at", "updated_at"]


def _run(modeladmin, request, queryset, step):
    done = 0
    for plan in queryset:
        try:
            getattr(services, f"plan_{step}")(plan=plan, acting_user=request.user)
            done += 1
        except services.PlanError as error:
            modeladmin.message_user(request, f"{plan}: {error.text}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(n)d plan(s) updated.") % {"n": done})


@admin.action(description=gettext_lazy("Approve the selected plans"))
def approve(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "approve")


@admin.action(description=gettext_lazy("Found the branches of the selected plans"))
def found(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, "found")


@admin.register(BranchPlan)
class BranchPlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    capability = policy.PLAN
    scope_field = "compound__code"
    list_display = ["compound", "status", "proposed_secretary", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["compound__code", "compound__name"]
    raw_id_fields = ["compound", "proposed_secretary", "members"]
    actions = [approve, found]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return [*STATE_FIELDS, "reject_reason"]
        fixed = [*STATE_FIELDS, "compound", "proposed_secretary", "members"]
        return fixed if obj.status in OPEN_STATUSES else [*fixed, "reject_reason"]

    def has_delete_permission(self, request, obj=None):
        return False  # a plan is rejected with a reason, never deleted

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form

        class ProposeForm(form):
            def clean(self):
                data = super().clean()
                if data.get("compound") is not None:
                    try:
                        services.plan_check_proposal(
                            compound=data["compound"],
                            acting_user=request.user,
                            members=data.get("members", []),
                            proposed_secretary=data.get("proposed_secretary"),
                        )
                    except services.PlanError as error:
                        self.add_error(None, error.text)
                return data

        return ProposeForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if "note" in form.changed_data:
                services.plan_note(plan=obj, note=data.get("note", ""), acting_user=request.user)
            if "reject_reason" in form.changed_data and data.get("reject_reason", "").strip():
                services.plan_reject(
                    plan=obj, reason=data["reject_reason"], acting_user=request.user
                )
            return
        plan = services.plan_propose(
            compound=data["compound"],
            acting_user=request.user,
            members=data.get("members", []),
            proposed_secretary=data.get("proposed_secretary"),
            note=data.get("note", ""),
        )
        obj.pk = plan.pk
        obj.status = plan.status

    def save_related(self, request, form, formsets, change):
        pass  # plan_propose set the members; they are read-only afterwards


# --- member groups and household teams: read-only here, edited on their planning pages -------


class ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Saved sets are replaced as a whole by the services behind /planning/groups/ and
    /planning/teams/; the admin only shows them."""

    capability = policy.PLAN

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MemberGroup)
class MemberGroupAdmin(ReadOnlyAdmin):
    scope_field = "compound__code"
    list_display = ["compound", "number", "leader", "deputy", "size", "created_by", "created_at"]
    search_fields = ["compound__code", "compound__name"]
    list_select_related = ["compound", "leader", "deputy", "created_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("memberships"))

    @admin.display(description=gettext_lazy("members"), ordering="n")
    def size(self, obj):
        return obj.n


@admin.register(HouseholdTeam)
class HouseholdTeamAdmin(ReadOnlyAdmin):
    scope_field = "grid__code"
    personal_data = True  # which households a team owns
    list_display = ["grid", "number", "size", "created_by", "created_at"]
    search_fields = ["grid__code", "grid__name"]
    list_select_related = ["grid", "created_by"]
    exclude = ["households"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("ownerships"))

    @admin.display(description=gettext_lazy("households"), ordering="n")
    def size(self, obj):
        return obj.n


# --- service stations (党群服务站): a grids model, administered here with the planning pages ----


@admin.register(ServiceStation)
class ServiceStationAdmin(AuditedAdminMixin, ScopedAdminMixin, GridMapAdmin):
    """Scoped by the station's community; the point must lie in the community (model
    clean). Public information: the finder shows name, address, hours and phone. Kept by
    those who plan the community (PLAN)."""

    capability = policy.PLAN

    scope_field = "community__code"
    list_display = ["name", "community", "opening_hours", "phone", "updated_at"]
    search_fields = ["name", "community__code", "community__name", "address"]
    fields = ["community", "name", "address", "location", "opening_hours", "phone"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community":
            kwargs["queryset"] = Grid.objects.filter(level=Level.COMMUNITY)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
