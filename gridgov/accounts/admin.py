"""Admin for access and audit, plus the mixins every GridGov admin uses.

Every GridGov model admin is a ``ScopedAdminMixin``: it names the policy capability that
guards its model and the field holding the grid code a row lies in, and the mixin scopes
everything the admin does through ``gridgov.accounts.policy`` — the changelist (and so the
raw-id lookup popups, which are changelists), change, history and delete views, add, bulk
actions, and the choices of every foreign-key and many-to-many field (a raw id outside the
scope is a form error, and its label is never looked up). tests/trust/test_admin_matrix.py
fails for a registered admin that is neither scoped nor exempted with a reason."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts import policy
from gridgov.accounts.models import Assignment, AuditEntry
from gridgov.accounts.services import access_record, audit_record, snapshot

OUTSIDE_CHOICE = gettext_lazy(
    "Select a valid choice: that record is not among those in your grids."
)


class AuditedAdminMixin:
    """Saves made in the admin leave an audit row in the same transaction (deletions: the
    ScopedAdminMixin and the site's bulk delete)."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=f"admin.{'change' if change else 'add'}",
                obj=obj,
                before=before,
                after=snapshot(obj),
            )


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id input whose label names the record only when it is one of the field's
    choices: a re-rendered form never shows the name or address behind a foreign id."""

    def __init__(self, rel, admin_site, *, choices, attrs=None, using=None):
        super().__init__(rel, admin_site, attrs, using)
        self.choices_qs = choices

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            if not self.choices_qs.filter(**{key: value}).exists():
                return "", ""
        except (ValueError, TypeError):
            return "", ""
        return super().label_and_url_for_value(value)


class ScopedAdminMixin:
    """Scopes a model admin to the grids where the user holds a capability (superusers:
    everywhere). Declare:

    - ``capability``: the policy capability to see the model's rows (list, change view,
      history, raw-id lookup);
    - ``write_capability``: to add, change and delete them (default: ``capability``);
    - ``scope_field``: the grid-code path of a row (``"grid_code"``, ``"grid__code"``…), or a
      tuple of paths (a row in any of them), or None for a model without grids (a catalogue);
    - ``shared``: a filter for rows that belong to no grid (a general deadline, a mall item
      for everyone): shown to every holder of the capability, written only by those who
      hold it everywhere. With ``scope_field`` None every row is shared;
    - ``district_only``: only users holding the capability everywhere see the model at all
      (rows of every grid in one place: the audit trail, notices, API keys);
    - ``personal_data``: every look at a record or a list is logged (``personal.view``,
      ``personal.list``).
    Django's model permissions still apply on top."""

    capability: str = ""
    write_capability: str = ""
    scope_field: str | tuple[str, ...] | None = "grid_code"
    shared: Q | None = None
    district_only = False
    personal_data = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for cap in (self.capability, self.write_capability or self.capability):
            if cap not in policy.RULES:
                raise ImproperlyConfigured(
                    f"{type(self).__name__}: capability {cap!r} is not in policy.RULES"
                )

    # --- the scope -------------------------------------------------------------------------
    def scope_filter(self, user, capability: str) -> Q:
        """The rows of this model inside ``user``'s scope for ``capability``."""
        if self.district_only:
            return Q() if policy.everywhere(user, capability) else Q(pk__in=[])
        if not policy.allows(user, capability):
            return Q(pk__in=[])
        fields = self.scope_field
        if fields is None or policy.everywhere(user, capability):
            return Q()  # (an empty Q would vanish from the OR below)
        q = Q(pk__in=[])
        for field in (fields,) if isinstance(fields, str) else fields:
            q |= policy.scoped(user, capability, field)
        return q | self.shared if self.shared is not None else q

    def write_filter(self, user) -> Q:
        """The rows the user may change: in scope, and shared rows only when everywhere."""
        cap = self.write_capability or self.capability
        if policy.everywhere(user, cap):
            return Q()
        if self.scope_field is None or self.district_only:
            return Q(pk__in=[])
        q = self.scope_filter(user, cap)
        return q & ~self.shared if self.shared is not None else q

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(self.scope_filter(request.user, self.capability))
        )

    def writable(self, request, obj) -> bool:
        return self.model._default_manager.filter(
            self.write_filter(request.user), pk=obj.pk
        ).exists()

    # --- permissions -----------------------------------------------------------------------
    def _may_see(self, request) -> bool:
        if self.district_only:
            return policy.everywhere(request.user, self.capability)
        return policy.allows(request.user, self.capability)

    def _may_write(self, request, obj) -> bool:
        cap = self.write_capability or self.capability
        if self.scope_field is None or self.district_only:
            return policy.everywhere(request.user, cap)
        if not policy.allows(request.user, cap):
            return False
        return obj is None or self.writable(request, obj)

    def has_module_permission(self, request):
        return super().has_module_permission(request) and self._may_see(request)

    def has_view_permission(self, request, obj=None):
        if not (super().has_view_permission(request, obj) and self._may_see(request)):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._may_write(request, None)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_write(request, obj)

    # --- what a form may point at ----------------------------------------------------------
    def choices_for(self, request, model) -> models.QuerySet | None:
        """Rows of a related ``model`` a form of this admin may point at: those of its scoped
        admin inside this admin's write scope (shared rows too); users only when they are
        in scope through their member record or a role; None: not a person's or grid's row
        (left to the field)."""
        user = request.user
        cap = self.write_capability or self.capability
        target = self.admin_site._registry.get(model)
        if isinstance(target, ScopedAdminMixin):
            if target.district_only:
                return model._default_manager.filter(target.scope_filter(user, target.capability))
            if target.scope_field is None:
                return None  # a catalogue: every row may be chosen
            return model._default_manager.filter(target.scope_filter(user, cap))
        if model is get_user_model():
            if user.is_superuser:
                return None
            return model._default_manager.filter(
                policy.scoped(user, cap, "member__grid_code")
                | policy.scoped(user, cap, "assignments__scope_code")
            ).distinct()
        return None

    def _limit(self, request, db_field, kwargs) -> None:
        rows = self.choices_for(request, db_field.related_model)
        if rows is None:
            return
        if kwargs.get("queryset") is not None:
            rows = kwargs["queryset"].filter(pk__in=rows.values("pk"))
        kwargs["queryset"] = rows

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit(request, db_field, kwargs)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.error_messages["invalid_choice"] = OUTSIDE_CHOICE
            if type(field.widget) is ForeignKeyRawIdWidget:
                field.widget = ScopedRawIdWidget(
                    db_field.remote_field,
                    self.admin_site,
                    choices=field.queryset,
                    using=kwargs.get("using"),
                )
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit(request, db_field, kwargs)
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.error_messages["invalid_choice"] = OUTSIDE_CHOICE
            field.error_messages["invalid_pk_value"] = OUTSIDE_CHOICE
        return field

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        admin_self = self
        own = [
            f
            for f in ((self.scope_field,) if isinstance(self.scope_field, str) else ())
            if "__" not in f
        ]

        class ScopedForm(form):
            def clean(self):
                data = super().clean()
                cap = admin_self.write_capability or admin_self.capability
                found = policy.prefixes(request.user, cap)
                for name in own:
                    if (
                        name in self.fields
                        and name in data
                        and found is not None
                        and not policy.covers(found, data[name])
                    ):
                        self.add_error(
                            name,
                            OUTSIDE_CHOICE
                            if not found
                            else _("Choose a code inside your grids (beginning with %(p)s).")
                            % {"p": ", ".join(found)},
                        )
                return data

        return ScopedForm

    # --- the last guard: a save never leaves a row outside the user's scope ----------------
    def _refuse_outside(self, request, obj) -> None:
        if not self.writable(request, obj):
            raise PermissionDenied  # inside the admin's transaction: nothing is kept

    def log_addition(self, request, obj, message):
        self._refuse_outside(request, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._refuse_outside(request, obj)
        return super().log_change(request, obj, message)

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(actor=request.user, action="admin.delete", obj=obj, before=snapshot(obj))
            super().delete_model(request, obj)

    # --- every look at personal data is logged: who, when, which record or which list -----
    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if self.personal_data and request.method == "GET" and response.status_code == 200:
            access_record(
                actor=request.user, action="personal.view", model=self.model, object_id=object_id
            )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if self.personal_data and getattr(response, "status_code", 200) == 200:
            access_record(
                actor=request.user,
                action="personal.list",
                model=self.model,
                what="admin " + (request.META.get("QUERY_STRING") or "all"),
            )
        return response


@admin.action(
    permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s")
)
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, leaving one audit row per deleted record in its transaction."""
    with transaction.atomic():
        confirmed = bool(request.POST.get("post"))
        doomed = [(obj, snapshot(obj)) for obj in queryset] if confirmed else []
        response = django_delete_selected(modeladmin, request, queryset)
        if confirmed and response is None:
            for obj, before in doomed:
                audit_record(actor=request.user, action="admin.delete", obj=obj, before=before)
    return response


admin.site.add_action(delete_selected, "delete_selected")


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Roles are given by those who plan their grids, inside them (a role's scope code must
    lie in the giver's)."""

    capability = policy.PLAN
    scope_field = "scope_code"
    list_display = ["user", "role", "scope_code", "grid", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "scope_code"]
    raw_id_fields = ["grid", "user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: the audit trail cannot be edited or deleted through the application. Rows
    hold snapshots of people of every grid: only for whoever reads residents everywhere
    (superusers, an unscoped street admin), whatever permissions say."""

    capability = policy.READ_RESIDENTS
    district_only = True
    list_display = ["at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
