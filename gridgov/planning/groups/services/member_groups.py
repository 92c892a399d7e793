"""Writers of member groups: check a compound's groups, save them as a whole (replacing the
previous set, with one audit row holding the set before and after), clear them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record
from gridgov.grids.models import Grid, Level
from gridgov.people.models import Member
from gridgov.planning.groups.selectors import (
    GroupDraft,
    compound_for,
    group_pool,
    groups_version,
    member_facts,
)
from gridgov.planning.groups.services.guards import GroupError, lock_grid, names_listed, stale
from gridgov.planning.groups.splitting import Candidate, size_bounds
from gridgov.planning.models import MemberGroup, MemberGroupMembership


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
                "names": names_listed([names.get(i, f"#{i}") for i in outsiders]),
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
        problems.append(
            _("These members are in no group: %(names)s.") % {"names": names_listed(missing)}
        )
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


def _leader_problems(
    number: int, g: GroupDraft, by_id: dict[int, Member], facts: dict[int, Candidate]
) -> list[str]:
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


def _groups_snapshot(compound: Grid) -> list[dict[str, Any]]:
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


@transaction.atomic
def member_groups_save(
    *,
    compound: Grid,
    groups: Sequence[GroupDraft],
    acting_user: Actor,
    expected_version: str | None = None,
) -> list[MemberGroup]:
    """Replace the compound's member groups with ``groups`` (numbered in the given order).
    Members saved in a group of another compound (they moved) leave that group."""
    compound = lock_grid(compound, acting_user, (Level.COMPOUND,), compound_for)
    problems = stale(expected_version, groups_version(compound))
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
    user = account_of(acting_user)
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
def member_groups_clear(*, compound: Grid, acting_user: Actor) -> int:
    """Delete the compound's saved groups (audited); returns how many there were."""
    compound = lock_grid(compound, acting_user, (Level.COMPOUND,), compound_for)
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
