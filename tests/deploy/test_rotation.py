"""Rotating the secret key: what the old key sealed is sealed again under the new one."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

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
