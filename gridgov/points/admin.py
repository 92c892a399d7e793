"""Admin of the ledger and the points mall: every write goes through the services (audited).

The ledger is view and add only: an added row is an adjustment (``ledger_adjust``: a reason is
required, the member must lie in the user's grids); nothing can be changed or deleted.
Redemptions are view only, with an action to mark them handed over. Mall items are created
and edited through the services; their stock changes only by a delta ("restock")."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gridgov.accounts import policy
from gridgov.accounts.admin import ScopedAdminMixin
from gridgov.grids.models import Grid, Level
from gridgov.points import services
from gridgov.points.models import EntryKind, LedgerEntry, MallItem, Redemption
from gridgov.points.selectors import keeper_prefixes, may_manage_item


def _copy(saved, obj) -> None:
    """Make the admin's unsaved instance stand for the row the service wrote."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


class AdjustmentForm(forms.ModelForm):
    """Adding a ledger row records an adjustment through ``ledger_adjust``. The service runs
    in clean() — inside the admin's transaction — so its refusals show on the form."""

    class Meta:
        model = LedgerEntry
        fields = ["member", "hours", "points", "occurred_on", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = EntryKind.ADJUST
        self.fields["reason"].required = True
        self.fields["hours"].required = False
        self.fields["points"].required = False
        self.fields["occurred_on"].required = False
        self.fields["hours"].help_text = gettext_lazy("May be negative (a correction).")
        self.fields["points"].help_text = gettext_lazy("May be negative (a correction).")
        self.fields["occurred_on"].help_text = gettext_lazy("Empty: today.")
        self.entry = None

    def clean(self):
        data = super().clean()
        if self.errors or self.request is None:
            return data
        try:
            self.entry = services.ledger_adjust(
                member=data["member"],
                hours=data.get("hours") or 0,
                points=data.get("points") or 0,
                reason=data.get("reason", ""),
                occurred_on=data.get("occurred_on"),
                acting_user=self.request.user,
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return data

    request = None


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read by those who read members' hours; adjusted by the keepers of points."""

    capability = policy.READ_HOURS
    write_capability = policy.KEEP_POINTS
    scope_field = "member__grid_code"
    list_display = [
        "occurred_on",
        "member",
        "kind",
        "hours",
        "points",
        "reason",
        "source",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind"]
    search_fields = ["member__name", "source", "reason"]
    date_hierarchy = "occurred_on"
    raw_id_fields = ["member"]
    list_select_related = ["member", "created_by"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        kwargs["form"] = AdjustmentForm
        form = super().get_form(request, obj, **kwargs)
        return type("BoundAdjustmentForm", (form,), {"request": request})

    def get_fields(self, request, obj=None):
        if obj is None:
            return AdjustmentForm.Meta.fields
        return [f.name for f in LedgerEntry._meta.concrete_fields if f.name != "id"]

    def has_change_permission(self, request, obj=None):
        return False  # immutable: a correction is a new entry

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        _copy(form.entry, obj)  # written (and audited) by ledger_adjust in the form's clean()


class MallItemForm(forms.ModelForm):
    restock = forms.IntegerField(
        label=gettext_lazy("Change stock by"),
        required=False,
        help_text=gettext_lazy("Added to the stock (negative: taken away)."),
    )

    class Meta:
        model = MallItem
        fields = ["name", "description", "points_cost", "stock", "active", "community"]

    request = None

    def clean(self):
        data = super().clean()
        if self.request is None:
            return data
        user = self.request.user
        if "community" in data and not may_manage_item(user, data["community"]):
            self.add_error(
                "community",
                _("Choose a community in your grids.")
                if keeper_prefixes(user) != []
                else _("You may not manage the points mall."),
            )
        if self.instance.pk and data.get("restock"):
            if self.instance.stock + data["restock"] < 0:
                self.add_error("restock", _("Only %(n)s in stock.") % {"n": self.instance.stock})
        return data


@admin.register(MallItem)
class MallItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A community's items by its keepers; items for everyone (no community) are seen by
    every keeper and changed by district-wide ones."""

    capability = policy.KEEP_POINTS
    scope_field = "community__code"
    shared = Q(community__isnull=True)
    form = MallItemForm
    list_display = ["name", "points_cost", "stock", "active", "community", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("community")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type("BoundMallItemForm", (form,), {"request": request})

    def get_fields(self, request, obj=None):
        fields = ["name", "description", "points_cost", "stock", "active", "community"]
        return [*fields, "restock"] if obj is not None else fields

    def get_readonly_fields(self, request, obj=None):
        return ["stock"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community":
            kwargs["queryset"] = Grid.objects.filter(level=Level.COMMUNITY)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # redemptions refer to it: make it inactive instead

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                saved = services.mall_item_create(
                    acting_user=request.user,
                    name=data["name"],
                    description=data.get("description", ""),
                    points_cost=data["points_cost"],
                    stock=data["stock"],
                    active=data.get("active", True),
                    community=data.get("community"),
                )
            else:
                changes = {f: data[f] for f in form.changed_data if f in services.ITEM_FIELDS}
                saved = (
                    services.mall_item_update(item=obj, acting_user=request.user, **changes)
                    if changes
                    else obj
                )
                if data.get("restock"):
                    saved = services.mall_item_restock(
                        item=saved, add=data["restock"], acting_user=request.user
                    )
        except ValidationError as exc:  # a concurrent change since the form was checked
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        _copy(saved, obj)


@admin.register(Redemption)
class RedemptionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    capability = policy.KEEP_POINTS
    scope_field = "member__grid_code"
    list_display = [
        "created_at",
        "member",
        "item",
        "points",
        "status",
        "handed_over_at",
        "cancelled_at",
    ]
    list_filter = ["status"]
    search_fields = ["member__name", "item__name"]
    date_hierarchy = "created_at"
    list_select_related = ["member", "item"]
    actions = ["hand_over"]

    def has_add_permission(self, request):
        return False  # members redeem in the points mall

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_hand_over_permission(self, request):
        return self.has_view_permission(request)  # the keepers (capability)

    @admin.action(description=gettext_lazy("Mark handed over"), permissions=["hand_over"])
    def hand_over(self, request, queryset):
        done = 0
        for redemption in queryset.select_related("member", "item"):
            try:
                services.redemption_hand_over(redemption=redemption, acting_user=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(n)s redemption marked handed over.",
                    "%(n)s redemptions marked handed over.",
                    done,
                )
                % {"n": done},
                messages.SUCCESS,
            )
