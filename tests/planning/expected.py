"""What the planning selectors should answer, computed independently: by walking every row
in Python (no selector code)."""

from __future__ import annotations

from collections import Counter

from gridgov.grids.models import Grid, GridRole, Level, RoleKind
from gridgov.people.models import Member, MemberKind, OrgKind, PartyOrganisation


def expected_eligible(prefix: str = "") -> dict[str, int]:
    """Compound code -> formal members, computed by walking every row in Python."""
    formal = Counter(
        m.compound_id
        for m in Member.objects.all()
        if m.compound_id and m.is_formal and m.kind != MemberKind.APPLICANT
    )
    branched = {
        o.grid_id for o in PartyOrganisation.objects.all() if o.kind == OrgKind.COMPOUND_BRANCH
    }
    return {
        g.code: formal[g.pk]
        for g in Grid.objects.all()
        if g.level == Level.COMPOUND
        and g.kind == "residential"
        and g.code.startswith(prefix)
        and g.pk not in branched
        and formal[g.pk] >= 3
    }


def _current(roles) -> set[int]:
    today_rows = [r for r in GridRole.objects.all() if r.until is None and r.role in roles]
    return {r.grid_id for r in today_rows}


def expected_unled(prefix: str = "") -> dict[str, set[str]]:
    """Branch compound code -> codes of its buildings without a current building leader."""
    branched = {
        o.grid_id for o in PartyOrganisation.objects.all() if o.kind == OrgKind.COMPOUND_BRANCH
    }
    led = _current({RoleKind.BUILDING_LEADER})
    out: dict[str, set[str]] = {}
    for b in Grid.objects.all():
        if (
            b.level == Level.BUILDING
            and b.parent_id in branched
            and b.pk not in led
            and b.code.startswith(prefix)
        ):
            out.setdefault(Grid.objects.get(pk=b.parent_id).code, set()).add(b.code)
    return out


def expected_no_contact(prefix: str = "") -> set[str]:
    contact = _current({RoleKind.BUILDING_LEADER, RoleKind.GROUP_LEADER, RoleKind.GROUP_DEPUTY})
    return {
        b.code
        for b in Grid.objects.all()
        if b.level == Level.BUILDING and b.pk not in contact and b.code.startswith(prefix)
    }
