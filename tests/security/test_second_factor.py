"""Staff sign in with a second factor (TOTP, recovery codes): no staff page, admin page or API
answer before it; enrolment, verification, recovery codes used once; applicants may choose it."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.accounts import staff_accounts
from cases.core.exceptions import NotPermitted
from cases.core.models import AuditEvent
from cases.core.roles import Role
from tests.factories import ApplicantFactory, StaffFactory, UserFactory
from tests.second_factor import current_code, enrolled_device, force_login_password_only

pytestmark = pytest.mark.django_db

ENROL = "/accounts/two-factor/enrol/"
VERIFY = "/accounts/two-factor/verify/"


@pytest.fixture
def worker():
    return StaffFactory(username="worker")


def signed_in_with_password(user) -> Client:
    client = Client()
    force_login_password_only(client, user)
    return client


def enrol(client) -> list[str]:
    """Set up the app as a person would: read the key off the page, type the app's code."""
    page = client.get(ENROL).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(confirmed=False)
    assert device.config_url.split("secret=")[1].split("&")[0] in page  # the key, for typing in
    response = client.post(ENROL, {"token": current_code(device)})
    assert response.status_code == 200
    return re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())


def test_staff_without_an_app_are_sent_to_enrolment_before_any_staff_page(worker):
    client = signed_in_with_password(worker)
    response = client.get("/repair/queue/")
    assert response.status_code == 302
    assert response["Location"] == ENROL + "?next=%2Frepair%2Fqueue%2F"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_the_admin_site_needs_the_second_factor_too(role):
    admin = UserFactory(role=role)
    client = signed_in_with_password(admin)
    assert client.get("/admin/").status_code == 302
    enrolled_device(admin)
    response = client.get("/admin/cases/user/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_the_api_answers_403_before_the_second_factor(worker):
    client = signed_in_with_password(worker)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["error"] == "second_factor_required"


def test_enrolment_confirms_with_a_code_and_shows_the_recovery_codes_once(worker):
    client = signed_in_with_password(worker)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=worker)
    wrong = client.post(ENROL, {"token": "000000" if current_code(device) != "000000" else "111111"})
    assert "该验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=worker).confirmed
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # past the wait a failure costs
        codes = enrol(client)
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=worker).confirmed
    assert client.get("/repair/queue/").status_code == 200  # this session is verified
    page = client.get("/accounts/two-factor/").content.decode()
    assert not any(code in page for code in codes)  # not shown again


def test_a_password_alone_does_not_add_an_app_to_an_enrolled_account(worker):
    enrolled_device(worker)
    client = signed_in_with_password(worker)
    response = client.get(ENROL)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=worker).count() == 1


def test_verification_with_the_right_code_opens_the_pages(worker):
    device = enrolled_device(worker)
    client = signed_in_with_password(worker)
    response = client.get("/repair/queue/")
    assert response["Location"] == VERIFY + "?next=%2Frepair%2Fqueue%2F"
    response = client.post(VERIFY, {"token": current_code(device), "next": "/repair/queue/"})
    assert response.status_code == 302
    assert response["Location"] == "/repair/queue/"
    assert client.get("/repair/queue/").status_code == 200


def test_a_wrong_code_is_refused_and_the_pages_stay_closed(worker):
    device = enrolled_device(worker)
    client = signed_in_with_password(worker)
    right = current_code(device)
    response = client.post(VERIFY, {"token": f"{(int(right) + 1) % 1000000:06d}"})
    assert response.status_code == 400
    assert "该验证码不正确" in response.content.decode()
    assert client.get("/repair/queue/").status_code == 302


def test_a_recovery_code_signs_in_once(worker):
    codes = enrol(signed_in_with_password(worker))
    first = signed_in_with_password(worker)
    assert first.post(VERIFY, {"token": codes[0]})["Location"] == "/home/"
    assert first.get("/repair/queue/").status_code == 200
    second = signed_in_with_password(worker)
    assert second.post(VERIFY, {"token": codes[0]}).status_code == 400
    assert second.get("/repair/queue/").status_code == 302
    assert StaticToken.objects.filter(device__user=worker).count() == 9


def test_applicants_need_no_second_factor_but_may_turn_it_on_and_off():
    applicant = ApplicantFactory()
    client = signed_in_with_password(applicant)
    assert client.get("/my/records/").status_code == 200
    enrol(client)
    later = signed_in_with_password(applicant)
    assert later.get("/my/records/")["Location"].startswith(VERIFY)
    assert later.post("/accounts/two-factor/off/").status_code == 403  # only once verified
    assert TOTPDevice.objects.filter(user=applicant).exists()
    assert client.post("/accounts/two-factor/off/").status_code == 302
    assert not TOTPDevice.objects.filter(user=applicant).exists()
    assert signed_in_with_password(applicant).get("/my/records/").status_code == 200


def test_staff_cannot_turn_it_off(client, worker):
    client.force_login(worker)
    assert client.post("/accounts/two-factor/off/").status_code == 403
    assert TOTPDevice.objects.filter(user=worker).exists()


def test_the_security_admin_resets_a_lost_app_and_it_is_audited(worker):
    enrolled_device(worker)
    security_admin = UserFactory(role=Role.SECURITY_ADMIN)
    client = Client()
    client.force_login(security_admin)
    response = client.post("/admin/cases/user/", {"action": "reset_second_factor", "_selected_action": [worker.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert AuditEvent.objects.for_subject(worker).filter(event_type="user.second_factor_reset").exists()
    assert signed_in_with_password(worker).get("/repair/queue/")["Location"].startswith(ENROL)
    with pytest.raises(NotPermitted):
        staff_accounts.reset_second_factor(actor=security_admin, user_id=security_admin.pk)
    with pytest.raises(NotPermitted):
        staff_accounts.reset_second_factor(actor=UserFactory(role=Role.ADMIN), user_id=worker.pk)


def test_a_staff_session_ends_with_the_browser_an_applicants_does_not(worker):
    client = signed_in_with_password(worker)
    client.post(VERIFY, {"token": current_code(enrolled_device(worker))})
    assert client.session.get_expire_at_browser_close()
    assert client.cookies["sessionid"]["max-age"] == ""
    applicant = ApplicantFactory()
    other = signed_in_with_password(applicant)
    enrol(other)
    assert not other.session.get_expire_at_browser_close()
