"""The site's own pages for an address that does not exist and for a failure, Chinese first."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_address_shows_the_sites_own_page(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page
    assert 'class="topbar"' in page
    assert 'href="/track/"' in page


def test_an_unknown_address_in_english(client):
    client.cookies["django_language"] = "en"
    page = client.get("/no-such-page/").content.decode()
    assert "Page not found" in page


def test_a_failure_shows_the_sites_own_page():
    with translation.override("zh-hans"):  # as the locale middleware leaves it for the request
        response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in page
    assert '<html lang="zh-hans">' in page
    assert "Server Error" not in page


def test_a_page_not_open_to_the_account_says_so_in_the_sites_style(client):
    client.force_login(ApplicantFactory())
    response = client.get("/complaints/register/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page
    assert 'class="topbar"' in page


def test_an_expired_form_says_what_to_do():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in page
    assert "刷新页面" in page
