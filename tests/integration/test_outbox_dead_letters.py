"""A real Celery worker on PostgreSQL: a channel callback that keeps failing becomes a dead letter
after the attempt limit, and once the administrator re-sends it, it is delivered."""

import uuid

import pytest
from django.utils import timezone

from cases.complaints.models import Channel, ChannelCallback
from cases.core.models import AuditEvent
from cases.core.roles import Role
from cases.infra.outbox import OutboxState
from tests.cases.test_channel_callbacks import ChannelSystem, receive
from tests.factories import UserFactory
from tests.integration.conftest import CeleryWorker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LIMIT = 3


@pytest.fixture
def worker_with_a_small_limit(transactional_db):
    worker = CeleryWorker(queue=f"test-{uuid.uuid4().hex[:8]}", OUTBOX_MAX_ATTEMPTS=str(LIMIT)).start()
    yield worker
    worker.stop()


def _redeliver(worker) -> dict:
    ChannelCallback.objects.update(next_attempt_at=timezone.now())  # the backoff's wait is over
    return worker.client().send_task("cases.infra.tasks.redeliver_outbox", queue=worker.queue).get(timeout=30)


def test_a_failing_callback_is_dead_lettered_and_a_re_sent_one_is_delivered(worker_with_a_small_limit, client):
    worker = worker_with_a_small_limit
    system = ChannelSystem(fail_first=LIMIT)
    try:
        channel = Channel.objects.create(code="12345", name="12345", secret="s", callback_url=system.url)
        callback = ChannelCallback.objects.create(complaint=receive(channel), payload={"status": "registered"})
        for _attempt in range(LIMIT):
            assert _redeliver(worker)["channel_callback"] == 1
        assert _redeliver(worker)["channel_callback"] == 0  # a dead letter is left alone
        callback.refresh_from_db()
        assert (callback.state, callback.attempts, callback.sent_at) == (OutboxState.DEAD, LIMIT, None)
        assert system.received == []

        admin = UserFactory(role=Role.ADMIN)
        client.force_login(admin)
        client.post("/admin/cases/channelcallback/", {"action": "resend", "_selected_action": [callback.pk]})
        assert AuditEvent.objects.filter(event_type="outbox.resent", actor=admin).count() == 1

        assert (
            worker.client()
            .send_task("cases.infra.tasks.redeliver_outbox", queue=worker.queue)
            .get(timeout=30)["channel_callback"]
            == 1
        )
        callback.refresh_from_db()
        assert callback.state == OutboxState.SENT and callback.sent_at is not None
        [(_headers, body)] = system.received
        assert b"registered" in body
    finally:
        system.close()
