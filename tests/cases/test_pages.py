from datetime import date

import pytest
import time_machine

from tests.second_factor import current_code, enrolled_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_year_missing():
    """Late 2026, with the State Council's 2027 schedule not loaded yet."""
    with time_machine.travel(date(2026, 11, 25)):
        yield


def test_landing_page_is_chinese_with_a_login_form(client):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in page
    assert "信用修复" in page
    assert 'name="password"' in page


def test_english_is_one_switch_away(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page
    assert "Credit repair" in page


def test_logging_in_leads_to_the_desk_with_the_role(client, caseworker):
    device = enrolled_device(caseworker)
    response = client.post(
        "/accounts/login/", {"username": caseworker.username, "password": "pw-for-tests"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/two-factor/verify/?next=%2Fhome%2F"
    response = client.post(response.redirect_chain[-1][0], {"token": current_code(device)}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/home/"
    assert "办案人员" in page
    assert caseworker.department.name_zh in page


def test_a_wrong_password_says_so(client, caseworker):
    response = client.post("/accounts/login/", {"username": caseworker.username, "password": "wrong"})
    assert response.status_code == 200
    assert "用户名和密码不匹配" in response.content.decode()


def test_the_desk_needs_a_login(client):
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_supervisor_sees_the_missing_calendar_warning(client, supervisor, next_year_missing):
    client.force_login(supervisor)
    page = client.get("/home/").content.decode()
    assert "2027 年节假日安排尚未载入" in page


def test_applicant_does_not_see_the_calendar_warning(client, applicant, next_year_missing):
    client.force_login(applicant)
    assert "节假日安排" not in client.get("/home/").content.decode()


def test_admin_index_is_in_chinese(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    page = client.get("/admin/").content.decode()
    assert "诚信管理后台" in page
    assert "节假日" in page


def test_healthz_reports_ok_on_the_embedded_stack(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"]
    assert body["checks"]["redis"] == {"ok": True, "configured": False}
    assert body["checks"]["migrations"] == {"ok": True, "pending": []}


def test_healthz_is_503_with_redis_configured_but_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_an_english_browser_still_gets_chinese_first(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page
