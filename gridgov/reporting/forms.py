"""Forms of the reporting pages. They read and parse input (a map point, an address matched
to a building); the services decide and write."""

from __future__ import annotations

from django import forms
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.grids.models import Grid, Level
from gridgov.people.contacts import Choice, match_address, parse_point
from gridgov.people.models import CoBuildingUnit, Gender, MemberKind, OrgKind, PartyOrganisation

CRS_CHOICES = [("wgs84", "WGS84"), ("gcj02", "GCJ-02")]


def _text(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs=attrs)


class UnitOrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PartyOrganisation) -> str:
        return f"{obj.name} ({obj.unit})" if obj.unit_id else obj.name


class ReportForm(forms.Form):
    """What a member submits when reporting to their home community (双报到)."""

    name = forms.CharField(label=_("Full name"), max_length=50, widget=_text(autocomplete="name"))
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, widget=forms.RadioSelect)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=_text(type="tel", inputmode="tel", autocomplete="tel"),
    )
    phone_public = forms.BooleanField(
        label=_("Show my full number to residents of my building"), required=False
    )
    kind = forms.ChoiceField(
        label=_("I am"), choices=MemberKind.choices, initial=MemberKind.IN_SERVICE
    )
    work_unit = forms.ModelChoiceField(
        label=_("Work unit"), required=False, queryset=CoBuildingUnit.objects.order_by("name")
    )
    unit_organisation = UnitOrganisationField(
        label=_("Party organisation of my unit"),
        required=False,
        queryset=PartyOrganisation.objects.filter(kind=OrgKind.UNIT_ORG)
        .select_related("unit")
        .order_by("name"),
    )
    address = forms.CharField(
        label=_("Home address"), max_length=200, widget=_text(autocomplete="street-address")
    )
    building = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    lon = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    crs = forms.ChoiceField(required=False, choices=CRS_CHOICES, widget=forms.HiddenInput)
    specialty = forms.CharField(label=_("Specialty"), max_length=100, required=False)
    service_intent = forms.CharField(
        label=_("How I would like to serve"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    pledge = forms.CharField(label=_("My one-sentence pledge"), max_length=200, required=False)

    # the fields the services take, as they are named there
    DETAILS = (
        "name",
        "gender",
        "phone",
        "phone_public",
        "kind",
        "work_unit",
        "unit_organisation",
        "address",
        "specialty",
        "service_intent",
        "pledge",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.location: Point | None = None
        self.choices: list[Choice] = []

    def clean(self):
        data = super().clean()
        lon, lat = data.get("lon") or "", data.get("lat") or ""
        code = (data.get("building") or "").strip()
        if lon or lat:
            point = parse_point(lon, lat, data.get("crs") or "wgs84")
            if point is None:
                self.add_error(
                    "address", _("We could not read the point on the map: tap your home again.")
                )
            else:
                self.location = Point(*point, srid=4326)
        elif code:
            building = Grid.objects.filter(level=Level.BUILDING, code=code).first()
            if building is None:
                self.add_error("address", _("Choose your building again."))
            else:
                self.location = building.geom.point_on_surface
        elif data.get("address"):
            self._match(data["address"])
        return data

    def _match(self, address: str) -> None:
        outcome = match_address(address)
        if outcome.status == "building":
            building = Grid.objects.get(level=Level.BUILDING, code=outcome.card.code)
            self.location = building.geom.point_on_surface
        elif outcome.status == "choices":
            self.choices = outcome.choices
            self.add_error(
                "address",
                _(
                    "Several buildings match your address: choose yours "
                    "below, or tap your home on the map."
                ),
            )
        else:
            self.choices = [c for c in outcome.suggestions if c.code]
            self.add_error(
                "address",
                _(
                    "We could not find your building from this address: "
                    "check it, or tap your home on the map."
                ),
            )

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.DETAILS}

    def show_service_errors(self, exc: ValidationError) -> None:
        """Put a service's refusal next to the field it names (location: the address)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for field, errors in exc.message_dict.items():
            target = {"location": "address", "password": "password1"}.get(field, field)
            self.add_error(target if target in self.fields else None, errors)


class RegistrationForm(ReportForm):
    """Registration by someone without an account yet: also a username and a password."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=_text(autocomplete="username", autocapitalize="none"),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error("password2", _("The two passwords differ."))
        return data


class DateInput(forms.DateInput):
    input_type = "date"


class UnitReportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Unit party organisation"), queryset=PartyOrganisation.objects.none()
    )
    community = forms.ModelChoiceField(label=_("Community"), queryset=Grid.objects.none())
    reported_on = forms.DateField(
        label=_("Reported on"), widget=DateInput, initial=timezone.localdate
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, unit: CoBuildingUnit, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = unit.organisations.filter(kind=OrgKind.UNIT_ORG)
        self.fields["community"].queryset = communities


class AgreementForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Grid.objects.none())
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput)
    commitments = forms.CharField(label=_("Commitments"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
