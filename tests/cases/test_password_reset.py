"""A new password without help: by an e-mail link or by a code in a text message, on the site's
own pages, linked from the sign-in page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cases.core.models import AuditEvent, PasswordResetCode, User
from notifications.models import SmsMessage
from tests.factories import ApplicantFactory
from tests.identity import last_code_sent_to

pytestmark = pytest.mark.django_db

PHONE = "13900001111"
NEW_PASSWORD = "a-new-Passw0rd-2026"


def _password_is(password) -> bool:
    return User.objects.get(username="lihua").check_password(password)


@pytest.fixture
def applicant():
    return ApplicantFactory(username="lihua", phone=PHONE, email="lihua@example.com")


def test_the_sign_in_page_links_to_the_password_reset(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in page
    assert "忘记密码？" in page


def test_the_password_reset_page_is_in_the_sites_own_style(client):
    page = client.get("/accounts/password_reset/").content.decode()
    assert 'class="topbar"' in page
    assert "Django" not in page
    assert "忘记密码" in page
    assert 'href="/accounts/password_reset/sms/"' in page


def test_the_e_mail_link_sets_a_new_password(client, applicant):
    response = client.post("/accounts/password_reset/", {"email": "lihua@example.com"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert "请查收电子邮件" in client.get(response["Location"]).content.decode()
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    assert "设置新密码" in message.body
    form_page = client.get(link, follow=True)
    assert 'class="topbar"' in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
                       follow=True)  # fmt: skip
    assert "密码已修改" in done.content.decode()
    assert _password_is(NEW_PASSWORD)


def _ask_for_a_code(client, phone=PHONE, username="lihua"):
    return client.post("/accounts/password_reset/sms/", {"username": username, "phone": phone})


def test_a_text_message_code_sets_a_new_password(client, applicant):
    assert _ask_for_a_code(client)["Location"] == "/accounts/password_reset/sms/code/"
    response = client.post("/accounts/password_reset/sms/code/", {"code": last_code_sent_to(PHONE)})
    assert response["Location"] == "/accounts/password_reset/sms/new/"
    response = client.post(response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/reset/done/"
    assert _password_is(NEW_PASSWORD)


def test_the_code_is_kept_only_as_a_hash(client, applicant):
    _ask_for_a_code(client)
    kept = PasswordResetCode.objects.get(user=applicant)
    assert last_code_sent_to(PHONE) not in kept.code_hash


def test_no_new_password_before_the_code(client, applicant):
    _ask_for_a_code(client)
    response = client.post("/accounts/password_reset/sms/new/", {"new_password1": NEW_PASSWORD,
                                                                 "new_password2": NEW_PASSWORD})  # fmt: skip
    assert response["Location"] == "/accounts/password_reset/sms/"
    assert not _password_is(NEW_PASSWORD)


def test_a_wrong_number_sends_nothing_and_answers_the_same(client, applicant):
    response = _ask_for_a_code(client, phone="13900002222")
    assert response["Location"] == "/accounts/password_reset/sms/code/"
    assert not SmsMessage.objects.exists()


def test_a_wrong_code_is_refused_on_the_same_form(client, applicant):
    _ask_for_a_code(client)
    wrong = "000000" if last_code_sent_to(PHONE) != "000000" else "111111"
    page = client.post("/accounts/password_reset/sms/code/", {"code": wrong}).content.decode()
    assert "验证码不正确" in page or "The code is not right." in page


def test_the_code_dies_after_too_many_wrong_tries(client, applicant, settings):
    _ask_for_a_code(client)
    code = last_code_sent_to(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.IDENTITY_CODE_ATTEMPTS):
        client.post("/accounts/password_reset/sms/code/", {"code": wrong})
    response = client.post("/accounts/password_reset/sms/code/", {"code": code})
    assert response.status_code == 400  # the right code no longer works
    assert _password_is("pw-for-tests")


def test_the_code_expires(client, applicant, settings):
    _ask_for_a_code(client)
    code = last_code_sent_to(PHONE)
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.IDENTITY_CODE_MINUTES + 1)):
        response = client.post("/accounts/password_reset/sms/code/", {"code": code})
    assert response.status_code == 400
    assert "/accounts/password_reset/sms/" in response.content.decode()


def test_codes_an_hour_are_limited(client, applicant, settings):
    for _ in range(settings.IDENTITY_CODE_SENDS_PER_HOUR + 2):
        _ask_for_a_code(client)
    assert SmsMessage.objects.filter(phone=PHONE).count() == settings.IDENTITY_CODE_SENDS_PER_HOUR


def test_the_password_change_page_is_in_the_sites_own_style(client, applicant):
    client.force_login(applicant)
    page = client.get("/accounts/password_change/").content.decode()
    assert 'class="topbar"' in page
    assert "修改密码" in page
    assert "Django" not in page


def test_a_new_password_by_text_message_is_on_the_audit_trail(client, applicant):
    _ask_for_a_code(client)
    response = client.post("/accounts/password_reset/sms/code/", {"code": last_code_sent_to(PHONE)})
    client.post(response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    kinds = list(AuditEvent.objects.filter(reference="lihua").values_list("event_type", "payload"))
    assert ("user.password_code_sent", {"phone": "139****1111"}) in kinds
    assert ("user.password_reset", {"method": "sms"}) in kinds


def test_a_new_password_by_e_mail_is_on_the_audit_trail(client, applicant):
    client.post("/accounts/password_reset/", {"email": "lihua@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert _password_is(NEW_PASSWORD)
    assert AuditEvent.objects.filter(reference="lihua", event_type="user.password_reset", payload={"method": "email"})
