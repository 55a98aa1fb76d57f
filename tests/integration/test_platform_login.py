"""Sign-in through the province's unified identity platform, end to end: a real OpenID Connect
provider (django-oauth-toolkit, RS256 key made here) in a server process of its own on loopback,
the authorization-code flow with PKCE, the ID token checked against the provider's JWKS, the
claims read under the names this platform gives them, and the account bound (how: platform)."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client, override_settings

from cases.core.models import IdentityBinding, User
from tests.factories import StaffFactory, register_penalty, valid_resident_id, valid_uscc
from tests.integration.identity_platform.running import CLAIM_SETTINGS, identity_platform

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

USCC = valid_uscc("91620702MA71ABCD0")
RESIDENT_ID = valid_resident_id("62070219850612001")
CLIENT_ID, CLIENT_SECRET = "chengxin-test", "client-secret-for-tests"
# The platform's users, under its own claim names (running.CLAIM_SETTINGS maps them).
CLAIMS = {
    "boss": {"usc_code": USCC, "subject_type": "legal", "corp_name": "甘州区示范商贸有限公司", "role_in_corp": "LR",
             "name": "张经理"},
    "liming": {"usc_code": RESIDENT_ID, "subject_type": "natural", "corp_name": "李明", "name": "李明"},
    "broken": {"usc_code": "91620702MA71ABCD00", "subject_type": "legal", "name": "某人"},
}  # fmt: skip


@pytest.fixture(scope="module")
def platform():
    """The provider, served by its own process for the module's tests."""
    with identity_platform(
        claims=CLAIMS,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri="http://testserver/accounts/platform/callback/",
    ) as running:
        yield running  # fmt: skip


@pytest.fixture
def configured(platform):
    with override_settings(
        OIDC_ENABLED=True,
        **platform["settings"],
        **CLAIM_SETTINGS,
        AUTHENTICATION_BACKENDS=[
            "axes.backends.AxesStandaloneBackend",
            "django.contrib.auth.backends.ModelBackend",
            "cases.accounts.platform_login.PlatformBackend",
        ],
    ):
        yield platform


def sign_in_through_platform(client: Client, platform: dict, username: str):
    """The browser's part: our login redirects to the platform, the person signs in there, the
    platform redirects back with a code, and our callback finishes the sign-in."""
    start = client.get("/accounts/platform/")
    assert start.status_code == 302 and start["Location"].startswith(f"{platform['base']}/o/authorize/")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"]
    browser = requests.Session()
    browser.get(f"{platform['base']}/login/", params={"user": username}, timeout=10)
    back = browser.get(start["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text[:500]
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/accounts/platform/callback/"
    return client.get(f"{callback.path}?{callback.query}")


def test_an_enterprises_legal_representative_signs_in_and_is_bound(configured, caseworker):
    record = register_penalty(caseworker, decided_on=date(2026, 1, 5))
    client = Client()
    assert "/accounts/platform/" in client.get("/accounts/login/").content.decode()
    done = sign_in_through_platform(client, configured, "boss")
    assert done.status_code == 302 and done["Location"] == "/home/"
    user = User.objects.get(identity_bindings__platform_subject__isnull=False)
    binding = IdentityBinding.objects.get(user=user, revoked_at__isnull=True)
    assert (binding.method, binding.role, binding.entity_kind, binding.id_number) == (
        "platform", "legal_representative", "enterprise", USCC
    )  # fmt: skip
    assert binding.entity_name == "甘州区示范商贸有限公司" and user.full_name == "张经理"
    assert record.decision_number in client.get("/my/records/").content.decode()

    # A second sign-in finds the same account, and the binding stays the one it was.
    again = Client()
    assert sign_in_through_platform(again, configured, "boss")["Location"] == "/home/"
    assert User.objects.filter(username__startswith="platform-").count() == 1
    assert IdentityBinding.objects.filter(user=user).count() == 1


def test_a_person_signs_in_as_themselves(configured):
    client = Client()
    sign_in_through_platform(client, configured, "liming")
    binding = IdentityBinding.objects.get(id_number=RESIDENT_ID)
    assert (binding.method, binding.role, binding.entity_kind) == ("platform", "self", "person")


def test_an_invalid_identifier_from_the_platform_signs_nobody_in(configured):
    client = Client()
    failed = sign_in_through_platform(client, configured, "broken")
    assert failed.status_code == 302 and "platform=failed" in failed["Location"]
    assert not User.objects.filter(username__startswith="platform-").exists()
    assert client.get("/home/").status_code == 302  # still signed out


def test_without_configuration_there_is_no_button_and_no_route(db):
    client = Client()
    assert "/accounts/platform/" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/platform/").status_code == 404


@pytest.fixture
def caseworker(db):
    return StaffFactory()
