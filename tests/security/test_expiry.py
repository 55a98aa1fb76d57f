"""Sessions and channel keys expire; a channel that keeps sending bad signatures is held off."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from cases.complaints.models import Channel, Complaint, WorkOrder
from tests.channel_signing import signed_headers
from tests.factories import UserFactory, work_order_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"


def test_a_session_ends_after_the_configured_age(client):
    UserFactory(username="wang")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"username": "wang", "password": "pw-for-tests"})
    with time_machine.travel(start + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60), tick=False):
        assert client.get("/home/").status_code == 200
    with time_machine.travel(start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60), tick=False):
        response = client.get("/home/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_session_age_is_a_working_day_by_default():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


@pytest.fixture
def channel(db):
    return Channel.objects.create(code="12345", name="12345 热线", secret="s3cret")


def work_order(reference="12345-1"):
    return work_order_data(reference)


def send(client, data, *, secret="s3cret", code="12345", address="10.1.1.1"):
    body = json.dumps(data, ensure_ascii=False).encode()
    headers = signed_headers("POST", URL, body, secret=secret, code=code)
    return client.post(URL, body, content_type="application/json", REMOTE_ADDR=address, headers=headers)


def test_a_key_that_has_not_expired_yet_is_taken(client, channel):
    channel.expires_at = timezone.now() + timedelta(days=1)
    channel.save()
    assert send(client, work_order()).status_code == 202


def test_an_expired_key_is_refused_saying_it_expired(client, channel):
    channel.expires_at = timezone.now() - timedelta(minutes=1)
    channel.save()
    response = send(client, work_order())
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "unauthenticated"
    assert timezone.localtime(channel.expires_at).strftime("%Y-%m-%d %H:%M") in body["message"]
    assert not Complaint.objects.exists()


def test_the_expiry_is_not_told_to_a_caller_without_the_secret(client, channel):
    channel.expires_at = timezone.now() - timedelta(minutes=1)
    channel.save()
    response = send(client, work_order(), secret="guess")
    assert response.status_code == 401
    assert timezone.localtime(channel.expires_at).strftime("%Y-%m-%d") not in response.json()["message"]


def test_an_inactive_channel_is_refused(client, channel):
    channel.active = False
    channel.save()
    assert send(client, work_order()).status_code == 401


def test_the_admin_sets_a_keys_expiry(client, channel):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/admin/cases/channel/{channel.pk}/change/").content.decode()
    assert 'name="expires_at_0"' in page
    response = client.post(f"/admin/cases/channel/{channel.pk}/change/", {
        "code": "12345", "name": "12345 热线", "secret": "s3cret", "callback_url": "", "active": "on",
        "expires_at_0": "2026-12-31", "expires_at_1": "18:00:00",
    })  # fmt: skip
    assert response.status_code == 302
    channel.refresh_from_db()
    assert timezone.localtime(channel.expires_at).strftime("%Y-%m-%d %H:%M") == "2026-12-31 18:00"


def test_an_address_sending_bad_signatures_is_held_off_for_a_while(client, channel):
    for _ in range(settings.CHANNEL_SIGNATURE_FAILURE_LIMIT):
        assert send(client, work_order(), secret="guess").status_code == 401
    held = send(client, work_order(), secret="guess")
    assert held.status_code == 429 and held.json()["error"] == "throttled"
    assert not WorkOrder.objects.exists()
    assert send(client, work_order(), address="10.2.2.2", secret="guess").status_code == 401


def test_a_correctly_signed_order_is_taken_from_a_held_off_address(client, channel):
    for _ in range(settings.CHANNEL_SIGNATURE_FAILURE_LIMIT):
        assert send(client, work_order(), secret="guess").status_code == 401
    assert send(client, work_order()).status_code == 202
    assert WorkOrder.objects.count() == 1


def test_good_signatures_are_never_counted(client, channel):
    for number in range(settings.CHANNEL_SIGNATURE_FAILURE_LIMIT + 1):
        assert send(client, work_order(reference=f"12345-{number}")).status_code == 202
