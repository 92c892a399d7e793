from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "gridgov.home"
    label = "home"
    verbose_name = "Home pages"
