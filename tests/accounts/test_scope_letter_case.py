"""A scope is an exact code prefix on every backend: SQLite's LIKE ignores letter case, so
without care a scope "HD01" would also cover a community coded "hd01…"."""

from gridgov.accounts import policy
from gridgov.accounts.models import StaffRole
from gridgov.grids.models import Grid, Kind, Level
from gridgov.grids.services import grid_create
from tests.factories import box


def test_a_scope_does_not_cover_a_code_that_differs_only_in_letter_case(db, make_user):
    upper = grid_create(
        acting_user=None,
        level=Level.COMMUNITY,
        code="HD01",
        name="海东社区",
        kind=Kind.COMMUNITY,
        geom=box(113.0, 23.0, 113.01, 23.01),
    )
    lower = grid_create(
        acting_user=None,
        level=Level.COMMUNITY,
        code="hd0199",
        name="别的社区",
        kind=Kind.COMMUNITY,
        geom=box(113.02, 23.0, 113.03, 23.01),
    )
    secretary = make_user("hd", StaffRole.COMMUNITY_SECRETARY, upper)
    seen = set(
        Grid.objects.filter(policy.scoped(secretary, policy.READ_RESIDENTS, "code")).values_list(
            "code", flat=True
        )
    )
    assert seen == {"HD01"}
    assert not policy.allows(secretary, policy.READ_RESIDENTS, lower)
