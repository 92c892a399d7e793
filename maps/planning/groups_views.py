"""Pages for member groups (/planning/groups/<compound>/) and household teams
(/planning/teams/<building or compound>/): suggest → edit → check → save.

Thin: the suggestion, the checks and the saving are gridgov.planning's; this module reads
the form into drafts and the drafts into page rows. Same access as the planning page
(planner roles; a grid outside the user's planning area is a 404).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from gridgov import spreadsheets
from gridgov.accounts.services import access_record
from gridgov.grids.models import Grid, Level
from gridgov.people.models import Member
from gridgov.planning.groups import selectors as gs
from gridgov.planning.groups.services import (
    GroupError,
    household_teams_check,
    household_teams_clear,
    household_teams_save,
    member_groups_check,
    member_groups_clear,
    member_groups_save,
)
from gridgov.planning.groups.splitting import size_bounds
from gridgov.planning.selectors import grid_geometry
from maps.builders import Tiles, embed
from maps.planning.map import GroupMapLabels, group_colour, groups_map
from maps.planning.views import planner_required


def _int(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _map(
    compound: Grid, buildings: list[Grid], majority: dict[int, tuple[int, dict]], word: str
) -> dict:
    """The compound's buildings coloured by majority group/team (``word``: "Group"/"Team")."""
    features = []
    for b in buildings:
        number, counts = majority.get(b.pk, (0, {}))
        detail = ", ".join(f"{word} {n}: {c}" for n, c in sorted(counts.items())) or "—"
        features.append(
            {
                "type": "Feature",
                "geometry": grid_geometry(b),
                "properties": {"name": b.name, "code": b.code, "group": number, "detail": detail},
            }
        )
    outline = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": grid_geometry(compound), "properties": {}}],
    }
    m = groups_map(
        outline=outline,
        buildings={"type": "FeatureCollection", "features": features},
        labels=GroupMapLabels(
            outline=compound.name,
            buildings=_("Buildings"),
            name=_("Name"),
            code=_("Code"),
            detail=_("Who is where"),
        ),
        tiles=Tiles.configured(),
        static=static,
        centre=settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
    )
    return embed(m)


@planner_required
def open_grid(request: HttpRequest, what: str) -> HttpResponse:
    """/planning/groups/?code= and /planning/teams/?code=: go to that grid's page."""
    code = request.GET.get("code", "").strip()
    if not code:
        return redirect("planning:page")
    try:
        return redirect(f"planning:{what}", code=code)
    except NoReverseMatch as exc:  # a code no URL can hold ("a/b")
        raise Http404 from exc


# --- member groups ---------------------------------------------------------------------------


def groups_from_post(data, pool: list) -> list[gs.GroupDraft]:
    """Drafts from the form: g_<member> = group number, b_<building> = a number for every
    member of that building (overrides), leader_<n>/deputy_<n> = member ids. Groups are
    renumbered 1.. in the order of their numbers; empty ones disappear."""
    number_of: dict[int, int] = {}
    for key, value in data.items():
        if key.startswith("g_") and _int(key[2:]) and _int(value):
            number_of[int(key[2:])] = int(value)
    for key, value in data.items():
        if key.startswith("b_") and _int(key[2:]) and _int(value):
            for m in pool:
                if m.building_id == int(key[2:]):
                    number_of[m.pk] = int(value)
    by_number: dict[int, list[int]] = defaultdict(list)
    for member, number in sorted(number_of.items()):
        by_number[number].append(member)
    return [
        gs.GroupDraft(
            members=by_number[n],
            leader=_int(data.get(f"leader_{n}")),
            deputy=_int(data.get(f"deputy_{n}")),
        )
        for n in sorted(by_number)
    ]


def _groups_context(
    request, compound: Grid, pool: list, drafts: list, state: str, problems: list[str], version: str
) -> dict:
    facts = gs.member_facts(pool)
    rows = gs.group_rows(drafts, pool, facts)
    for r in rows:
        r.colour = group_colour(r.number)
    grouped = {i for d in drafts for i in d.members}
    buildings = list(Grid.objects.filter(parent=compound, level=Level.BUILDING).order_by("code"))
    n = len(pool)
    return {
        "compound": compound,
        "rows": rows,
        "state": state,
        "problems": problems,
        "version": version,
        "n": n,
        "bounds": size_bounds(n),
        "relaxed": size_bounds(n) is not None and size_bounds(n)[0] < 20,
        "ungrouped": [m for m in pool if m.pk not in grouped],
        "buildings": [b for b in buildings if any(m.building_id == b.pk for m in pool)],
        "mean_distance": round(gs.mean_group_distance(drafts, pool, compound)) if drafts else None,
        "map": _map(compound, buildings, gs.buildings_by_group(compound, drafts, pool), _("Group")),
        "saved_exists": gs.groups_version(compound) != "0",
    }


@planner_required
def groups_page(request: HttpRequest, code: str) -> HttpResponse:
    compound = gs.compound_for(request.user, code)
    if compound is None:
        raise Http404
    pool = gs.group_pool(compound)
    version = gs.groups_version(compound)
    if request.method == "POST":
        action = request.POST.get("action", "check")
        if action == "clear":
            n = member_groups_clear(compound=compound, acting_user=request.user)
            messages.success(request, _("%(n)d saved groups cleared.") % {"n": n})
            return redirect("planning:groups", code=compound.code)
        drafts = groups_from_post(request.POST, pool)
        if action == "save":
            try:
                member_groups_save(
                    compound=compound,
                    groups=drafts,
                    acting_user=request.user,
                    expected_version=request.POST.get("version"),
                )
            except GroupError as error:
                problems = error.messages
            else:
                messages.success(
                    request, _("Member groups saved for %(name)s.") % {"name": compound.name}
                )
                return redirect("planning:groups", code=compound.code)
        else:
            problems = member_groups_check(compound=compound, groups=drafts, pool=pool)
        context = _groups_context(
            request,
            compound,
            pool,
            drafts,
            "edited",
            problems,
            request.POST.get("version", version),
        )
        return render(request, "planning/groups.html", context)
    saved = [] if request.GET.get("suggest") else gs.saved_groups(compound)
    if saved:
        drafts, state = saved, "saved"
        problems = member_groups_check(compound=compound, groups=drafts, pool=pool)
    else:
        drafts, state, problems = gs.suggest_groups(compound, pool), "suggested", []
    return render(
        request,
        "planning/groups.html",
        _groups_context(request, compound, pool, drafts, state, problems, version),
    )


@planner_required
def groups_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The saved groups (or, when none are saved, the suggestion), one row per member."""
    compound = gs.compound_for(request.user, code)
    if compound is None:
        raise Http404
    pool = gs.group_pool(compound)
    drafts, state = gs.saved_groups(compound), "saved"
    if not drafts:
        drafts, state = gs.suggest_groups(compound, pool), "suggested"
    facts = gs.member_facts(pool)
    by_id = {m.pk: m for m in pool}

    def group_rows():
        for number, d in enumerate(drafts, start=1):
            for i in d.members:
                m = by_id.get(i)
                role = "leader" if i == d.leader else "deputy" if i == d.deputy else "member"
                yield (
                    compound.code,
                    number,
                    state,
                    role,
                    i,
                    m.name if m else "",
                    "yes" if i in facts and facts[i].formal else "no",
                    m.building.code if m and m.building_id else "",
                    m.building.name if m and m.building_id else "",
                )

    body = spreadsheets.as_csv(
        [
            "compound_code",
            "group",
            "state",
            "role",
            "member_id",
            "member_name",
            "formal",
            "building_code",
            "building_name",
        ],
        group_rows(),
    )
    # members' names: every download is logged (PIPL), as the other personal exports are
    access_record(
        actor=request.user,
        action="personal.export",
        model=Member,
        what=f"member-groups-{compound.code}.csv",
    )
    return spreadsheets.download(body, name=f"member-groups-{compound.code}", fmt="csv")


# --- household teams -------------------------------------------------------------------------


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
        if key.startswith("h_") and _int(key[2:]) and _int(value):
            team_of_house[int(key[2:])] = int(value)
        elif key.startswith("m_") and _int(key[2:]) and _int(value):
            team_of_member[int(key[2:])] = int(value)
    floors = {
        key[2:]: _int(value) for key, value in data.items() if key.startswith("f_") and _int(value)
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
        "map": _map(
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
    asked = _int(request.GET.get("teams"))
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
