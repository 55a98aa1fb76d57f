"""Channel signatures, version 2: a signed request is bound to its method, path, body and one
nonce, so it cannot be replayed on another complaint or a second time; version 1 only while the
channel's legacy switch allows it; every malformed header or body is a 400/401 (never a 500),
and the signature failures among them count toward the address's limit."""

import json
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases.complaints import building as complaint_building
from cases.complaints import channel_nonces
from cases.complaints import intake as complaint_intake
from cases.complaints.models import Channel, ChannelNonce, Complaint
from cases.core.roles import Role
from tests.channel_signing import legacy_headers, signed_headers
from tests.factories import StaffFactory, answered_complaint, work_order_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"


@pytest.fixture
def channel():
    return Channel.objects.create(code="12345", name="12345 热线", secret="s3cret")


def post(client, path, body: bytes, headers: dict, address="10.9.9.9"):
    return client.post(path, body, content_type="application/json", headers=headers, REMOTE_ADDR=address)


def send_order(client, reference: str):
    body = json.dumps(work_order_data(reference), ensure_ascii=False).encode()
    response = post(client, URL, body, signed_headers("POST", URL, body))
    assert response.status_code == 202
    complaint_building.open_all_waiting()
    return Complaint.objects.get(channel_reference=reference)


@pytest.fixture
def two_answered(client, channel):
    clerk = StaffFactory(department__code="yshj", role=Role.INTAKE_CLERK)
    worker = StaffFactory(department__code="czj")
    return [
        answered_complaint(send_order(client, reference), clerk=clerk, worker=worker, subject="other_breach")
        for reference in ("12345-A", "12345-B")
    ]


def feedback_path(reference: str) -> str:
    return f"{URL}{reference}/feedback/"


def test_a_signed_feedback_replayed_on_another_complaints_url_is_refused(client, two_answered):
    body = b'{"satisfied": true}'
    headers = signed_headers("POST", feedback_path("12345-A"), body)
    replayed = post(client, feedback_path("12345-B"), body, headers)
    assert replayed.status_code == 401
    assert replayed.json()["message"] == "签名与请求内容不符。"
    two_answered[1].case.refresh_from_db()
    assert two_answered[1].case.state == "answered"
    assert post(client, feedback_path("12345-A"), body, headers).json()["status"] == "closed"


def test_a_signed_status_read_replayed_on_another_reference_is_refused(client, channel):
    send_order(client, "12345-A")
    send_order(client, "12345-B")
    headers = signed_headers("GET", f"{URL}12345-A/")
    replayed = client.get(f"{URL}12345-B/", headers=headers)
    assert replayed.status_code == 401 and "verification_code" not in replayed.json()
    assert client.get(f"{URL}12345-A/", headers=headers).json()["reference"] == "12345-A"


def test_the_same_request_again_with_its_nonce_is_refused(client, channel):
    send_order(client, "12345-A")
    headers = signed_headers("GET", f"{URL}12345-A/")
    assert client.get(f"{URL}12345-A/", headers=headers).status_code == 200
    again = client.get(f"{URL}12345-A/", headers=headers)
    assert again.status_code == 401
    assert again.json()["message"] == "此 X-Nonce 已使用过：每个请求请用新的随机值签名。"


def test_a_nonce_used_by_one_channel_is_free_for_another(client, channel):
    Channel.objects.create(code="website", name="网站", secret="w")
    send_order(client, "12345-A")
    headers = signed_headers("GET", f"{URL}12345-A/", nonce="a" * 32)
    assert client.get(f"{URL}12345-A/", headers=headers).status_code == 200
    other = signed_headers("GET", f"{URL}12345-A/", secret="w", code="website", nonce="a" * 32)
    assert client.get(f"{URL}12345-A/", headers=other).status_code == 404  # signed right, not its order


def test_a_nonce_is_kept_until_its_request_could_not_be_replayed_and_then_purged(channel):
    signed = complaint_intake.SignedRequest("12345", str(int(time.time())), "n" * 16, "", "GET", "/", b"")
    seconds = complaint_intake.nonce_lifetime(signed)
    assert complaint_intake.REPLAY_WINDOW_SECONDS <= seconds <= complaint_intake.REPLAY_WINDOW_SECONDS + 1
    assert channel_nonces.claim(channel, "n" * 16, seconds=seconds)
    assert not channel_nonces.claim(channel, "n" * 16, seconds=seconds)
    ChannelNonce.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert channel_nonces.purge_expired() == 1
    assert channel_nonces.claim(channel, "n" * 16, seconds=seconds)


# Legacy signatures (version 1)


def legacy_post(client, reference="12345-L"):
    body = json.dumps(work_order_data(reference), ensure_ascii=False).encode()
    return post(client, URL, body, legacy_headers(body))


def test_a_new_channel_takes_version_2_only(client, channel):
    response = legacy_post(client)
    assert response.status_code == 401
    assert response.json()["message"] == "缺少 X-Nonce：该渠道须以第 2 版签名方式签署请求。"


def test_version_1_is_taken_while_the_switch_is_on_and_before_its_date(client, channel):
    channel.accepts_legacy_signatures, channel.legacy_signatures_until = True, timezone.now() + timedelta(days=1)
    channel.save()
    assert legacy_post(client).status_code == 202


def test_version_1_is_refused_after_its_date_saying_so(client, channel):
    channel.accepts_legacy_signatures, channel.legacy_signatures_until = True, timezone.now() - timedelta(minutes=1)
    channel.save()
    response = legacy_post(client)
    assert response.status_code == 401 and "第 1 版签名" in response.json()["message"]


def test_version_1_is_refused_once_the_switch_is_off(client, channel):
    channel.accepts_legacy_signatures, channel.legacy_signatures_until = False, timezone.now() + timedelta(days=1)
    channel.save()
    assert legacy_post(client).status_code == 401


def test_the_switch_needs_its_end_date(channel):
    from django.core.exceptions import ValidationError

    channel.accepts_legacy_signatures = True
    with pytest.raises(ValidationError):
        channel.full_clean()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_version_1_for_existing_channels_for_90_days():
    before, after = [("cases", "0028_identity_bindings")], [("cases", "0029_signing_v2")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO cases_channel (code, name, secret, callback_url, active) "
                       "VALUES ('old', 'old', 'plain-secret', '', %s)", [True])  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    old = Channel.objects.get(code="old")
    assert old.accepts_legacy_signatures
    assert timedelta(days=89) < old.legacy_signatures_until - timezone.now() <= timedelta(days=90)
    assert not Channel.objects.create(code="new", name="new", secret="s").accepts_legacy_signatures


# Malformed headers: 401, counted


def headers_with(**changes) -> dict:
    headers = signed_headers("POST", URL, b"{}")
    for name, value in changes.items():
        if value is None:
            headers.pop(name.replace("_", "-"))
        else:
            headers[name.replace("_", "-")] = value
    return headers


MALFORMED_HEADERS = {
    "a timestamp of 400 nines": {"X_Timestamp": "9" * 400},
    "a timestamp in other digits": {"X_Timestamp": "١٧٦٤١١٥٢٠٠"},
    "a timestamp that is no number": {"X_Timestamp": "yesterday"},
    "a timestamp with a sign": {"X_Timestamp": "+1764115200"},
    "a non-ASCII signature": {"X_Signature": "é" * 64},
    "a signature that is not hex": {"X_Signature": "z" * 64},
    "a short signature": {"X_Signature": "ab"},
    "no nonce": {"X_Nonce": None},
    "an empty nonce": {"X_Nonce": ""},
    "an over-long nonce": {"X_Nonce": "a" * 65},
    "a short nonce": {"X_Nonce": "abc"},
    "a nonce with spaces": {"X_Nonce": "a b c d e f g h i j"},
    "a channel code with NUL": {"X_Channel": "12\x0045"},
    "an over-long channel code": {"X_Channel": "c" * 5000},
    "no channel": {"X_Channel": None},
}


@pytest.mark.parametrize("case", MALFORMED_HEADERS)
def test_a_malformed_header_is_refused_and_counted(client, channel, settings, case):
    settings.CHANNEL_SIGNATURE_FAILURE_LIMIT = 1
    response = post(client, URL, b"{}", headers_with(**MALFORMED_HEADERS[case]))
    assert response.status_code == 401 and response.json()["message"]
    assert post(client, URL, b"{}", headers_with(X_Signature="0" * 64)).status_code == 429  # counted


# Malformed bodies, correctly signed: 400 (the channel's own mistake, no guess: not counted)

MALFORMED_BODIES = {
    "deeply nested": b'{"reference": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "nested past the limit": json.dumps({"reference": [[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]}).encode(),
    "not UTF-8": '{"reference": "甲"}'.encode("gbk"),
    "not JSON": b"reference=1",
}


@pytest.mark.parametrize("case", MALFORMED_BODIES)
def test_a_malformed_work_order_is_refused_with_400(client, channel, case):
    body = MALFORMED_BODIES[case]
    response = post(client, URL, body, signed_headers("POST", URL, body))
    assert response.status_code == 400 and response.json()["details"]["body"]


@pytest.mark.parametrize("case", MALFORMED_BODIES)
def test_a_malformed_feedback_is_refused_with_400(client, two_answered, case):
    body = MALFORMED_BODIES[case]
    response = post(client, feedback_path("12345-A"), body, signed_headers("POST", feedback_path("12345-A"), body))
    assert response.status_code == 400 and response.json()["details"]["body"]
    two_answered[0].case.refresh_from_db()
    assert two_answered[0].case.state == "answered"


def test_when_redis_cannot_be_reached_the_database_keeps_the_nonce(channel, monkeypatch):
    class RedisDown:
        def add(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(channel_nonces, "_redis_cache", RedisDown)
    assert channel_nonces.claim(channel, "d" * 16, seconds=60)
    assert not channel_nonces.claim(channel, "d" * 16, seconds=60)
    assert ChannelNonce.objects.filter(channel=channel, nonce="d" * 16).exists()


def test_the_admin_sets_the_legacy_switch_and_refuses_it_without_an_end_date(client, channel):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = f"/admin/cases/channel/{channel.pk}/change/"
    form = {"code": "12345", "name": "12345 热线", "secret": "s3cret", "callback_url": "", "active": "on",
            "accepts_legacy_signatures": "on"}  # fmt: skip
    assert client.post(url, form).status_code == 200  # the form again, the end date asked for
    until = {"legacy_signatures_until_0": "2027-03-01", "legacy_signatures_until_1": "0:00"}
    response = client.post(url, {**form, **until})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.accepts_legacy_signatures and timezone.localtime(channel.legacy_signatures_until).month == 3


def test_the_schema_documents_the_nonce_on_every_signed_operation():
    from drf_spectacular.generators import SchemaGenerator

    spec = SchemaGenerator().get_schema(request=None, public=True)
    signed_paths = (URL, "/api/v1/repair-applications/")
    signed = [operation for path, operations in spec["paths"].items() if path.startswith(signed_paths)
              for operation in operations.values()]  # fmt: skip
    assert len(signed) == 6  # intake, status, feedback, withdrawal; the window's push and status
    for operation in signed:
        nonce = next(parameter for parameter in operation["parameters"] if parameter["name"] == "X-Nonce")
        assert nonce["in"] == "header" and nonce["schema"]["pattern"] == "^[A-Za-z0-9_-]{16,64}$"
        assert "nonce used before" in operation["responses"]["401"]["description"]


def test_the_worked_example_in_the_readme_is_true():
    from pathlib import Path

    body, path = b'{"satisfied": true}', "/api/v1/complaints/12345-20261125-0042/feedback/"
    v2 = complaint_intake.signature("demo-12345", timestamp="1764115200", nonce="3f2a9c1e7b6d4e0f8a5b2c9d1e7f4a6b",
                                    method="POST", path=path, body=body)  # fmt: skip
    v1 = complaint_intake.legacy_signature("demo-12345", "1764115200", body)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"X-Signature: {v2}" in readme and v1 in readme
