"""Each role lands on its own page after signing in, and its navigation offers exactly the
pages it may open (issue 18 part 2): every entry offered opens, and every entry of the
navigation's table that is not offered is refused. Built from the permission table
(gridgov/accounts/navigation.py), so this holds for every role at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.accounts.models import StaffRole
from gridgov.accounts.navigation import ENTRIES
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
PASSWORD = "x-Pass-2026!"

STAFF = {  # role → the grid of tests/conftest.py's tree it holds
    StaffRole.STREET_ADMIN: None,
    StaffRole.COMMUNITY_SECRETARY: "c1",
    StaffRole.COMMUNITY_STAFF: "c1",
    StaffRole.BRANCH_SECRETARY: "k1",
    StaffRole.GRID_LEADER: "k1",
    StaffRole.BUILDING_LEADER: "b1",
}


def _landing(role: str, tree) -> str:
    if role == StaffRole.STREET_ADMIN:
        return reverse("maps:street")
    if role in (StaffRole.COMMUNITY_SECRETARY, StaffRole.COMMUNITY_STAFF):
        return reverse("cases:list")
    return reverse("maps:grid", args=[getattr(tree, STAFF[role]).code])


def _sign_in(client: Client, username: str):
    return client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD}, follow=True
    )


def _check_navigation(client: Client) -> None:
    """Every entry of the navigation's table: offered ⇔ it opens. A page that answers with
    an explanation instead of its content (no member record, no patrol role: marked
    data-refusal) has not opened."""
    more = client.get(reverse("menu")).content.decode()
    offered = {href for href, _key in re.findall(r'<a href="([^"]+)" data-nav="([^"]+)"', more)}
    wrong = []
    for entry in ENTRIES:
        url = reverse(entry.url_name)
        response = client.get(url)
        opens = response.status_code == 200 and b"data-refusal=" not in response.content
        if (url in offered) != opens:
            wrong.append(
                f"{entry.key} {url}: offered={url in offered} status={response.status_code}"
            )
    assert not wrong, wrong


@pytest.mark.parametrize("role", list(STAFF))
def test_each_staff_role_lands_on_its_page_and_is_offered_what_it_may_open(
    role, tree, make_user, client
):
    grid = getattr(tree, STAFF[role]) if STAFF[role] else None
    make_user("staff", role, grid)
    landed = _sign_in(client, "staff")
    assert landed.redirect_chain[-1][0] == _landing(role, tree)
    assert landed.status_code == 200
    _check_navigation(client)


def test_a_member_lands_on_the_member_home_and_is_offered_their_pages(tree, make_user, client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="dangyuan", password=PASSWORD)
    member = MemberFactory(user=user, confirmed=True, name="李党员")
    landed = _sign_in(client, "dangyuan")
    assert landed.redirect_chain[-1][0] == reverse("member_home")
    page = landed.content.decode()
    assert f"{member.name}，您好" in page
    assert 'data-nav="my_points"' in page
    assert 'data-nav="my_reporting"' in page
    _check_navigation(client)


def test_a_stranger_is_offered_the_residents_pages_and_nothing_else(tree, client):
    page = client.get("/").content.decode()
    for action in ("finder", "register", "street"):
        assert f'data-action="{action}"' in page
    _check_navigation(client)


def test_signing_in_from_the_home_page_leads_to_the_roles_page(tree, make_user, client):
    make_user("shuji", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    home = client.get("/").content.decode()
    login_link = re.search(r'class="nav-login" href="([^"]+)"', home).group(1)
    assert "next=" not in login_link  # from a front page, no way back to it
    form = client.get(login_link).content.decode()
    next_value = re.search(r'name="next" value="([^"]*)"', form).group(1)
    landed = client.post(
        login_link,
        {"username": "shuji", "password": PASSWORD, "next": next_value},
        follow=True,
    )
    assert landed.redirect_chain[-1][0] == reverse("cases:list")


def test_a_login_link_elsewhere_returns_to_the_page(tree, client):
    page = client.get(reverse("finder:find")).content.decode()
    assert 'href="/accounts/login/?next=/find/"' in page
