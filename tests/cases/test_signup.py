import pytest

from cases.core.models import AuditEvent, User
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "username": "newco",
        "full_name": "王经理",
        "phone": "13912345678",
        "entity_kind": "enterprise",
        "entity_name": "新公司",
        "id_number": valid_uscc("91620702MA71XYWU0"),
        "password1": "a-Long-pass-2026",
        "password2": "a-Long-pass-2026",
    }
    data.update(overrides)
    return data


def test_an_enterprise_opens_an_account_and_is_asked_to_verify_it(client):
    response = client.post("/accounts/signup/", signup_data())
    assert response["Location"] == "/identity/"
    user = User.objects.get(username="newco")
    assert user.has_perm("cases.file_cases") and user.id_number.startswith("916207")
    assert AuditEvent.objects.filter(event_type="user.registered").exists()
    assert client.get("/my/records/").status_code == 200


def test_a_wrong_uscc_is_refused_with_the_reason(client):
    page = client.post(
        "/accounts/signup/", signup_data(id_number=valid_uscc("91620702MA71XYWU0") + "0")
    ).content.decode()
    assert "18 位" in page
    assert not User.objects.filter(username="newco").exists()


def test_a_person_signs_up_with_a_resident_id(client):
    from tests.factories import valid_resident_id

    client.post(
        "/accounts/signup/", signup_data(entity_kind="person", id_number=valid_resident_id("62070219850612001"))
    )
    assert User.objects.get(username="newco").entity_kind == "person"


def test_a_wrong_mobile_number_is_refused(client):
    page = client.post("/accounts/signup/", signup_data(phone="12345")).content.decode()
    assert "11 位" in page


@pytest.mark.parametrize("password", ["Shrt-pw-9", "1234567890123", "password123"])
def test_a_short_common_or_all_digit_password_is_refused(password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(password)
