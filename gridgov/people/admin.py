"""Admin for people: scoped by grid, personal data only for roles that may read it, map
widgets served locally, and members/households saved through services (located + audited)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from leaflet.admin import LeafletGeoAdmin

from gridgov.accounts import policy
from gridgov.accounts.admin import AuditedAdminMixin, ScopedAdminMixin
from gridgov.grids.models import Grid, Level
from gridgov.people.models import (
    CoBuildingAgreement,
    CoBuildingUnit,
    Household,
    Member,
    PartyOrganisation,
    ReportEvent,
    ReportingDeadline,
    Resident,
    UnitReport,
    Vulnerability,
)
from gridgov.people.services import (
    household_create,
    household_update,
    member_create,
    member_update,
    report_confirm,
)
from gridgov.people.unit_services import (
    agreement_sign,
    deadline_set,
    unit_report_confirm,
    unit_report_record,
)

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


class ServiceSavedAdmin(LeafletGeoAdmin):
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


class ReportEventInline(admin.TabularInline):
    """The reporting history, read-only: steps happen on the /reporting/ pages."""

    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.action(description=_("Confirm the reporting of the selected members"))
def confirm_reporting(modeladmin, request, queryset):
    done = 0
    for member in queryset:
        try:
            report_confirm(member=member, acting_user=request.user)
        except ValidationError as exc:
            modeladmin.message_user(request, " ".join(exc.messages), messages.WARNING)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, _("%(n)d confirmed.") % {"n": done}, messages.SUCCESS)


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
    inlines = [ReportEventInline]
    actions = [confirm_reporting]


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


# --- dual reporting -----------------------------------------------------------------------


def _covers(user, community) -> bool:
    return community is not None and policy.allows(user, policy.CONFIRM_REPORTING, community)


class CommunityScopedAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Rows tied to a community: non-superusers see and choose only the communities of their
    reporting scope; a service refusal shows on the form instead of failing the save."""

    capability = policy.CONFIRM_REPORTING
    scope_field = "community__code"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community":
            kwargs["queryset"] = Grid.objects.filter(level=Level.COMMUNITY).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        admin_self = self

        class ServiceCheckedForm(form):
            def clean(self):
                data = super().clean()
                if not self.errors:
                    try:
                        admin_self.service_check(request, obj, data)
                    except ValidationError as exc:
                        if not hasattr(exc, "error_dict"):
                            self.add_error(None, exc.messages)
                            return data
                        for field, errors in exc.message_dict.items():
                            self.add_error(field if field in self.fields else None, errors)
                return data

        return ServiceCheckedForm

    def service_check(self, request, obj, data) -> None:
        """Refuse in the form what the service would refuse (scope, overlaps...)."""


@admin.register(ReportEvent)
class ReportEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: the reporting history cannot be edited through the application."""

    list_display = ["at", "member", "unit_report", "action", "from_status", "to_status", "actor"]
    list_filter = ["action", "to_status"]
    search_fields = ["member__name", "unit_report__organisation__name", "note"]
    date_hierarchy = "at"
    list_select_related = ["member", "unit_report__organisation", "unit_report__community", "actor"]

    capability = policy.CONFIRM_REPORTING
    scope_field = ("member__community__code", "unit_report__community__code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UnitReportEventInline(ReportEventInline):
    fk_name = "unit_report"


@admin.register(UnitReport)
class UnitReportAdmin(CommunityScopedAdmin):
    list_display = ["organisation", "community", "reported_on", "status", "decided_at"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "organisation__unit__name", "community__name"]
    raw_id_fields = ["organisation"]
    list_select_related = ["organisation", "community"]
    inlines = [UnitReportEventInline]
    actions = ["confirm_selected"]

    def get_readonly_fields(self, request, obj=None):
        state = ["status", "reject_reason", "decided_at"]
        return state if obj is None else [*state, "organisation", "community", "reported_on"]

    def service_check(self, request, obj, data) -> None:
        if obj is None and not _covers(request.user, data.get("community")):
            raise ValidationError({"community": _("Choose one of your communities.")})

    def save_model(self, request, obj, form, change):
        if change:  # contact and note only; the audit row comes from the mixin
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        saved = unit_report_record(
            acting_user=request.user,
            organisation=data["organisation"],
            community=data["community"],
            reported_on=data["reported_on"],
            contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""),
            note=data.get("note", ""),
        )
        obj.pk, obj.status = saved.pk, saved.status

    @admin.action(description=_("Confirm the selected unit organisation reports"))
    def confirm_selected(self, request, queryset):
        for report in queryset:
            try:
                unit_report_confirm(report=report, acting_user=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)

    def has_delete_permission(self, request, obj=None):
        return False  # rejected with a reason, never deleted


@admin.register(CoBuildingAgreement)
class CoBuildingAgreementAdmin(CommunityScopedAdmin):
    list_display = ["unit", "community", "signed_on", "valid_until"]
    list_filter = ["signed_on"]
    search_fields = ["unit__name", "community__name", "commitments"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit", "community"]
    date_hierarchy = "signed_on"

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["unit", "community"]

    def service_check(self, request, obj, data) -> None:
        unit = data.get("unit") or (obj.unit if obj else None)
        community = data.get("community") or (obj.community if obj else None)
        if not _covers(request.user, community):
            raise ValidationError({"community": _("Choose one of your communities.")})
        if unit is None or not data.get("signed_on") or not data.get("valid_until"):
            return
        clash = CoBuildingAgreement.objects.filter(
            unit=unit,
            community=community,
            signed_on__lte=data["valid_until"],
            valid_until__gte=data["signed_on"],
        )
        clash = (clash.exclude(pk=obj.pk) if obj is not None else clash).first()
        if clash is not None:
            raise ValidationError(
                {
                    "valid_until": _(
                        "%(unit)s already has an agreement with %(community)s valid from %(a)s to "
                        "%(b)s, which overlaps."
                    )
                    % {
                        "unit": unit,
                        "community": community.name,
                        "a": clash.signed_on,
                        "b": clash.valid_until,
                    }
                }
            )

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        saved = agreement_sign(
            acting_user=request.user,
            unit=data["unit"],
            community=data["community"],
            signed_on=data["signed_on"],
            valid_until=data["valid_until"],
            commitments=data["commitments"],
        )
        obj.pk = saved.pk


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(CommunityScopedAdmin):
    """Deadlines: community staff set their community's; the general one (no community) is
    shown to everyone and changed only by users responsible for every community."""

    list_display = ["year", "deadline", "community", "note"]
    list_filter = ["year"]
    list_select_related = ["community"]
    shared = Q(community__isnull=True)  # the general deadline: changed district-wide only

    def service_check(self, request, obj, data) -> None:
        community = data.get("community")
        if community is None and not policy.everywhere(request.user, self.capability):
            raise ValidationError(
                {
                    "community": _(
                        "Only a user responsible for every community sets the general deadline: "
                        "choose your community."
                    )
                }
            )
        if community is not None and not _covers(request.user, community):
            raise ValidationError({"community": _("Choose one of your communities.")})
        clash = ReportingDeadline.objects.filter(year=data.get("year"), community=community)
        if obj is not None:
            clash = clash.exclude(pk=obj.pk)
        if clash.exists():
            raise ValidationError(
                {
                    "year": _("A deadline for %(year)s is already set there: change that one.")
                    % {"year": data.get("year")}
                }
            )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change and ("year" in form.changed_data or "community" in form.changed_data):
            return super().save_model(request, obj, form, change)
        saved = deadline_set(
            acting_user=request.user,
            year=data["year"],
            deadline=data["deadline"],
            community=data.get("community"),
            note=data.get("note", ""),
        )
        obj.pk = saved.pk
