"""Guessing passwords: after a few failures for one user name, or many from one address, sign-in
is refused for a while, even with the right password, and the page says why (django-axes,
cases/sign_in_lockout.py). The security administrator can lift a lock-out before its time."""

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from cases.accounts import staff_accounts
from cases.core.exceptions import NotPermitted
from cases.core.models import AuditEvent
from cases.core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"  # tests.factories.UserFactory's


def sign_in(client, username, password, *, url="/accounts/login/", address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, *, limit=None, **kwargs):
    """`times` wrong passwords; the one that reaches the limit is answered with the lock-out."""
    limit = limit or settings.LOGIN_FAILURE_LIMIT
    for number in range(1, times + 1):
        expected = 429 if number >= limit else 200
        assert sign_in(client, username, "wrong", **kwargs).status_code == expected


def throttled_text():
    with translation.override("zh-hans"):
        return gettext("Too many failed sign-in attempts. Sign-in is paused for %(minutes)d minutes; try again then.")


def test_the_right_password_signs_in_after_fewer_failures_than_the_limit(client):
    user = UserFactory(username="wang")
    fail(client, "wang", settings.LOGIN_FAILURE_LIMIT - 1)
    response = sign_in(client, "wang", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_after_the_limit_even_the_right_password_is_refused_with_the_reason(client):
    UserFactory(username="wang")
    fail(client, "wang", settings.LOGIN_FAILURE_LIMIT)
    response = sign_in(client, "wang", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert throttled_text().split("%")[0] in page
    assert "_auth_user_id" not in client.session


def test_the_user_name_is_counted_whatever_its_case(client):
    UserFactory(username="wang")
    fail(client, "WANG", settings.LOGIN_FAILURE_LIMIT)
    assert sign_in(client, "wang", PASSWORD).status_code == 429


def test_other_user_names_are_not_held_up_by_one_being_guessed(client):
    UserFactory(username="wang")
    UserFactory(username="li")
    fail(client, "wang", settings.LOGIN_FAILURE_LIMIT)
    assert sign_in(client, "li", PASSWORD).status_code == 302


def test_one_address_trying_many_user_names_is_stopped(client):
    UserFactory(username="li")
    for number in range(settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS - 1):
        assert sign_in(client, f"guess{number}", "wrong", address="10.9.9.9").status_code == 200
    assert sign_in(client, "guess-last", "wrong", address="10.9.9.9").status_code == 429
    assert sign_in(client, "li", PASSWORD, address="10.9.9.9").status_code == 429
    assert sign_in(client, "li", PASSWORD, address="10.0.0.2").status_code == 302


def test_sign_in_is_taken_again_once_the_window_has_passed(client):
    UserFactory(username="wang")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, "wang", settings.LOGIN_FAILURE_LIMIT)
        assert sign_in(client, "wang", PASSWORD).status_code == 429
    with time_machine.travel(start + timezone.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES + 1)):
        assert sign_in(client, "wang", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled_too(client):
    UserFactory(username="root", is_staff=True)
    fail(client, "root", settings.LOGIN_FAILURE_LIMIT, url="/admin/login/")
    response = sign_in(client, "root", PASSWORD, url="/admin/login/")
    assert "_auth_user_id" not in client.session
    assert throttled_text().split("%")[0] in response.content.decode()


def test_the_lock_out_is_said_in_chinese(client):
    UserFactory(username="wang")
    fail(client, "wang", settings.LOGIN_FAILURE_LIMIT)
    page = sign_in(client, "wang", PASSWORD).content.decode()
    assert f"登录失败次数过多，登录已暂停 {settings.LOGIN_FAILURE_WINDOW_MINUTES} 分钟" in page


def test_the_security_admin_lifts_a_lock_out_and_it_is_audited(client):
    wang = UserFactory(username="wang")
    fail(client, "wang", settings.LOGIN_FAILURE_LIMIT)
    security_admin = UserFactory(role=Role.SECURITY_ADMIN)
    admin_client = Client()
    admin_client.force_login(security_admin)
    response = admin_client.post(
        "/admin/cases/user/", {"action": "unlock_sign_in", "_selected_action": [wang.pk]}, REMOTE_ADDR="10.0.0.5"
    )
    assert response.status_code == 302
    assert AuditEvent.objects.for_subject(wang).filter(event_type="user.sign_in_unlocked", actor=security_admin)
    assert sign_in(client, "wang", PASSWORD).status_code == 302


def test_nobody_else_lifts_a_lock_out(client):
    wang = UserFactory(username="wang")
    fail(client, "wang", settings.LOGIN_FAILURE_LIMIT)
    for role in (Role.ADMIN, Role.AUDIT_ADMIN):
        other = Client()
        other.force_login(UserFactory(role=role))
        other.post("/admin/cases/user/", {"action": "unlock_sign_in", "_selected_action": [wang.pk]})
        with pytest.raises(NotPermitted):
            staff_accounts.unlock_sign_in(actor=UserFactory(role=role), user_id=wang.pk)
    assert sign_in(client, "wang", PASSWORD).status_code == 429
