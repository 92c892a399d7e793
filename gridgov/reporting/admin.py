"""Admin for dual reporting: unit organisation reports, co-building agreements, deadlines
(community-scoped, saved through the services) and the read-only reporting history. The
members' admin (gridgov.people.admin) gains the history inline and the confirm action here:
people sits below reporting, so reporting adds to it."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from gridgov.accounts import policy
from gridgov.accounts.admin import AuditedAdminMixin, ScopedAdminMixin
from gridgov.grids.models import Grid, Level
from gridgov.people.admin import MemberAdmin
from gridgov.people.models import Member
from gridgov.reporting.models import (
    CoBuildingAgreement,
    ReportEvent,
    ReportingDeadline,
    UnitReport,
)
from gridgov.reporting.services import (
    agreement_sign,
    deadline_set,
    report_confirm,
    unit_report_confirm,
    unit_report_record,
)


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


admin.site.unregister(Member)


@admin.register(Member)
class ReportingMemberAdmin(MemberAdmin):
    """The members' admin with their reporting history and the confirm action."""

    inlines = [*MemberAdmin.inlines, ReportEventInline]
    actions = [*MemberAdmin.actions, confirm_reporting]


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
