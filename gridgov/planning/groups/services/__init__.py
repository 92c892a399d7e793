"""Writers of member groups and household teams. A compound's groups (a building's or
compound's teams) are saved as a whole: checked, then the previous set replaced in one
transaction with one audit row holding the set before and after. A refusal raises
GroupError with every problem found, and writes nothing.

Decision: edits that break the rules are refused, not saved with a warning: a saved set is
what the branch works from, and the page's "Check" button shows the same messages without
saving, so an editor sees each problem before saving.

The package: ``member_groups`` and ``household_teams`` (check, save, clear each), and
``common`` (the refusal, the stale-edit check, the grid lock); import the services from here.
"""

from gridgov.planning.groups.services.guards import GroupError
from gridgov.planning.groups.services.household_teams import (
    household_teams_check,
    household_teams_clear,
    household_teams_save,
)
from gridgov.planning.groups.services.member_groups import (
    member_groups_check,
    member_groups_clear,
    member_groups_save,
)

__all__ = [
    "GroupError",
    "household_teams_check",
    "household_teams_clear",
    "household_teams_save",
    "member_groups_check",
    "member_groups_clear",
    "member_groups_save",
]
