"""Rotating the secret key: what the old key sealed is sealed again under the new one."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from cases.complaints.models import Channel
from cases.core.models import Department

pytestmark = pytest.mark.django_db

OLD, NEW = "old-key-" + "o" * 40, "new-key-" + "n" * 40


@pytest.fixture
def sealed_under_the_old_key():
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        channel = Channel.objects.create(code="12345", name="12345 热线", secret="channel-secret")
        department = Department.objects.order_by("pk").first()
        department.signing_passphrase = "p12-passphrase"
        department.save()
    return channel, department


def reseal(*args) -> str:
    out = StringIO()
    call_command("reseal_secrets", *args, stdout=out)
    return out.getvalue()


def test_after_resealing_the_new_key_alone_opens_every_secret(sealed_under_the_old_key):
    channel, department = sealed_under_the_old_key
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]):
        assert reseal() == "2 re-sealed under the current key, 0 already were.\n"
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[]):
        assert Channel.objects.get(pk=channel.pk).secret == "channel-secret"
        assert Department.objects.get(pk=department.pk).signing_passphrase == "p12-passphrase"
        assert reseal("--check") == "2 sealed with the current key, 0 with a former key or not sealed.\n"


def test_the_check_fails_while_a_secret_is_sealed_with_a_former_key_and_changes_nothing(sealed_under_the_old_key):
    channel, _department = sealed_under_the_old_key
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]), pytest.raises(CommandError, match="reseal"):
        reseal("--check")
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        assert Channel.objects.get(pk=channel.pk).secret == "channel-secret"  # still the old key's seal


def test_a_secret_no_key_opens_is_named_and_left_alone(sealed_under_the_old_key):
    channel, _department = sealed_under_the_old_key
    unknown = r"cases\.(Channel|Department) \d+ \(.*neither SECRET_KEY"
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[]), pytest.raises(CommandError, match=unknown):
        reseal()
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        assert Channel.objects.get(pk=channel.pk).secret == "channel-secret"


@pytest.fixture
def security_of_channels(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


CHANNEL_FORM = {"code": "12345", "name": "12345 热线", "callback_url": "", "active": "on"}


def test_the_admin_never_shows_a_channels_secret(security_of_channels):
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="channel-secret-1")
    page = security_of_channels.get(f"/admin/cases/channel/{channel.pk}/change/").content.decode()
    assert 'name="secret"' in page and 'type="password"' in page
    assert "channel-secret-1" not in page and "sealed:" not in page


def test_saving_a_channel_with_the_secret_left_empty_keeps_it(security_of_channels):
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="channel-secret-1")
    response = security_of_channels.post(f"/admin/cases/channel/{channel.pk}/change/", {**CHANNEL_FORM, "secret": ""})
    assert response.status_code == 302
    assert Channel.objects.get(pk=channel.pk).secret == "channel-secret-1"


def test_a_secret_typed_in_replaces_the_old_one(security_of_channels):
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="channel-secret-1")
    security_of_channels.post(f"/admin/cases/channel/{channel.pk}/change/", {**CHANNEL_FORM, "secret": "channel-2"})
    assert Channel.objects.get(pk=channel.pk).secret == "channel-2"


def test_a_new_channel_without_a_secret_is_refused(security_of_channels):
    response = security_of_channels.post("/admin/cases/channel/add/", {**CHANNEL_FORM, "secret": ""})
    assert response.status_code == 200
    assert "请填写该渠道的签名密钥。" in response.content.decode()
    assert not Channel.objects.exists()


def test_the_channel_list_warns_of_keys_ending_within_30_days_and_of_ended_ones(security_of_channels):
    now = timezone.now()
    Channel.objects.create(code="soon", name="直通车", secret="s1", expires_at=now + timedelta(days=10))
    Channel.objects.create(code="ended", name="小程序", secret="s2", expires_at=now - timedelta(days=1))
    Channel.objects.create(code="later", name="网站", secret="s3", expires_at=now + timedelta(days=90))
    Channel.objects.create(code="off", name="旧热线", secret="s4", active=False, expires_at=now - timedelta(days=1))
    page = security_of_channels.get("/admin/cases/channel/").content.decode()
    assert "直通车 的密钥将于" in page and "请在此之前与该渠道商定新密钥" in page
    assert "小程序 的密钥已于" in page and "其请求均被拒绝" in page
    assert "网站 的密钥" not in page and "旧热线 的密钥" not in page


# --- a channel's new secret, with the old one taken for a while ---------------------------------

INTAKE = "/api/v1/complaints/"


def send_signed(client, secret, reference):
    import json

    from tests.channel_signing import signed_headers
    from tests.factories import work_order_data

    body = json.dumps(work_order_data(reference), ensure_ascii=False).encode()
    headers = signed_headers("POST", INTAKE, body, secret=secret, code="12345")
    return client.post(INTAKE, body, content_type="application/json", REMOTE_ADDR="10.1.1.1", headers=headers)


def test_a_new_secret_typed_in_keeps_the_old_one_for_the_days_given(security_of_channels):
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="channel-secret-1")
    url = f"/admin/cases/channel/{channel.pk}/change/"
    security_of_channels.post(url, {**CHANNEL_FORM, "secret": "channel-secret-2", "overlap_days": "7"})
    channel.refresh_from_db()
    assert (channel.secret, channel.previous_secret) == ("channel-secret-2", "channel-secret-1")
    assert abs(channel.previous_secret_until - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)


def test_no_overlap_refuses_the_old_secret_at_once(security_of_channels):
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="channel-secret-1")
    url = f"/admin/cases/channel/{channel.pk}/change/"
    security_of_channels.post(url, {**CHANNEL_FORM, "secret": "channel-secret-2", "overlap_days": "0"})
    channel.refresh_from_db()
    assert (channel.previous_secret, channel.previous_secret_until) == ("", None)


def test_saving_without_a_new_secret_leaves_the_overlap_as_it_was(security_of_channels):
    until = timezone.now() + timedelta(days=3)
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="new", previous_secret="old",
                                     previous_secret_until=until)  # fmt: skip
    security_of_channels.post(f"/admin/cases/channel/{channel.pk}/change/", {**CHANNEL_FORM, "secret": ""})
    channel.refresh_from_db()
    assert (channel.secret, channel.previous_secret, channel.previous_secret_until) == ("new", "old", until)


def test_during_the_overlap_both_secrets_sign_and_after_it_only_the_new_one(client):
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="new-secret", previous_secret="old-secret",
                                     previous_secret_until=timezone.now() + timedelta(days=1))  # fmt: skip
    assert send_signed(client, "old-secret", "12345-1").status_code == 202
    assert send_signed(client, "new-secret", "12345-2").status_code == 202
    assert send_signed(client, "guess", "12345-3").status_code == 401
    channel.previous_secret_until = timezone.now() - timedelta(seconds=1)
    channel.save()
    assert send_signed(client, "old-secret", "12345-4").status_code == 401
    assert send_signed(client, "new-secret", "12345-5").status_code == 202
