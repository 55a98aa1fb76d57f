"""Status changes pushed back to the channel's callback URL: signed, retried until they land."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from cases.complaints import channel_callbacks
from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.intake import legacy_signature
from cases.complaints.models import Channel, ChannelCallback
from cases.core.roles import Role
from tests.channel_signing import signed_headers
from tests.factories import StaffFactory, valid_uscc

pytestmark = pytest.mark.django_db


class ChannelSystem:
    """A real HTTP server on loopback standing in for the channel's system."""

    def __init__(self, fail_first: int = 0):
        self.received: list[tuple[dict, dict]] = []
        self.fail_first = fail_first
        system = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if system.fail_first:
                    system.fail_first -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                system.received.append((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def system():
    server = ChannelSystem()
    yield server
    server.close()


def receive(channel):
    complaint, _created = complaint_intake.receive(channel=channel, data={
        "reference": "12345-WO-7", "complainant_name": "张", "enterprise_name": "甲",
        "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "乙", "subject": "arrears",
        "facts": "欠款"})  # fmt: skip
    return complaint


def test_registration_is_pushed_to_the_channel_signed(system, django_capture_on_commit_callbacks):
    channel = Channel.objects.create(code="12345", name="12345", secret="s3cret", callback_url=system.url)
    complaint = receive(channel)
    clerk = StaffFactory(department__code="yshj", role=Role.INTAKE_CLERK)
    with django_capture_on_commit_callbacks(execute=True):
        complaints.register(actor=clerk, complaint_id=complaint.pk, subject="arrears", respondent="乙")
    [(headers, body)] = system.received
    assert json.loads(body)["status"] == "registered" and json.loads(body)["reference"] == "12345-WO-7"
    signed = signed_headers("POST", "/callback", body, timestamp=headers["X-Timestamp"], nonce=headers["X-Nonce"])
    assert headers["X-Signature"] == headers["X-Signature-V2"] == signed["X-Signature"]  # version 2 only
    assert ChannelCallback.objects.get().sent_at is not None


def test_while_the_channel_may_sign_with_version_1_the_push_carries_both(system, django_capture_on_commit_callbacks):
    """A receiver that still checks version 1 in X-Signature keeps working until the channel's
    legacy date; one that has moved checks X-Signature-V2."""
    channel = Channel.objects.create(code="12345", name="12345", secret="s3cret", callback_url=system.url + "?k=1",
                                     accepts_legacy_signatures=True,
                                     legacy_signatures_until=timezone.now() + timedelta(days=1))  # fmt: skip
    complaint = receive(channel)
    clerk = StaffFactory(department__code="yshj", role=Role.INTAKE_CLERK)
    with django_capture_on_commit_callbacks(execute=True):
        complaints.register(actor=clerk, complaint_id=complaint.pk, subject="arrears", respondent="乙")
    [(headers, body)] = system.received
    assert headers["X-Signature"] == legacy_signature("s3cret", headers["X-Timestamp"], body)
    signed = signed_headers("POST", "/callback?k=1", body, timestamp=headers["X-Timestamp"], nonce=headers["X-Nonce"])
    assert headers["X-Signature-V2"] == signed["X-Signature"]


def test_a_failed_push_is_retried_until_it_lands(django_capture_on_commit_callbacks):
    system = ChannelSystem(fail_first=1)
    try:
        channel = Channel.objects.create(code="12345", name="12345", secret="s", callback_url=system.url)
        complaint = receive(channel)
        clerk = StaffFactory(department__code="yshj", role=Role.INTAKE_CLERK)
        with django_capture_on_commit_callbacks(execute=True):
            complaints.register(actor=clerk, complaint_id=complaint.pk, subject="arrears", respondent="乙")
        callback = ChannelCallback.objects.get()
        assert callback.sent_at is None and "500" in callback.last_error
        ChannelCallback.objects.update(next_attempt_at=timezone.now())  # the backoff's wait is over
        assert channel_callbacks.retry_pending() == 1
        callback.refresh_from_db()
        assert callback.sent_at is not None and callback.attempts == 2
        assert len(system.received) == 1
    finally:
        system.close()


def test_a_channel_without_callback_gets_no_push():
    channel = Channel.objects.create(code="website", name="网站", secret="s")
    complaint = receive(channel)
    clerk = StaffFactory(department__code="yshj", role=Role.INTAKE_CLERK)
    complaints.register(actor=clerk, complaint_id=complaint.pk, subject="arrears", respondent="乙")
    assert not ChannelCallback.objects.exists()
