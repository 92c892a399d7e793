"""Forms for the service pages: they check the shape of the input (a number, a date, a
photo's size, format and pixels, through gridgov.photos); the rules (place inside the grid,
times, places, the photo's decoding and re-encoding) are the services'."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gridgov.photos.fields import PhotoFormField
from gridgov.service.access import organiser_grids
from gridgov.service.models import ServiceCategory
from gridgov.service.services import point_from_input

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
CRS_CHOICES = [
    ("wgs84", _("WGS84 (GPS, the phone's location)")),
    ("gcj02", _("GCJ-02 (Chinese map apps: Amap, Tencent)")),
]
# Where a service's error on a model field is shown in the form.
FIELD_FOR = {"location": "lon", "organiser_grid": "organiser_grid"}


def _datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )


def _categories():
    return ServiceCategory.objects.filter(active=True).order_by("code")


class PlaceMixin:
    """Longitude / latitude / coordinate system → ``cleaned_data["location"]`` (a WGS84
    point, or None when both are empty and ``place_optional``)."""

    place_optional = False

    def clean(self):
        data = super().clean()
        lon, lat = (data.get("lon") or "").strip(), (data.get("lat") or "").strip()
        data["location"] = None
        if not lon and not lat and self.place_optional:
            return data
        try:
            data["location"] = point_from_input(lon, lat, data.get("crs") or "wgs84")
        except ValidationError as exc:
            self.add_error("lon", exc.message_dict["location"][0])
        return data


class PlaceFields(forms.Form):
    """The place as an address and coordinates (typed, or filled by "use my location")."""

    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lon = forms.CharField(
        label=_("Longitude"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    lat = forms.CharField(
        label=_("Latitude"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    crs = forms.ChoiceField(label=_("Coordinate system"), choices=CRS_CHOICES, initial="wgs84")


class ActivityForm(PlaceMixin, PlaceFields):
    organiser_grid = forms.ModelChoiceField(
        label=_("Organising grid"), queryset=None, empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=None)
    starts_at = _datetime_field(_("Starts"))
    ends_at = _datetime_field(_("Ends"))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser_grid"].queryset = organiser_grids(user)
        self.fields["category"].queryset = _categories()
        if editing:
            del self.fields["organiser_grid"]


class SelfServiceForm(PlaceMixin, PlaceFields):
    place_optional = True

    description = forms.CharField(label=_("What you did"), widget=forms.Textarea(attrs={"rows": 4}))
    served_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.CharField(
        label=_("Hours"), widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=None)
    photo = PhotoFormField(label=_("Photo"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["lon"].required = self.fields["lat"].required = False


def show_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: each message on its field, or on the form."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            target = FIELD_FOR.get(field, field)
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
