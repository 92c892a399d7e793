from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    """The photo pipeline (check, re-encode, store, serve). No models; installed for its
    management command (clean_photos)."""

    name = "gridgov.photos"
    label = "photos"
    verbose_name = _("Photos")
