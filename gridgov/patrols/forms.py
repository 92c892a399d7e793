"""Forms of the patrol pages. They read input; every rule about routes, tracks and findings
is the services' (gridgov/patrols/services.py), whose refusals the views put on the form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geodata import crs as crsmod
from gridgov.patrols.models import FindingKind


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class PatrolRecordForm(forms.Form):
    walked_on = forms.DateField(
        label=_("Date walked"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    members = MemberChoices(
        label=_("Members who walked it"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one member who walked the route."),
            "invalid_choice": _("Choose members of your grid or the route's team."),
            "invalid_pk_value": _("Choose members of your grid or the route's team."),
        },
    )
    gpx = forms.FileField(
        label=_("GPS track (GPX file, optional)"),
        required=False,
        help_text=_("The track a phone app recorded on the walk."),
        widget=forms.ClearableFileInput(attrs={"accept": ".gpx,application/gpx+xml"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members

    def clean_gpx(self):
        upload = self.cleaned_data.get("gpx")
        limit = settings.GRIDGOV_MAX_UPLOAD_BYTES
        if upload and upload.size > limit:
            raise ValidationError(
                _("The GPX file is too large (%(size)s MB at most).")
                % {"size": f"{limit / 2**20:g}"}
            )
        return upload


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("What was found"), choices=FindingKind.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"required": _("Tap the map or use your location to place the finding.")},
    )
    lat = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"required": _("Tap the map or use your location to place the finding.")},
    )
    crs = forms.ChoiceField(
        label=_("Coordinate system"),
        required=False,
        choices=[("wgs84", "WGS84"), ("gcj02", "GCJ-02")],
    )

    def clean(self):
        data = super().clean()
        if "lon" in data and "lat" in data and data.get("crs") == "gcj02":
            x, y = crsmod.to_wgs84([data["lon"]], [data["lat"]], "gcj02")
            data["lon"], data["lat"] = float(x[0]), float(y[0])
        return data


class OpenCaseForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, empty_label=None)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
