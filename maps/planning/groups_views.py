"""Pages for member groups (/planning/groups/<compound>/): suggest → edit → check → save;
the grid chooser both group pages share (``open_grid``). Household teams: teams_views.py.

Thin: the suggestion, the checks and the saving are gridgov.planning's; this module reads
the form into drafts and the drafts into page rows. Same access as the planning page
(planner roles; a grid outside the user's planning area is a 404).
"""

from __future__ import annotations

from collections import defaultdict

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
    member_groups_check,
    member_groups_clear,
    member_groups_save,
)
from gridgov.planning.groups.splitting import size_bounds
from gridgov.planning.selectors import grid_geometry
from maps.builders import Tiles, embed
from maps.planning.map import GroupMapLabels, group_colour, groups_map
from maps.planning.views import planner_required


def int_param(value) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def grid_map(
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
        if key.startswith("g_") and int_param(key[2:]) and int_param(value):
            number_of[int(key[2:])] = int(value)
    for key, value in data.items():
        if key.startswith("b_") and int_param(key[2:]) and int_param(value):
            for m in pool:
                if m.building_id == int(key[2:]):
                    number_of[m.pk] = int(value)
    by_number: dict[int, list[int]] = defaultdict(list)
    for member, number in sorted(number_of.items()):
        by_number[number].append(member)
    return [
        gs.GroupDraft(
            members=by_number[n],
            leader=int_param(data.get(f"leader_{n}")),
            deputy=int_param(data.get(f"deputy_{n}")),
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
        "map": grid_map(
            compound, buildings, gs.buildings_by_group(compound, drafts, pool), _("Group")
        ),
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
