"""Old name of gridgov.grids.placement, kept only for the importers that other changes of
the same session (issue 17 part 2) are editing: gridgov/people/contacts.py,
gridgov/people/services.py, gridgov/reporting/services/registration.py. Delete this module
once they import from gridgov.grids.placement."""

from gridgov.grids.placement import apply_placement, locate_one

__all__ = ["apply_placement", "locate_one"]
