"""What the writers of groups and teams share: the refusal, the list of names in one
message, the stale-edit check and the lock on the grid whose set is replaced."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor
from gridgov.grids.models import Grid

MAX_NAMED = 10  # names listed in one message before "and N more"


class GroupError(ValidationError):
    """A refused save of groups or teams; ``messages`` lists every problem."""


def names_listed(items: Sequence[str]) -> str:
    """The first MAX_NAMED items, comma-separated, then "and N more"."""
    shown = ", ".join(items[:MAX_NAMED])
    if len(items) > MAX_NAMED:
        shown += " " + _("and %(n)d more") % {"n": len(items) - MAX_NAMED}
    return shown


def stale(version: str | None, current: str) -> list[str]:
    """The problem when the saved set changed since the editor loaded it ([] otherwise)."""
    if version is not None and version != current:
        return [
            _(
                "Someone saved a new set while you were editing. Reload the page to see it, "
                "then make your changes again."
            )
        ]
    return []


def lock_grid(
    grid: Grid,
    acting_user: Actor,
    levels: Sequence[int],
    finder: Callable[[Actor, str], Grid | None],
) -> Grid:
    """Lock the grid row (one save per grid at a time); refuse a grid of the wrong level or
    outside the acting user's area (``finder`` is compound_for or team_target_for)."""
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    if grid.level not in levels:
        raise GroupError(
            _("%(grid)s is not a compound or building you can plan groups or teams for.")
            % {"grid": grid},
            code="level",
        )
    if acting_user is not None and finder(acting_user, grid.code) is None:
        raise GroupError(
            _("%(grid)s is outside the area you plan for.") % {"grid": grid}, code="scope"
        )
    return grid
