from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "gridgov.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        # What grids asks of people without importing it (grids sits below people): the
        # occupants check_grids counts in a building, the members and households export layers.
        from gridgov.grids import checking
        from gridgov.people import export_layers
        from gridgov.people.models import Household, Member

        checking.register_occupant(Household)
        checking.register_occupant(Member)
        export_layers.register()
