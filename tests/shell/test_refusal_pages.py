"""Every refusal is a page in the site's chrome and language (issue 18 part 1): the 404 a
mistyped request number gets, the 403 a role gets for a page it may not open, the
expired-form page, and the server-error page. Asserted as the person sees them: the site's
top bar, the heading in Chinese (English under /en/), a way back home."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from gridgov.accounts.models import StaffRole

pytestmark = pytest.mark.django_db

CHROME = '<header class="topbar">'


def _login(client: Client, username: str) -> None:
    client.post("/accounts/login/", {"username": username, "password": "x-Pass-2026!"})
    assert "_auth_user_id" in client.session


def test_a_mistyped_request_number_is_the_sites_own_404_in_chinese(tree, make_user, client):
    make_user("shuji", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    _login(client, "shuji")
    response = client.get("/cases/0000-000000/")
    assert response.status_code == 404
    page = response.content.decode()
    assert CHROME in page
    assert "党建网格" in page
    assert "找不到" in page or "不存在" in page
    assert "Page not found" not in page
    assert "URLconf" not in page


def test_a_role_refused_a_page_sees_why_in_the_sites_chrome(tree, make_user, client):
    make_user("louzhang", StaffRole.BUILDING_LEADER, tree.b1)
    _login(client, "louzhang")
    response = client.get("/planning/")
    assert response.status_code == 403
    page = response.content.decode()
    assert CHROME in page
    assert "无权访问" in page
    assert "您的角色不能打开此页面" in page
    assert 'href="/"' in page  # a way on


def test_the_refusal_speaks_english_under_en(tree, make_user, client):
    make_user("louzhang", StaffRole.BUILDING_LEADER, tree.b1)
    _login(client, "louzhang")
    page = client.get("/en/planning/").content.decode()
    assert "Not allowed" in page
    assert "Your role does not let you open this page" in page


def test_an_expired_form_says_nothing_was_saved_in_the_sites_chrome(tree, make_user):
    make_user("shuji", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "shuji", "password": "x-Pass-2026!"})
    assert response.status_code == 403
    page = response.content.decode()
    assert CHROME in page
    assert "表单已失效" in page
    assert "没有保存任何内容" in page
    assert "CSRF verification failed" not in page  # not Django's English page


def test_the_server_error_page_is_chinese_first_with_the_sites_style():
    response = server_error(RequestFactory().get("/cases/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器错误" in page
    assert "Server error" in page
    assert "/static/css/site.css" in page
    assert CHROME in page
