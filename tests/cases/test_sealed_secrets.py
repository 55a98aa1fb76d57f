"""Channel secrets are sealed in the database and plain to the code that signs and checks."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from cases.complaints import intake as complaint_intake
from cases.complaints.models import Channel
from cases.infra.sealed import seal, unseal
from tests.channel_signing import signed_headers

pytestmark = pytest.mark.django_db


def stored_secret(channel) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM cases_channel WHERE id = %s", [channel.pk])
        return cursor.fetchone()[0]


def test_the_column_holds_no_plain_secret():
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="s3cret-key")
    assert stored_secret(channel).startswith("sealed:") and "s3cret-key" not in stored_secret(channel)
    assert Channel.objects.get(pk=channel.pk).secret == "s3cret-key"


def test_a_signature_made_with_the_secret_is_checked_against_the_sealed_one():
    Channel.objects.create(code="12345", name="12345 热线", secret="s3cret-key")
    body, timestamp = b'{"reference": "1"}', "1764115200"
    headers = signed_headers("POST", "/api/v1/complaints/", body, secret="s3cret-key", timestamp=timestamp)
    signed = complaint_intake.SignedRequest(channel="12345", timestamp=timestamp, nonce=headers["X-Nonce"],
                                            signature=headers["X-Signature"], method="POST",
                                            path="/api/v1/complaints/", body=body)  # fmt: skip
    channel = complaint_intake.authenticate(signed, now=1764115200)
    assert channel.code == "12345"


def test_a_secret_kept_before_sealing_is_read_and_sealed_when_saved():
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="x")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_channel SET secret = %s WHERE id = %s", ["old-plain", channel.pk])
    channel = Channel.objects.get(pk=channel.pk)
    assert channel.secret == "old-plain"
    channel.save()
    assert stored_secret(channel).startswith("sealed:") and Channel.objects.get(pk=channel.pk).secret == "old-plain"


def test_after_the_secret_key_is_rotated_the_fallback_still_opens_old_seals():
    sealed = seal("s3cret-key")
    with override_settings(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=["test-only-not-a-secret"]):
        assert unseal(sealed) == "s3cret-key"


def test_a_seal_from_an_unknown_key_is_a_configuration_error():
    sealed = seal("s3cret-key")
    with override_settings(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=[]), pytest.raises(ImproperlyConfigured):
        unseal(sealed)


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_the_secrets_kept_so_far_and_undoing_it_unseals_them():
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("cases", "0023_work_orders")], [("cases", "0024_sealed_channel_secrets")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO cases_channel (code, name, secret, callback_url, active) "
                       "VALUES ('old', 'old', 'plain-secret', '', %s)", [True])  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    channel = executor.loader.project_state(after).apps.get_model("cases", "Channel").objects.get(code="old")
    assert stored_secret(channel).startswith("sealed:") and channel.secret == "plain-secret"
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    assert stored_secret(channel) == "plain-secret"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
