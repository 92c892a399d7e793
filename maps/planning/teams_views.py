"""Pages for household teams (/planning/teams/<building or compound>/): suggest → edit →
check → save, three members per team of about thirty households (docs/PLANNING.md).

Thin, like the member groups' pages (maps/planning/groups_views.py, whose map and grid
helpers it uses): the suggestion, checks and saving are gridgov.planning.groups'.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gridgov.grids.models import Grid, Level
from gridgov.planning.groups import selectors as gs
from gridgov.planning.groups.services import (
    GroupError,
    household_teams_check,
    household_teams_clear,
    household_teams_save,
)
from maps.planning.groups_views import grid_map, int_param
from maps.planning.map import group_colour
from maps.planning.views import planner_required


def block_key(h: gs.HouseholdRow) -> str | None:
    """The form key of a household's floor (None when its floor is unknown)."""
    if h.room.floor is None:
        return None
    return f"{h.building_id or 0}-{h.room.unit if h.room.unit is not None else 'x'}-{h.room.floor}"


def teams_from_post(data, households: list[gs.HouseholdRow]) -> list[gs.TeamDraft]:
    """Drafts from the form: m_<member> = team number, h_<household> = team number, and
    f_<floor key> = a team number for every household of that floor (overrides)."""
    team_of_house: dict[int, int] = {}
    team_of_member: dict[int, int] = {}
    for key, value in data.items():
        if key.startswith("h_") and int_param(key[2:]) and int_param(value):
            team_of_house[int(key[2:])] = int(value)
        elif key.startswith("m_") and int_param(key[2:]) and int_param(value):
            team_of_member[int(key[2:])] = int(value)
    floors = {
        key[2:]: int_param(value)
        for key, value in data.items()
        if key.startswith("f_") and int_param(value)
    }
    if floors:
        for h in households:
            key = block_key(h)
            if key in floors:
                team_of_house[h.id] = floors[key]
    numbers = sorted(set(team_of_house.values()) | set(team_of_member.values()))
    known = {h.id for h in households}
    strays = sorted(h for h in team_of_house if h not in known)  # the check names them
    return [
        gs.TeamDraft(
            members=sorted(m for m, t in team_of_member.items() if t == n),
            households=[h.id for h in households if team_of_house.get(h.id) == n]
            + [h for h in strays if team_of_house[h] == n],
        )
        for n in numbers
    ]


def _floors(households: list[gs.HouseholdRow], team_of: dict[int, int]) -> list[dict]:
    """Households grouped by floor for the form, in order."""
    out: list[dict] = []
    for h in households:
        key = block_key(h)
        row = key or f"?{h.building_id}"  # rooms of unknown floor: one row per building
        if not out or out[-1]["row"] != row:
            out.append(
                {
                    "row": row,
                    "key": key,
                    "building": h.building,
                    "unit": h.room.unit,
                    "floor": h.room.floor,
                    "rooms": [],
                }
            )
        out[-1]["rooms"].append(
            {"id": h.id, "label": h.room.label or f"#{h.id}", "team": team_of.get(h.id, "")}
        )
    return out


def _teams_context(
    request,
    target: Grid,
    households: list,
    pool: list,
    drafts: list,
    state: str,
    problems: list[str],
    version: str,
    largest: int,
) -> dict:
    compound = gs.compound_of(target)
    by_house = {h.id: h for h in households}
    team_of = {h: n for n, d in enumerate(drafts, start=1) for h in d.households}
    member_team = {m: n for n, d in enumerate(drafts, start=1) for m in d.members}
    names = {m.pk: m for m in pool}
    summary = []
    for n, d in enumerate(drafts, start=1):
        rows = [by_house[h] for h in d.households if h in by_house]
        floors = sorted({(r.building, r.room.floor) for r in rows if r.room.floor is not None})
        summary.append(
            {
                "number": n,
                "colour": group_colour(n),
                "members": [names[m].name if m in names else f"#{m}" for m in d.members],
                "households": len(d.households),
                "first": rows[0].room.label if rows else "",
                "last": rows[-1].room.label if rows else "",
                "floors": ", ".join(f"{b} {f}" for b, f in floors[:6])
                + ("…" if len(floors) > 6 else ""),
            }
        )
    rows = [
        {
            "member": m,
            "team": member_team.get(m.pk, ""),
            "inside": target.level == Level.COMPOUND or m.building_id == target.pk,
        }
        for m in pool
    ]
    buildings = (
        list(Grid.objects.filter(parent=target, level=Level.BUILDING).order_by("code"))
        if target.level == Level.COMPOUND
        else [target]
    )
    per: dict[int, Counter] = defaultdict(Counter)
    for h in households:
        if h.building_id and h.id in team_of:
            per[h.building_id][team_of[h.id]] += 1
    majority = {
        b: (min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0], dict(c)) for b, c in per.items()
    }
    return {
        "target": target,
        "compound": compound,
        "state": state,
        "problems": problems,
        "version": version,
        "summary": summary,
        "largest": largest,
        "team_count": len(drafts),
        "pool": rows,
        "others": sum(1 for r in rows if not r["inside"] and not r["team"]),
        "floors": _floors(households, team_of),
        "n_households": len(households),
        "overlapping": gs.teams_elsewhere_overlapping(target),
        "map": grid_map(
            compound if target.level == Level.BUILDING else target, buildings, majority, _("Team")
        ),
        "saved_exists": gs.teams_version(target) != "0",
    }


@planner_required
def teams_page(request: HttpRequest, code: str) -> HttpResponse:
    target = gs.team_target_for(request.user, code)
    if target is None:
        raise Http404
    households = gs.team_households(target, request.user)
    pool = gs.team_pool(target)
    version = gs.teams_version(target)
    if request.method == "POST":
        action = request.POST.get("action", "check")
        if action == "clear":
            n = household_teams_clear(target=target, acting_user=request.user)
            messages.success(request, _("%(n)d saved teams cleared.") % {"n": n})
            return redirect("planning:teams", code=target.code)
        drafts = teams_from_post(request.POST, households)
        if action == "save":
            try:
                household_teams_save(
                    target=target,
                    teams=drafts,
                    acting_user=request.user,
                    expected_version=request.POST.get("version"),
                )
            except GroupError as error:
                problems = error.messages
            else:
                messages.success(
                    request, _("Household teams saved for %(name)s.") % {"name": target.name}
                )
                return redirect("planning:teams", code=target.code)
        else:
            problems = household_teams_check(target=target, teams=drafts, acting_user=request.user)
        largest = gs.team_count(target, pool, len(households))[1]
        return render(
            request,
            "planning/teams.html",
            _teams_context(
                request,
                target,
                households,
                pool,
                drafts,
                "edited",
                problems,
                request.POST.get("version", version),
                largest,
            ),
        )
    asked = int_param(request.GET.get("teams"))
    saved = [] if request.GET.get("suggest") or asked else gs.saved_teams(target)
    if saved:
        drafts, state = saved, "saved"
        problems = household_teams_check(target=target, teams=drafts, acting_user=request.user)
        largest = gs.team_count(target, pool, len(households))[1]
    else:
        suggestion = gs.suggest_teams(
            target, request.user, teams=asked, households=households, pool=pool
        )
        drafts, state, problems = suggestion.teams, "suggested", []
        largest = suggestion.largest
    return render(
        request,
        "planning/teams.html",
        _teams_context(
            request, target, households, pool, drafts, state, problems, version, largest
        ),
    )
