"""Writers of member groups and household teams. A compound's groups (a building's or
compound's teams) are saved as a whole: checked, then the previous set replaced in one
transaction with one audit row holding the set before and after. A refusal raises
GroupError with every problem found, and writes nothing.

Decision: edits that break the rules are refused, not saved with a warning: a saved set is
what the branch works from, and the page's "Check" button shows the same messages without
saving, so an editor sees each problem before saving.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.accounts.services import audit_record
from gridgov.grids.models import Grid, Level
from gridgov.people.models import Member, MemberKind
from gridgov.planning.groups.selectors import (
    GroupDraft,
    TeamDraft,
    compound_for,
    compound_of,
    group_pool,
    groups_version,
    households_in_other_teams,
    member_facts,
    members_in_other_teams,
    team_households,
    team_target_for,
    teams_version,
)
from gridgov.planning.groups.splitting import TEAM_SIZE, size_bounds
from gridgov.planning.models import (
    HouseholdTeam,
    HouseholdTeamHousehold,
    HouseholdTeamMember,
    MemberGroup,
    MemberGroupMembership,
)

MAX_NAMED = 10
TEAM_LEVELS = (Level.COMPOUND, Level.BUILDING)  # names listed in one message before "and N more"


class GroupError(ValidationError):
    """A refused save of groups or teams; ``messages`` lists every problem."""


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:MAX_NAMED])
    if len(items) > MAX_NAMED:
        shown += " " + _("and %(n)d more") % {"n": len(items) - MAX_NAMED}
    return shown


def _stale(version: str | None, current: str) -> list[str]:
    if version is not None and version != current:
        return [
            _(
                "Someone saved a new set while you were editing. Reload the page to see it, "
                "then make your changes again."
            )
        ]
    return []


# --- member groups ---------------------------------------------------------------------------


def member_groups_check(
    *, compound: Grid, groups: Sequence[GroupDraft], pool: list[Member] | None = None
) -> list[str]:
    """Every reason the groups cannot be saved ([] when they can). Writes nothing."""
    pool = group_pool(compound) if pool is None else pool
    by_id = {m.pk: m for m in pool}
    problems: list[str] = []
    seen: dict[int, list[int]] = {}
    for number, g in enumerate(groups, start=1):
        for i in g.members:
            seen.setdefault(i, []).append(number)
    outsiders = sorted(i for i in seen if i not in by_id)
    if outsiders:
        names = dict(Member.objects.filter(pk__in=outsiders).values_list("pk", "name"))
        problems.append(
            _("These people are not party members living in %(compound)s: %(names)s.")
            % {
                "compound": compound.name,
                "names": _names([names.get(i, f"#{i}") for i in outsiders]),
            }
        )
    for i, numbers in sorted(seen.items(), key=lambda kv: kv[0]):
        if len(numbers) > 1 and i in by_id:
            problems.append(
                _("%(name)s is in more than one group (%(groups)s).")
                % {"name": by_id[i].name, "groups": ", ".join(str(n) for n in numbers)}
            )
    missing = [m.name for m in pool if m.pk not in seen]
    if missing:
        problems.append(_("These members are in no group: %(names)s.") % {"names": _names(missing)})
    n = len(pool)
    sizes = [len(g.members) for g in groups]
    bounds = size_bounds(n)
    if bounds is None:
        if n and len(groups) != 1:
            problems.append(
                ngettext(
                    "%(compound)s has %(n)d member, fewer than 20: they form one group, not %(k)d.",
                    "%(compound)s has %(n)d members, fewer than 20: they form one group, not "
                    "%(k)d.",
                    n,
                )
                % {"compound": compound.name, "n": n, "k": len(groups)}
            )
    else:
        lo, hi = bounds
        for number, size in enumerate(sizes, start=1):
            if not lo <= size <= hi:
                problems.append(
                    _("Group %(number)d has %(size)d members; a group has %(lo)d to %(hi)d.")
                    % {"number": number, "size": size, "lo": lo, "hi": hi}
                )
    facts = member_facts(pool)
    for number, g in enumerate(groups, start=1):
        problems += _leader_problems(number, g, by_id, facts)
    return problems


def _leader_problems(number: int, g: GroupDraft, by_id: dict, facts: dict) -> list[str]:
    formal = [i for i in g.members if i in facts and facts[i].formal]
    out: list[str] = []
    for role, who in ((_("leader"), g.leader), (_("deputy"), g.deputy)):
        if who is None:
            continue
        name = by_id[who].name if who in by_id else f"#{who}"
        if who not in g.members:
            out.append(
                _("The %(role)s of group %(number)d, %(name)s, is not in that group.")
                % {"role": role, "number": number, "name": name}
            )
        elif who not in formal:
            out.append(
                _("%(name)s is not a formal member and cannot be the %(role)s of group %(number)d.")
                % {"role": role, "number": number, "name": name}
            )
    if g.leader is None and formal:
        out.append(_("Group %(number)d needs a leader.") % {"number": number})
    if g.deputy is None and len(formal) >= 2:
        out.append(_("Group %(number)d needs a deputy.") % {"number": number})
    if g.leader is not None and g.leader == g.deputy:
        out.append(
            _("Group %(number)d needs two different people as leader and deputy.")
            % {"number": number}
        )
    return out


def _groups_snapshot(compound: Grid) -> list[dict]:
    groups = (
        MemberGroup.objects.filter(compound=compound)
        .order_by("number")
        .prefetch_related("memberships")
    )
    return [
        {
            "number": g.number,
            "leader": g.leader_id,
            "deputy": g.deputy_id,
            "members": sorted(ms.member_id for ms in g.memberships.all()),
        }
        for g in groups
    ]


def _lock(grid: Grid, acting_user, levels: tuple[int, ...], finder) -> Grid:
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


@transaction.atomic
def member_groups_save(
    *,
    compound: Grid,
    groups: Sequence[GroupDraft],
    acting_user,
    expected_version: str | None = None,
) -> list[MemberGroup]:
    """Replace the compound's member groups with ``groups`` (numbered in the given order).
    Members saved in a group of another compound (they moved) leave that group."""
    compound = _lock(compound, acting_user, (Level.COMPOUND,), compound_for)
    problems = _stale(expected_version, groups_version(compound))
    problems += member_groups_check(compound=compound, groups=groups)
    if problems:
        raise GroupError(problems, code="groups")
    before = _groups_snapshot(compound)
    MemberGroup.objects.filter(compound=compound).delete()
    ids = [i for g in groups for i in g.members]
    moved = list(
        MemberGroupMembership.objects.filter(member_id__in=ids).select_related("group__compound")
    )
    for ms in moved:
        audit_record(
            actor=acting_user,
            action="membergroup.leave",
            obj=ms.group,
            before={"member": ms.member_id},
            after=None,
        )
    MemberGroupMembership.objects.filter(pk__in=[ms.pk for ms in moved]).delete()
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    saved = []
    for number, g in enumerate(groups, start=1):
        group = MemberGroup.objects.create(
            compound=compound,
            number=number,
            leader_id=g.leader,
            deputy_id=g.deputy,
            created_by=user,
        )
        MemberGroupMembership.objects.bulk_create(
            MemberGroupMembership(group=group, member_id=i) for i in g.members
        )
        saved.append(group)
    audit_record(
        actor=acting_user,
        action="membergroups.save",
        obj=compound,
        before={"groups": before},
        after={"groups": _groups_snapshot(compound)},
    )
    return saved


@transaction.atomic
def member_groups_clear(*, compound: Grid, acting_user) -> int:
    """Delete the compound's saved groups (audited); returns how many there were."""
    compound = _lock(compound, acting_user, (Level.COMPOUND,), compound_for)
    before = _groups_snapshot(compound)
    MemberGroup.objects.filter(compound=compound).delete()
    if before:
        audit_record(
            actor=acting_user,
            action="membergroups.clear",
            obj=compound,
            before={"groups": before},
            after={"groups": []},
        )
    return len(before)


# --- household teams -------------------------------------------------------------------------


def household_teams_check(*, target: Grid, teams: Sequence[TeamDraft], acting_user) -> list[str]:
    """Every reason the teams cannot be saved ([] when they can). Writes nothing."""
    compound = compound_of(target)
    households = team_households(target, acting_user)
    label = {h.id: _room_label(h) for h in households}
    problems: list[str] = []
    owner: dict[int, list[int]] = {}
    seat: dict[int, list[int]] = {}
    for number, t in enumerate(teams, start=1):
        if len(t.members) != TEAM_SIZE:
            problems.append(
                _("Team %(number)d has %(size)d members; a team has 3.")
                % {"number": number, "size": len(t.members)}
            )
        if not t.households:
            problems.append(_("Team %(number)d owns no household.") % {"number": number})
        for h in t.households:
            owner.setdefault(h, []).append(number)
        for m in t.members:
            seat.setdefault(m, []).append(number)
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
            _("These households belong to no team: %(rooms)s.") % {"rooms": _names(missing)}
        )
    people = {m.pk: m for m in Member.objects.filter(pk__in=list(seat))}
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
            % {"compound": compound.name, "names": _names(strangers)}
        )
    busy = members_in_other_teams(target, list(seat))
    for m in seat:
        if m in busy and m in people:
            team = busy[m]
            problems.append(
                _("%(name)s is already in team %(number)d of %(grid)s.")
                % {"name": people[m].name, "number": team.number, "grid": team.grid}
            )
    elsewhere = {h: t for h, t in households_in_other_teams(target).items() if h in owner}
    if elsewhere:
        grids = sorted({str(t.grid) for t in elsewhere.values()})
        problems.append(
            ngettext(
                "%(n)d household is already owned by a team of %(grids)s; clear those teams first.",
                "%(n)d households are already owned by teams of %(grids)s; clear those teams "
                "first.",
                len(elsewhere),
            )
            % {"n": len(elsewhere), "grids": "; ".join(grids)}
        )
    return problems


def _room_label(h) -> str:
    room = h.room.label or f"#{h.id}"
    return f"{h.building} {room}".strip()


def _teams_snapshot(target: Grid) -> list[dict]:
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
    *, target: Grid, teams: Sequence[TeamDraft], acting_user, expected_version: str | None = None
) -> list[HouseholdTeam]:
    """Replace the teams planned for a building or compound with ``teams`` (numbered in the
    given order): three members each, every household of the target owned exactly once."""
    target = _lock(target, acting_user, TEAM_LEVELS, team_target_for)
    problems = _stale(expected_version, teams_version(target))
    problems += household_teams_check(target=target, teams=teams, acting_user=acting_user)
    if problems:
        raise GroupError(problems, code="teams")
    before = _teams_snapshot(target)
    HouseholdTeam.objects.filter(grid=target).delete()
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
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
def household_teams_clear(*, target: Grid, acting_user) -> int:
    """Delete the teams planned for a building or compound (audited)."""
    target = _lock(target, acting_user, TEAM_LEVELS, team_target_for)
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
