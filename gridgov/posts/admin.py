"""Admin for service posts and the three lists: scoped by grid, every write audited.

Posts, claims and resources are saved through their services (places counted, claims checked,
audit rows written); post actions and service list entries are read-only here (append-only
log; matches are confirmed on the three lists page)."""

from django.contrib import admin
from django.core.exceptions import ValidationError

from gridgov.accounts import policy
from gridgov.accounts.admin import AuditedAdminMixin, ScopedAdminMixin
from gridgov.grids.models import Grid, Level
from gridgov.posts import services
from gridgov.posts.lists import services as list_services
from gridgov.posts.models import (
    CaseCategoryLink,
    MemberResource,
    PostAction,
    PostClaim,
    PostKind,
    ServiceListEntry,
    ServicePost,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceFormMixin:
    """Runs the service in the form's clean() so a refusal shows as a form error; the
    saved row is handed to save_model (no second write). The admin wraps the whole request
    in one transaction, so a later failure still writes nothing."""

    def service_call(self, request, obj, data, change, changed=()):
        raise NotImplementedError

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        admin_ = self

        class ServiceForm(form):
            def _post_clean(self):
                pass  # the service validates and saves

            def clean(self):
                data = super().clean()
                if self.errors:
                    return data
                try:
                    self.saved = admin_.service_call(
                        request, obj, data, obj is not None, self.changed_data
                    )
                except ValidationError as exc:
                    if hasattr(exc, "error_dict"):
                        for field, errors in exc.error_dict.items():
                            self.add_error(field if field in self.fields else None, errors)
                    else:
                        self.add_error(None, exc)
                return data

        return ServiceForm

    def save_model(self, request, obj, form, change):
        saved = form.saved
        obj.pk = saved.pk
        for field in saved._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))

    def save_related(self, request, form, formsets, change):
        pass


@admin.register(PostKind)
class PostKindAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    capability = policy.MANAGE_POSTS
    scope_field = None  # one catalogue for the district
    list_display = ["code", "name", "category", "act_every_days", "active"]
    list_filter = ["category", "active"]
    search_fields = ["code", "name"]


@admin.register(CaseCategoryLink)
class CaseCategoryLinkAdmin(AuditedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    capability = policy.MANAGE_POSTS
    scope_field = None  # one catalogue for the district
    list_display = ["case_category", "service_category"]


class HolderInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PostClaim
    extra = 0
    fields = ["member", "since", "released_on", "assigned_by"]
    readonly_fields = fields
    verbose_name_plural = PostClaim._meta.verbose_name_plural


@admin.register(ServicePost)
class ServicePostAdmin(ServiceFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    capability = policy.MANAGE_POSTS
    list_display = ["kind", "grid", "grid_code", "places", "claimed", "active"]
    list_filter = ["kind__category", "active"]
    search_fields = ["kind__name", "grid__name", "grid_code"]
    list_select_related = ["kind", "grid"]
    readonly_fields = ["community", "grid_code", "claimed"]
    inlines = [HolderInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "kind", "grid"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "grid":
            kwargs["queryset"] = Grid.objects.filter(level__in=[Level.COMMUNITY, Level.COMPOUND])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def service_call(self, request, obj, data, change, changed=()):
        if change:
            return services.post_update(
                post=obj,
                acting_user=request.user,
                places=data["places"] if "places" in changed else None,
                description=data.get("description", "") if "description" in changed else None,
                active=data.get("active") if "active" in changed else None,
            )
        return services.post_create(
            acting_user=request.user,
            kind=data.get("kind"),
            grid=data.get("grid"),
            places=data.get("places"),
            description=data.get("description", ""),
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # a post is closed to new claims (active), never deleted


class ActionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PostAction
    extra = 0
    fields = ["acted_on", "note", "recorded_by", "created_at"]
    readonly_fields = fields


@admin.register(PostClaim)
class PostClaimAdmin(ServiceFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Add = staff assign a post (post_assign); a claim is ended on the pages (release)."""

    capability = policy.MANAGE_POSTS
    scope_field = "post__grid_code"
    list_display = ["member", "post", "since", "released_on", "assigned_by"]
    list_filter = ["post__kind", "released_on"]
    search_fields = ["member__name", "post__kind__name", "post__grid_code"]
    list_select_related = ["member", "post__kind", "post__grid", "assigned_by"]
    raw_id_fields = ["member"]
    fields = ["post", "member", "since"]
    inlines = [ActionInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "post":
            kwargs["queryset"] = ServicePost.objects.filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def service_call(self, request, obj, data, change, changed=()):
        return services.post_assign(
            post=data.get("post"),
            member=data.get("member"),
            acting_user=request.user,
            since=data.get("since"),
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PostAction)
class PostActionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    capability = policy.MANAGE_POSTS
    scope_field = "claim__post__grid_code"
    list_display = ["acted_on", "claim", "note", "recorded_by"]
    list_select_related = ["claim__member", "claim__post__kind", "claim__post__grid", "recorded_by"]
    search_fields = ["claim__member__name", "note"]
    date_hierarchy = "acted_on"


@admin.register(MemberResource)
class MemberResourceAdmin(ServiceFormMixin, ScopedAdminMixin, admin.ModelAdmin):
    capability = policy.MANAGE_POSTS
    scope_field = "member__grid_code"
    list_display = ["member", "category", "skill", "available_time", "active"]
    list_filter = ["category", "active"]
    search_fields = ["member__name", "skill"]
    list_select_related = ["member", "category"]
    raw_id_fields = ["member"]

    def get_readonly_fields(self, request, obj=None):
        return ["member"] if obj is not None else []

    def service_call(self, request, obj, data, change, changed=()):
        if change:
            changes = {f: data[f] for f in changed if f in list_services.RESOURCE_FIELDS}
            return (
                list_services.resource_update(resource=obj, acting_user=request.user, **changes)
                if changes
                else obj
            )
        return list_services.resource_create(
            member=data.get("member"),
            acting_user=request.user,
            category=data.get("category"),
            skill=data.get("skill", ""),
            available_time=data.get("available_time", ""),
        )

    def has_delete_permission(self, request, obj=None):
        return False  # withdrawn (active off), so past matches keep their resource


@admin.register(ServiceListEntry)
class ServiceListEntryAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Entries name residents: only roles that read residents see them."""

    capability = policy.READ_RESIDENTS
    personal_data = True
    list_display = [
        "planned_on",
        "category",
        "member",
        "status",
        "dispatched",
        "distance_m",
        "grid_code",
    ]
    list_filter = ["status", "category", "dispatched"]
    list_select_related = ["category", "member"]
    search_fields = ["member__name", "grid_code"]
