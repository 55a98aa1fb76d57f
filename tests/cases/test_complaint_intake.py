"""The channels' intake API: signed, fresh, validated, and one complaint per work order."""

import json
import time

import pytest

from cases.complaints import building as complaint_building
from cases.complaints.models import Channel, Complaint
from cases.core.models import AuditEvent, Deadline
from cases.core.roles import Role
from notifications.models import Notification
from tests.channel_signing import signed_headers
from tests.factories import StaffFactory, work_order_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"


@pytest.fixture
def channel(db):
    return Channel.objects.create(code="12345", name="12345 热线", secret="s3cret")


def order(**overrides):
    return work_order_data(**{"complainant_phone": "13912345678", "amount_claimed": "860000.00", **overrides})


def send(client, data, *, secret="s3cret", code="12345", timestamp=None, tamper=False):
    body = json.dumps(data, ensure_ascii=False).encode()
    headers = signed_headers("POST", URL, body, secret=secret, code=code, timestamp=timestamp)
    if tamper:
        body = body.replace(b"86", b"99")
    response = client.post(URL, body, content_type="application/json", headers=headers)
    complaint_building.open_all_waiting()  # the intake worker's turn
    return response


def read_status(client, reference="12345-20261125-0042", *, code="12345", secret="s3cret"):
    path = f"{URL}{reference}/"
    return client.get(path, headers=signed_headers("GET", path, secret=secret, code=code))


def test_a_signed_work_order_is_accepted_at_once(client, channel):
    response = send(client, order())
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["number"] is None
    assert body["status_url"] == "/api/v1/complaints/12345-20261125-0042/"


def test_the_work_order_becomes_a_complaint(client, channel):
    clerk = StaffFactory(department__code="yshj", role=Role.INTAKE_CLERK)
    send(client, order())
    body = read_status(client).json()
    assert body["status"] == "received" and body["number"].startswith("TS")
    complaint = Complaint.objects.get()
    assert complaint.case.department.code == "yshj"
    assert Deadline.objects.get(case=complaint.case).step == "complaint.register"
    assert AuditEvent.objects.filter(event_type="complaint.received").exists()
    assert Notification.objects.filter(recipient=clerk, kind="complaint.received").exists()


def test_the_same_work_order_twice_is_one_complaint(client, channel):
    first = send(client, order())
    second = send(client, order())
    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["number"] == Complaint.objects.get().case.number
    assert Complaint.objects.count() == 1


def test_a_tampered_body_is_refused(client, channel):
    response = send(client, order(), tamper=True)
    assert response.status_code == 401
    assert not Complaint.objects.exists()


def test_a_wrong_secret_is_refused(client, channel):
    assert send(client, order(), secret="guess").status_code == 401


def test_a_replay_older_than_five_minutes_is_refused(client, channel):
    response = send(client, order(), timestamp=int(time.time()) - 301)
    assert response.status_code == 401
    assert "5" in response.json()["message"]


def test_an_unknown_channel_is_refused(client, channel):
    assert send(client, order(), code="nobody").status_code == 401


def test_an_expired_key_is_refused(client, channel):
    from django.utils import timezone

    channel.expires_at = timezone.now()
    channel.save()
    assert send(client, order()).status_code == 401


def test_a_bad_uscc_is_refused_with_the_field_named(client, channel):
    response = send(client, order(enterprise_uscc="91620702MA71ABCD00"))
    assert response.status_code == 400
    assert "enterprise_uscc" in response.json()


def test_an_unknown_subject_is_refused(client, channel):
    response = send(client, order(subject="gossip"))
    assert response.status_code == 400 and "subject" in response.json()


def test_the_channel_reads_the_status_back(client, channel):
    send(client, order())
    response = read_status(client)
    assert response.status_code == 200 and response.json()["status_label"] == "已收到"


def test_another_channel_cannot_read_it(client, channel):
    send(client, order())
    Channel.objects.create(code="zqf", name="张企服", secret="other")
    assert read_status(client, code="zqf", secret="other").status_code == 404


def test_the_intake_is_in_the_openapi_schema(client):
    assert b"/api/v1/complaints/" in client.get("/api/schema/").content
