"""The three-level party grid (三级党建网格) and who holds which role on it."""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import PointOnSurface
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.grids.spatial import AsRFC7946


class Level(models.IntegerChoices):
    COMMUNITY = 1, _("community")
    COMPOUND = 2, _("compound")
    BUILDING = 3, _("building")


class Kind(models.TextChoices):
    COMMUNITY = "community", _("community")
    RESIDENTIAL = "residential", _("residential compound")
    BUSINESS = "business", _("business district")
    OFFICE = "office", _("office tower")
    BUILDING = "building", _("building")
    CONTACT_AREA = "contact_area", _("member contact area")


KINDS_BY_LEVEL: dict[int, tuple[str, ...]] = {
    Level.COMMUNITY: (Kind.COMMUNITY,),
    Level.COMPOUND: (Kind.RESIDENTIAL, Kind.BUSINESS, Kind.OFFICE),
    Level.BUILDING: (Kind.BUILDING, Kind.CONTACT_AREA),
}


class Street(models.Model):
    """A street office (街道办) or town: the administration above communities. Grids never
    belong to it directly; its communities are those whose code begins with its code, and
    a street admin's scope is its code. No street's code begins with another's, so each
    community lies under one street at most (gridgov.grids.codes; the database's trigger)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("street office")
        verbose_name_plural = _("street offices")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def communities(self):
        return Grid.objects.filter(level=Level.COMMUNITY, code__startswith=self.code)

    def clean(self) -> None:
        from gridgov.grids.codes import street_problems  # codes reads this module's models

        problems = street_problems(self)
        if problems:
            raise ValidationError({"code": problems})


class GridQuerySet(models.QuerySet):
    """Spatial and hierarchical predicates, chainable."""

    def containing(self, point) -> GridQuerySet:
        """Grids whose polygon covers the point (its edge included)."""
        return self.filter(geom__intersects=point)

    def within(self, grid: Grid) -> GridQuerySet:
        """The grid's descendants (and itself): a code prefix match, no geometry needed."""
        return self.filter(code__startswith=grid.code)

    def in_bbox(self, bbox) -> GridQuerySet:
        return self.filter(geom__bbintersects=bbox)

    def at_level(self, level: int) -> GridQuerySet:
        return self.filter(level=level)


class Grid(models.Model):
    """One grid polygon. A child's code begins with its parent's code, so "all descendants"
    is a prefix match; the database refuses a parent that is not exactly one level up."""

    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Stable hierarchical code; a child's code begins with its parent's."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    geom = models.MultiPolygonField(_("boundary"), srid=4326)
    # The boundary and a point inside it as RFC 7946 GeoJSON text, kept by the database
    # itself whenever geom changes (stored generated columns): exports and city systems
    # read them as they are instead of formatting every polygon on every request.
    geojson = models.GeneratedField(
        expression=AsRFC7946("geom"),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("boundary (GeoJSON)"),
    )
    label_geojson = models.GeneratedField(
        expression=AsRFC7946(PointOnSurface("geom")),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("point inside (GeoJSON)"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="grid_level_valid", condition=Q(level__in=[1, 2, 3])),
            models.CheckConstraint(
                name="grid_community_has_no_parent",
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
            ),
            models.CheckConstraint(
                name="grid_kind_matches_level",
                condition=Q(level=1, kind__in=KINDS_BY_LEVEL[1])
                | Q(level=2, kind__in=KINDS_BY_LEVEL[2])
                | Q(level=3, kind__in=KINDS_BY_LEVEL[3]),
            ),
            models.CheckConstraint(name="grid_code_not_blank", condition=~Q(code="")),
        ]
        indexes = [models.Index(fields=["level", "code"], name="grid_level_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        """One-row rules; nesting and overlap need the neighbours: see services.grid_check."""
        errors: dict[str, str] = {}
        if self.level == Level.COMMUNITY and self.parent_id:
            errors["parent"] = _("A community grid has no parent.")
        if self.level and self.level > Level.COMMUNITY:
            if not self.parent_id:
                errors["parent"] = _("A %(level)s grid needs a parent one level up.") % {
                    "level": self.get_level_display()
                }
            elif self.parent.level != self.level - 1:
                errors["parent"] = _(
                    "The parent must be exactly one level up: %(parent)s is a %(plevel)s."
                ) % {"parent": self.parent, "plevel": self.parent.get_level_display()}
            elif self.code and not self.code.startswith(self.parent.code):
                errors["code"] = _("The code %(code)s must begin with the parent's code %(p)s.") % {
                    "code": self.code,
                    "p": self.parent.code,
                }
        if self.level and self.kind and self.kind not in KINDS_BY_LEVEL.get(self.level, ()):
            errors["kind"] = _("%(kind)s is not a kind of %(level)s grid.") % {
                "kind": self.get_kind_display(),
                "level": self.get_level_display(),
            }
        if errors:
            raise ValidationError(errors)

    def ancestors_codes(self) -> list[str]:
        """Codes of the ancestors, community first (from the parent chain)."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node.code)
            node = node.parent
        return list(reversed(chain))


class RoleKind(models.TextChoices):
    BUILDING_LEADER = "building_leader", _("building leader")
    GROUP_LEADER = "group_leader", _("member group leader")
    GROUP_DEPUTY = "group_deputy", _("member group deputy")
    GRID_LEADER = "grid_leader", _("grid leader")
    BRANCH_SECRETARY = "branch_secretary", _("branch secretary")


# Which grid levels each role may be held on.
ROLE_LEVELS: dict[str, tuple[int, ...]] = {
    RoleKind.BUILDING_LEADER: (Level.BUILDING,),
    RoleKind.GROUP_LEADER: (Level.BUILDING,),
    RoleKind.GROUP_DEPUTY: (Level.BUILDING,),
    RoleKind.GRID_LEADER: (Level.COMMUNITY, Level.COMPOUND, Level.BUILDING),
    RoleKind.BRANCH_SECRETARY: (Level.COMPOUND,),
}


def current_role_q(day: dt.date | None = None, prefix: str = "") -> Q:
    """Roles held on ``day`` (default today): begun on or before it and not ended before it
    (``until`` empty or on/after it). ``prefix`` reaches the role through a relation, e.g.
    ``"roles__"`` from a grid. The one meaning of "current role"."""
    day = day or timezone.localdate()
    return Q(**{f"{prefix}since__lte": day}) & (
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": day})
    )


class GridRoleQuerySet(models.QuerySet):
    def current(self, day: dt.date | None = None) -> GridRoleQuerySet:
        """The roles held on ``day`` (default today): begun on or before it and not ended
        before it. A role given from a future date is not current yet, one ending on a
        future date still is; on the day one holder hands over to the next (the old term's
        ``until`` is the new one's ``since``) both are: a reader naming one holder
        takes the later ``since`` (``gridgov.grids.selectors.current_leaders``). Every
        role kind is a public one (亮身份: building leader, group leader and deputy, grid
        leader, branch secretary)."""
        return self.filter(current_role_q(day))


class GridRole(models.Model):
    """A member holding a role on a grid since a date; ``until`` closes it (history kept).
    Which roles are current on a day is ``GridRole.objects.current(day)``'s to say."""

    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="roles"
    )
    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="grid_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = GridRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid role")
        verbose_name_plural = _("grid roles")
        ordering = ["grid__code", "role", "-since"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "role"],
                condition=Q(until__isnull=True),
                name="gridrole_one_current_holder",
                violation_error_message=_("This role on this grid already has a holder."),
            ),
            models.CheckConstraint(
                name="gridrole_until_after_since",
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid.code} {self.get_role_display()}: {self.member}"

    def clean(self) -> None:
        if self.grid_id and self.role and self.grid.level not in ROLE_LEVELS[self.role]:
            raise ValidationError(
                {
                    "role": _("A %(role)s cannot be held on a %(level)s grid.")
                    % {"role": self.get_role_display(), "level": self.grid.get_level_display()}
                }
            )


# What a placement decides for a Located row, in the order the locating code reads and
# writes it; ``located_at`` records when it was decided.
PLACEMENT_FIELDS = (
    "community_id",
    "compound_id",
    "building_id",
    "nearest_building_id",
    "nearest_distance_m",
    "grid_code",
)
LOCATION_FIELDS = (*PLACEMENT_FIELDS, "located_at")


class Located(models.Model):
    """A point located in the three grid levels (members, households; cases later).

    A point outside every building grid is kept and marked unlocated, with the nearest
    building and the distance to it in metres.
    """

    address = models.CharField(_("address"), max_length=200, blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    community = models.ForeignKey(
        Grid,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    compound = models.ForeignKey(
        Grid,
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"level": Level.COMPOUND},
    )
    building = models.ForeignKey(
        Grid,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"level": Level.BUILDING},
    )
    nearest_building = models.ForeignKey(
        Grid,
        verbose_name=_("nearest building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Set when the point lies in no building grid."),
    )
    nearest_distance_m = models.FloatField(
        _("distance to nearest building (m)"), null=True, blank=True
    )
    located_at = models.DateTimeField(_("located at"), null=True, blank=True)
    # The code of the finest grid that covers the point (or of the nearest building when no
    # grid does): the one indexed column that scoping by code prefix reads.
    grid_code = models.CharField(
        _("grid code"), max_length=40, blank=True, db_index=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_located(self) -> bool:
        return self.building_id is not None


class GridVersion(models.Model):
    """A boundary a grid had before it was redrawn: its geometry and name, valid from one
    time to another (boundary history, like MapIt's generations). The current boundary is
    the grid's own; versions are written by the services that change it."""

    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.CASCADE, related_name="versions"
    )
    geom = models.MultiPolygonField(_("boundary"), srid=4326)
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("grid boundary version")
        verbose_name_plural = _("grid boundary versions")
        ordering = ["grid", "-valid_to"]
        constraints = [
            models.CheckConstraint(
                name="gridversion_valid_to_after_from",
                condition=Q(valid_to__gte=models.F("valid_from")),
            ),
        ]
        indexes = [models.Index(fields=["grid", "valid_to"], name="gridversion_grid_to")]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.valid_from:%Y-%m-%d}–{self.valid_to:%Y-%m-%d}"


class ServiceStation(models.Model):
    """A party-masses service station (党群服务站) of a community: where residents go in
    person, with its opening hours and phone. Public information: the finder shows it."""

    community = models.ForeignKey(
        Grid,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="service_stations",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    opening_hours = models.TextField(
        _("opening hours"),
        blank=True,
        help_text=_("As residents should read it, e.g. Mon–Fri 8:30–12:00, 14:30–17:30."),
    )
    phone = models.CharField(
        _("phone"),
        max_length=40,
        blank=True,
        help_text=_("The station's public number, shown in full."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("party-masses service station")
        verbose_name_plural = _("party-masses service stations")
        ordering = ["community__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="station_name_once",
                violation_error_message=_("This community already has a station of that name."),
            ),
            models.CheckConstraint(name="station_name_not_blank", condition=~Q(name="")),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.community_id and self.community.level != Level.COMMUNITY:
            errors["community"] = _(
                "A service station belongs to a community grid; %(grid)s is a %(level)s."
            ) % {"grid": self.community, "level": self.community.get_level_display()}
        elif self.community_id and self.location is not None:
            point = self.location.clone()
            if point.srid not in (None, 4326):
                point.transform(4326)
            if not self.community.geom.covers(point):
                errors["location"] = _(
                    "The point %(x).6f, %(y).6f lies outside the community %(community)s."
                ) % {"x": point.x, "y": point.y, "community": self.community.name}
        if errors:
            raise ValidationError(errors)
