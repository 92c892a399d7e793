"""Admin for people: scoped by grid, personal data only for roles that may read it, map
widgets served locally, and members/households saved through services (located + audited).
A member's reporting history and the confirm action are added by gridgov.reporting.admin."""

from django.contrib import admin
from django.db.models import Q

from gridgov.accounts import policy
from gridgov.accounts.admin import AuditedAdminMixin, ScopedAdminMixin
from gridgov.grids.admin_map import GridMapAdmin
from gridgov.people.models import (
    CoBuildingUnit,
    Household,
    Member,
    PartyOrganisation,
    Resident,
    Vulnerability,
)
from gridgov.people.services import household_create, household_update, member_create, member_update

LOCATION_READONLY = [
    "community",
    "compound",
    "building",
    "nearest_building",
    "nearest_distance_m",
    "grid_code",
    "located_at",
]
REPORT_READONLY = ["report_status", "reported_on", "report_submitted_at", "report_reject_reason"]


class ServiceSavedAdmin(GridMapAdmin):
    """Saves through create/update services, which locate the point and audit the write."""

    create_service = None
    update_service = None
    update_kwarg = ""

    def save_model(self, request, obj, form, change):
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            saved = type(self).update_service(
                acting_user=request.user, **{self.update_kwarg: obj}, **changes
            )
        else:
            fields = {f: form.cleaned_data[f] for f in form.cleaned_data}
            saved = type(self).create_service(acting_user=request.user, **fields)
        obj.pk = saved.pk
        for f in LOCATION_READONLY:
            setattr(obj, f, getattr(saved, f))


@admin.register(Member)
class MemberAdmin(ScopedAdminMixin, ServiceSavedAdmin):
    capability = policy.READ_MEMBERS
    personal_data = True  # full phone, home address and point: every look is logged
    create_service = staticmethod(member_create)
    update_service = staticmethod(member_update)
    update_kwarg = "member"
    list_display = [
        "name",
        "kind",
        "report_status",
        "reported_on",
        "work_unit",
        "community",
        "compound",
        "building",
        "grid_code",
    ]
    list_filter = ["kind", "report_status", "is_formal"]
    search_fields = ["name", "address", "grid_code", "phone"]
    # The reporting status moves only through the reporting services (pages, the action).
    readonly_fields = [*LOCATION_READONLY, *REPORT_READONLY]
    raw_id_fields = ["work_unit", "unit_organisation", "user"]
    list_select_related = ["community", "compound", "building", "work_unit"]


class ResidentInline(admin.TabularInline):
    model = Resident
    extra = 0
    fields = ["name", "gender", "birth_year", "phone", "is_head"]


@admin.register(Household)
class HouseholdAdmin(ScopedAdminMixin, ServiceSavedAdmin):
    capability = policy.READ_RESIDENTS
    create_service = staticmethod(household_create)
    update_service = staticmethod(household_update)
    update_kwarg = "household"
    personal_data = True
    inlines = [ResidentInline]
    list_display = [
        "address",
        "room",
        "resident_count",
        "community",
        "compound",
        "building",
        "grid_code",
    ]
    search_fields = ["address", "grid_code"]
    readonly_fields = ["resident_count", *LOCATION_READONLY]
    list_select_related = ["community", "compound", "building"]


@admin.register(Resident)
class ResidentAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    capability = policy.READ_RESIDENTS
    scope_field = "household__grid_code"
    personal_data = True
    list_display = ["name", "gender", "birth_year", "household"]
    search_fields = ["name"]
    raw_id_fields = ["household"]


@admin.register(Vulnerability)
class VulnerabilityAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    capability = policy.READ_RESIDENTS
    scope_field = "resident__household__grid_code"
    personal_data = True
    list_display = ["resident", "category", "surveyed_year"]
    list_filter = ["category", "surveyed_year"]
    raw_id_fields = ["resident"]


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Branches by their grid; units' organisations (no grid) report to any community, so
    every planner sees them and only district-wide staff change them."""

    capability = policy.PLAN
    scope_field = "grid__code"
    shared = Q(grid__isnull=True)
    list_display = ["name", "kind", "grid", "unit", "secretary", "founded_on"]
    list_filter = ["kind"]
    search_fields = ["name", "grid__code"]
    raw_id_fields = ["grid", "unit", "secretary"]


@admin.register(CoBuildingUnit)
class CoBuildingUnitAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Units work with several communities: a list every community's reporting staff reads,
    kept by district-wide staff."""

    capability = policy.CONFIRM_REPORTING
    scope_field = None
    list_display = ["name", "address", "contact_phone"]
    search_fields = ["name"]
