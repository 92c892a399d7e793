"""Writers of household teams: check the teams of a building or compound, save them as a
whole (replacing the previous set, with one audit row holding the set before and after),
clear them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record
from gridgov.grids.models import Grid, Level
from gridgov.people.models import Member, MemberKind
from gridgov.planning.groups.selectors import (
    HouseholdRow,
    TeamDraft,
    compound_of,
    households_in_other_teams,
    members_in_other_teams,
    team_households,
    team_target_for,
    teams_version,
)
from gridgov.planning.groups.services.guards import GroupError, lock_grid, names_listed, stale
from gridgov.planning.groups.splitting import TEAM_SIZE
from gridgov.planning.models import HouseholdTeam, HouseholdTeamHousehold, HouseholdTeamMember

TEAM_LEVELS = (Level.COMPOUND, Level.BUILDING)


def household_teams_check(
    *, target: Grid, teams: Sequence[TeamDraft], acting_user: Actor
) -> list[str]:
    """Every reason the teams cannot be saved ([] when they can). Writes nothing."""
    households = team_households(target, acting_user)
    owner = _numbers_of([t.households for t in teams])
    seat = _numbers_of([t.members for t in teams])
    return (
        _team_problems(teams)
        + _household_problems(target, households, owner)
        + _member_problems(target, seat)
        + _elsewhere_problems(target, owner)
    )


def _numbers_of(ids_per_team: Sequence[list[int]]) -> dict[int, list[int]]:
    """Household (or member) id → the numbers of the teams it is in, in the order first
    seen (``ids_per_team``: each team's households, or each team's members)."""
    out: dict[int, list[int]] = {}
    for number, ids in enumerate(ids_per_team, start=1):
        for i in ids:
            out.setdefault(i, []).append(number)
    return out


def _team_problems(teams: Sequence[TeamDraft]) -> list[str]:
    """Teams that are not three members, or own no household."""
    problems: list[str] = []
    for number, t in enumerate(teams, start=1):
        if len(t.members) != TEAM_SIZE:
            problems.append(
                _("Team %(number)d has %(size)d members; a team has 3.")
                % {"number": number, "size": len(t.members)}
            )
        if not t.households:
            problems.append(_("Team %(number)d owns no household.") % {"number": number})
    return problems


def _household_problems(
    target: Grid, households: Sequence[HouseholdRow], owner: dict[int, list[int]]
) -> list[str]:
    """Households given that are not the target's, owned twice, or owned by no team."""
    label = {h.id: _room_label(h) for h in households}
    problems: list[str] = []
    unknown = [h for h in owner if h not in label]
    if unknown:
        problems.append(
            _("%(n)d of the households given are not in %(grid)s.")
            % {"n": len(unknown), "grid": target.name}
        )
    for h, numbers in owner.items():
        if len(numbers) > 1 and h in label:
            problems.append(
                _("%(room)s is owned by more than one team (%(teams)s).")
                % {"room": label[h], "teams": ", ".join(str(n) for n in numbers)}
            )
    missing = [label[h.id] for h in households if h.id not in owner]
    if missing:
        problems.append(
            _("These households belong to no team: %(rooms)s.") % {"rooms": names_listed(missing)}
        )
    return problems


def _member_problems(target: Grid, seat: dict[int, list[int]]) -> list[str]:
    """Members in two teams, people who are not party members of the compound, and members
    already in a team of another grid."""
    compound = compound_of(target)
    people = {m.pk: m for m in Member.objects.filter(pk__in=list(seat))}
    problems: list[str] = []
    for m, numbers in seat.items():
        if len(numbers) > 1:
            problems.append(
                _("%(name)s is in more than one team (%(teams)s).")
                % {
                    "name": people[m].name if m in people else f"#{m}",
                    "teams": ", ".join(str(n) for n in numbers),
                }
            )
    strangers = sorted(
        p.name
        for p in people.values()
        if p.compound_id != compound.pk or p.kind == MemberKind.APPLICANT
    )
    strangers += [f"#{m}" for m in seat if m not in people]
    if strangers:
        problems.append(
            _("These people are not party members living in %(compound)s: %(names)s.")
            % {"compound": compound.name, "names": names_listed(strangers)}
        )
    busy = members_in_other_teams(target, list(seat))
    for m in seat:
        if m in busy and m in people:
            team = busy[m]
            problems.append(
                _("%(name)s is already in team %(number)d of %(grid)s.")
                % {"name": people[m].name, "number": team.number, "grid": team.grid}
            )
    return problems


def _elsewhere_problems(target: Grid, owner: dict[int, list[int]]) -> list[str]:
    """Households given that a team of another grid already owns."""
    elsewhere = {h: t for h, t in households_in_other_teams(target).items() if h in owner}
    if not elsewhere:
        return []
    grids = sorted({str(t.grid) for t in elsewhere.values()})
    return [
        ngettext(
            "%(n)d household is already owned by a team of %(grids)s; clear those teams first.",
            "%(n)d households are already owned by teams of %(grids)s; clear those teams first.",
            len(elsewhere),
        )
        % {"n": len(elsewhere), "grids": "; ".join(grids)}
    ]


def _room_label(h: HouseholdRow) -> str:
    room = h.room.label or f"#{h.id}"
    return f"{h.building} {room}".strip()


def _teams_snapshot(target: Grid) -> list[dict[str, Any]]:
    teams = (
        HouseholdTeam.objects.filter(grid=target)
        .order_by("number")
        .prefetch_related("memberships", "ownerships")
    )
    return [
        {
            "number": t.number,
            "members": sorted(ms.member_id for ms in t.memberships.all()),
            "households": sorted(o.household_id for o in t.ownerships.all()),
        }
        for t in teams
    ]


@transaction.atomic
def household_teams_save(
    *,
    target: Grid,
    teams: Sequence[TeamDraft],
    acting_user: Actor,
    expected_version: str | None = None,
) -> list[HouseholdTeam]:
    """Replace the teams planned for a building or compound with ``teams`` (numbered in the
    given order): three members each, every household of the target owned exactly once."""
    target = lock_grid(target, acting_user, TEAM_LEVELS, team_target_for)
    problems = stale(expected_version, teams_version(target))
    problems += household_teams_check(target=target, teams=teams, acting_user=acting_user)
    if problems:
        raise GroupError(problems, code="teams")
    before = _teams_snapshot(target)
    HouseholdTeam.objects.filter(grid=target).delete()
    user = account_of(acting_user)
    saved = []
    for number, t in enumerate(teams, start=1):
        team = HouseholdTeam.objects.create(grid=target, number=number, created_by=user)
        HouseholdTeamMember.objects.bulk_create(
            HouseholdTeamMember(team=team, member_id=m) for m in t.members
        )
        HouseholdTeamHousehold.objects.bulk_create(
            HouseholdTeamHousehold(team=team, household_id=h) for h in t.households
        )
        saved.append(team)
    audit_record(
        actor=acting_user,
        action="householdteams.save",
        obj=target,
        before={"teams": before},
        after={"teams": _teams_snapshot(target)},
    )
    return saved


@transaction.atomic
def household_teams_clear(*, target: Grid, acting_user: Actor) -> int:
    """Delete the teams planned for a building or compound (audited)."""
    target = lock_grid(target, acting_user, TEAM_LEVELS, team_target_for)
    before = _teams_snapshot(target)
    HouseholdTeam.objects.filter(grid=target).delete()
    if before:
        audit_record(
            actor=acting_user,
            action="householdteams.clear",
            obj=target,
            before={"teams": before},
            after={"teams": []},
        )
    return len(before)
