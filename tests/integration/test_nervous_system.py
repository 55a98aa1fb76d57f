"""Notifications and deadlines across real processes: PostgreSQL, Redis, Celery workers."""

import subprocess
import sys
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from cases.core import services
from cases.core.models import AuditEvent, Deadline
from cases.core.roles import Role
from cases.supervision.models import SupervisionOrder
from cases.supervision.tasks import sweep_deadlines
from notifications.consumers import NotificationConsumer
from notifications.models import Notification
from notifications.tasks import deliver_notifications
from tests.factories import CaseFactory, StaffFactory
from tests.integration.conftest import ROOT, CeleryWorker, service_env

pytestmark = pytest.mark.integration


async def _connect(user):
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_a_worker_process_delivers_to_the_right_socket_over_redis(celery_worker):
    user, other = await database_sync_to_async(lambda: (StaffFactory(), StaffFactory(department__code="fgj")))()
    mine, theirs = await _connect(user), await _connect(other)
    [note] = await database_sync_to_async(
        lambda: Notification.objects.bulk_create(
            [Notification(recipient=user, kind="deadline.reminder", title="催办：跨进程", body="…", pending=True)]
        )
    )()
    await database_sync_to_async(
        lambda: deliver_notifications.apply_async(args=[[note.pk]], queue=celery_worker.queue)
    )()
    message = await mine.receive_json_from(timeout=10)
    assert (message["id"], message["title"]) == (note.pk, "催办：跨进程")
    assert await theirs.receive_nothing(timeout=0.5)
    await mine.disconnect()
    await theirs.disconnect()


TRANSITIONS_WHILE_REDIS_IS_DOWN = """
import django; django.setup()
from cases.supervision import services as supervision_services
from cases.core.models import Case, User
supervisor = User.objects.get(username="sup")
for case in Case.objects.order_by("pk"):
    supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="请答复 " + case.number)
print("ok")
"""


@pytest.mark.django_db(transaction=True)
def test_redis_down_loses_no_transition_and_redelivery_sends_each_notification_once(own_redis):
    StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR)
    caseworker = StaffFactory(username="worker", email="worker@example.org")
    cases = [CaseFactory(assignee=caseworker) for _ in range(5)]
    own_redis.start()
    received = async_to_sync(_browser_open_across_the_outage)(caseworker, own_redis, len(cases))
    mine = Notification.objects.filter(recipient=caseworker)
    assert sorted(received) == sorted(mine.values_list("pk", flat=True))
    assert SupervisionOrder.objects.count() == len(cases)
    for note in mine.all():
        assert not note.pending
        assert note.attempts == {"live": 1, "email": 1}


async def _browser_open_across_the_outage(user, own_redis, expected: int) -> list[int]:
    """The caseworker's page is open; Redis (broker and channel layer) goes down while the
    supervisor acts, comes back, and the periodic re-delivery runs in a real worker."""
    from django.test import override_settings

    url = own_redis.url
    layers = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [url]}}}
    with override_settings(CHANNEL_LAYERS=layers, REDIS_URL=url):
        communicator = await _connect(user)
        own_redis.stop()
        done = await database_sync_to_async(subprocess.run)(
            [sys.executable, "-c", TRANSITIONS_WHILE_REDIS_IS_DOWN],
            cwd=ROOT, env=service_env(REDIS_URL=url), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert (
            await database_sync_to_async(Notification.objects.filter(recipient=user, pending=True).count)() == expected
        )
        own_redis.start()
        await database_sync_to_async(Notification.objects.update)(created_at=timezone.now() - timedelta(minutes=2))
        worker = await database_sync_to_async(CeleryWorker(queue=f"test-{uuid.uuid4().hex[:8]}", REDIS_URL=url).start)()
        try:
            for _ in range(2):  # the second run finds nothing left to send
                await database_sync_to_async(_call_redelivery)(worker)
            received = [(await communicator.receive_json_from(timeout=15))["id"] for _ in range(expected)]
            assert await communicator.receive_nothing(timeout=1)
        finally:
            await database_sync_to_async(worker.stop)()
        await communicator.disconnect()
    return received


def _call_redelivery(worker: CeleryWorker) -> None:
    worker.client().send_task("notifications.tasks.redeliver_pending", queue=worker.queue).get(timeout=30)


def _at(day: date) -> str:
    return timezone.make_aware(datetime.combine(day, time(9))).isoformat()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_fire_each_stage_once_on_the_right_day(two_celery_workers):
    StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR)
    assignee = StaffFactory(username="worker")
    for _ in range(40):
        services.start_deadline(
            case=CaseFactory(assignee=assignee), step="complaint.answer", label="部门答复",
            policy_key="answer_within", start=date(2025, 9, 26),
        )  # fmt: skip
    # Due 23 Oct 2025 (National Day and two adjusted working days in between).
    expected = {
        date(2025, 10, 20): {},
        date(2025, 10, 21): {"deadline.reminded": 40},
        date(2025, 10, 23): {},
        date(2025, 10, 24): {"deadline.supervised": 40},
        date(2025, 10, 29): {},
        date(2025, 10, 30): {"deadline.escalated": 40},
    }
    for day, fired in expected.items():
        results = [
            sweep_deadlines.apply_async(kwargs={"now": _at(day), "batch_size": 7}, queue=worker.queue)
            for worker in two_celery_workers
        ]
        totals: dict[str, int] = {}
        for result in results:
            for event, count in result.get(timeout=60).items():
                totals[event] = totals.get(event, 0) + count
        assert totals == fired, day
    for event in ("deadline.reminded", "deadline.supervised", "deadline.escalated"):
        assert AuditEvent.objects.filter(event_type=event).count() == 40
    assert SupervisionOrder.objects.filter(level="order").count() == 40
    assert SupervisionOrder.objects.filter(level="escalation").count() == 40
    assert not Deadline.objects.filter(next_action_at__isnull=False).exists()
