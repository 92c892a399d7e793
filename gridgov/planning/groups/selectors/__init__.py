"""Readers for member groups and household teams: who can be grouped, the automatic
suggestions, the saved sets, and the page data. Scoped like the planning page.

- ``member_groups``: compounds to plan, the pool, leader facts, suggestion, saved set, rows;
- ``household_teams``: team targets, households in cutting order, the pool, suggestion,
  saved set, teams of other grids;
- ``places``: where buildings and members are in local metres, and the buildings' order.

Import the readers from here.
"""

from gridgov.planning.groups.selectors.household_teams import (
    HouseholdRow,
    TeamDraft,
    TeamSuggestion,
    households_in_other_teams,
    members_in_other_teams,
    saved_teams,
    suggest_teams,
    team_count,
    team_households,
    team_pool,
    team_target_for,
    teams_elsewhere_overlapping,
    teams_version,
)
from gridgov.planning.groups.selectors.member_groups import (
    GroupDraft,
    GroupRow,
    buildings_by_group,
    compound_for,
    compounds_to_plan,
    group_pool,
    group_rows,
    groups_version,
    mean_group_distance,
    member_facts,
    saved_groups,
    suggest_groups,
)
from gridgov.planning.groups.selectors.places import building_ranks, compound_of

__all__ = [
    "GroupDraft",
    "GroupRow",
    "HouseholdRow",
    "TeamDraft",
    "TeamSuggestion",
    "building_ranks",
    "buildings_by_group",
    "compound_for",
    "compound_of",
    "compounds_to_plan",
    "group_pool",
    "group_rows",
    "groups_version",
    "households_in_other_teams",
    "mean_group_distance",
    "member_facts",
    "members_in_other_teams",
    "saved_groups",
    "saved_teams",
    "suggest_groups",
    "suggest_teams",
    "team_count",
    "team_households",
    "team_pool",
    "team_target_for",
    "teams_elsewhere_overlapping",
    "teams_version",
]
