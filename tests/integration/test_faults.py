"""Faults on purpose: Redis stopped in the middle of a run, a Celery worker killed (SIGKILL) in the
middle of a sweep, PostgreSQL restarted under the running ASGI server. Each fault hits a service of
the test's own (private_services.py); the shared PostgreSQL and Redis are never stopped."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import psutil
import pytest
import redis
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from kombu import Connection

from cases.core.models import AuditEvent, Deadline, Stage
from cases.core.roles import Role
from cases.supervision.models import SupervisionOrder
from notifications.consumers import NotificationConsumer
from notifications.models import Notification, NotificationPreference, SmsMessage
from tests.factories import CaseFactory, StaffFactory
from tests.integration.conftest import ROOT, CeleryWorker, service_env
from tests.integration.overdue import SWEEP_AT, overdue_deadlines
from tests.integration.private_services import (
    Daphne,
    PostgresCluster,
    RedisServer,
    migrate,
    production_env,
    wait_for,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def private_redis(own_redis):
    return own_redis.start()


# --- Redis stopped and started again while transitions go on -------------------------------------

# Issues one supervision order per line read (the index of the case), prints the order's id: the
# test decides when each transition happens, and stops Redis between two of them.
SUPERVISOR_AT_WORK = """
import sys
import django
django.setup()
from cases.supervision import services as supervision_services
from cases.core.models import Case, User
supervisor = User.objects.get(username="sup")
cases = list(Case.objects.order_by("pk").values_list("pk", flat=True))
for line in sys.stdin:
    order = supervision_services.issue_supervision_order(case_id=cases[int(line)], actor=supervisor, reason="请答复")
    print("order", order.pk, flush=True)
"""

BEFORE, DURING, AFTER = 6, 4, 6  # transitions before the outage, while Redis is down, after it is back


@pytest.mark.django_db(transaction=True)
def test_redis_stopped_mid_run_loses_no_transition_and_each_notification_arrives_once(private_redis):
    StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR)
    # Live and SMS (the database SMS gateway counts what it was handed); no e-mail address.
    caseworker = StaffFactory(username="worker", email="", phone="13900000000")
    NotificationPreference.objects.create(user=caseworker, kind="supervision.issued", live=True, sms=True)
    for _ in range(BEFORE + DURING + AFTER):
        CaseFactory(assignee=caseworker)
    received, timings = async_to_sync(_supervisor_works_across_the_outage)(caseworker, private_redis)

    total = BEFORE + DURING + AFTER
    assert SupervisionOrder.objects.count() == total
    assert AuditEvent.objects.filter(event_type="supervision.issued").count() == total
    mine = Notification.objects.filter(recipient=caseworker)
    assert mine.count() == total
    assert sorted(received) == sorted(mine.values_list("pk", flat=True))
    assert not mine.filter(pending=True).exists()
    assert not mine.filter(live_delivered_at=None).exists()
    per_notification = Counter(SmsMessage.objects.values_list("notification_id", flat=True))
    assert per_notification == Counter(dict.fromkeys(mine.values_list("pk", flat=True), 1))
    print("transition seconds:", [round(t, 2) for t in timings])
    assert max(timings) < 10, timings  # a transition during the outage is not held up by Redis


async def _supervisor_works_across_the_outage(user, redis_server: RedisServer) -> tuple[list[int], list[float]]:
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_server.url]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers, REDIS_URL=redis_server.url):
        socket = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
        socket.scope["user"] = user
        assert (await socket.connect())[0]
        assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
        worker = CeleryWorker(queue="celery", also_queues=settings.TASK_QUEUE_NAMES, REDIS_URL=redis_server.url)
        await database_sync_to_async(worker.start)()
        supervisor = subprocess.Popen(
            [sys.executable, "-c", SUPERVISOR_AT_WORK], cwd=ROOT, env=service_env(REDIS_URL=redis_server.url),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        timings = []

        def transition(index: int) -> None:
            started = time.monotonic()
            supervisor.stdin.write(f"{index}\n")
            supervisor.stdin.flush()
            while not supervisor.stdout.readline().startswith("order "):  # log lines go to stdout too
                pass
            timings.append(time.monotonic() - started)

        try:
            for index in range(BEFORE):
                await database_sync_to_async(transition)(index)
            await database_sync_to_async(redis_server.stop)()
            for index in range(BEFORE, BEFORE + DURING):
                await database_sync_to_async(transition)(index)
            stranded = await database_sync_to_async(Notification.objects.filter(recipient=user, pending=True).count)()
            assert stranded >= DURING  # committed; their delivery waits for Redis
            await database_sync_to_async(redis_server.start)()
            await database_sync_to_async(_until_the_worker_is_back)(worker)
            for index in range(BEFORE + DURING, BEFORE + DURING + AFTER):
                await database_sync_to_async(transition)(index)
            supervisor.stdin.close()
            assert await database_sync_to_async(supervisor.wait)(timeout=30) == 0
            # The periodic re-delivery, as beat runs it once the rows are older than 30 s; the
            # second run finds nothing left.
            await database_sync_to_async(Notification.objects.update)(
                created_at=timezone.now() - timedelta(minutes=2),
                next_attempt_at=timezone.now(),  # due for re-delivery
            )
            for _ in range(2):
                await database_sync_to_async(_redeliver)(worker)
            await database_sync_to_async(_until_nothing_pending)(user)
            received = []
            while len(received) < BEFORE + DURING + AFTER or not await socket.receive_nothing(timeout=1):
                message = await socket.receive_json_from(timeout=10)
                if message["type"] == "notification":  # not the board's refresh hints
                    received.append(message["id"])
        finally:
            if supervisor.poll() is None:
                supervisor.kill()
            await database_sync_to_async(worker.stop)()
        await socket.disconnect()
    return received, timings


def _until_the_worker_is_back(worker: CeleryWorker) -> None:
    client = worker.client()

    def answers() -> bool:
        try:
            return bool(client.control.ping(destination=[f"celery@{_node()}"], timeout=0.5))
        except redis.RedisError:  # this client's own connection from before the restart
            return False

    wait_for(answers, timeout=40, what="the worker reconnecting to Redis")


def _node() -> str:
    return os.uname().nodename


def _redeliver(worker: CeleryWorker) -> None:
    worker.client().send_task("notifications.tasks.redeliver_pending", queue=worker.queue).get(timeout=30)


def _until_nothing_pending(user) -> None:
    wait_for(lambda: not Notification.objects.filter(recipient=user, pending=True).exists(), timeout=30,
             what="every notification delivered")  # fmt: skip


# --- A Celery worker killed with SIGKILL in the middle of a sweep --------------------------------

OVERDUE = 800


def _escalations() -> int:
    return SupervisionOrder.objects.filter(level="escalation").count()


def _each_overdue_deadline_escalated_exactly_once() -> None:
    deadlines = set(Deadline.objects.values_list("pk", flat=True))
    assert len(deadlines) == OVERDUE
    for event in ("deadline.reminded", "deadline.supervised", "deadline.escalated"):
        fired = Counter(AuditEvent.objects.filter(event_type=event).values_list("payload__deadline", flat=True))
        assert fired == Counter(dict.fromkeys(deadlines, 1)), event
    for level in ("order", "escalation"):
        orders = Counter(SupervisionOrder.objects.filter(level=level).values_list("deadline_id", flat=True))
        assert orders == Counter(dict.fromkeys(deadlines, 1)), level
    # Three stages, each told to the assignee and the supervisor: six notifications, none twice.
    told = Counter(Notification.objects.values_list("payload__deadline", "payload__stage", "recipient_id"))
    assert len(told) == OVERDUE * 6 and set(told.values()) == {1}
    assert not Deadline.objects.filter(next_action_at__isnull=False).exists()
    assert not Deadline.objects.exclude(stage=Stage.ESCALATED).exists()


def _send_sweep(worker: CeleryWorker):
    arguments = {"now": SWEEP_AT.isoformat(), "batch_size": 10}
    return worker.client().send_task("cases.tasks.sweep_deadlines", kwargs=arguments, queue=worker.queue)


def _kill_mid_sweep(victims) -> int:
    """SIGKILL once some batches are committed and many are not; returns the escalations then."""
    done = wait_for(lambda: _escalations() or None, timeout=30, what="the sweep's first batch", interval=0.01)
    for process in victims():
        process.send_signal(signal.SIGKILL)
    assert done < OVERDUE, "the sweep finished before the kill: nothing was interrupted"
    return done


@pytest.mark.django_db(transaction=True)
def test_a_sweep_whose_pool_process_is_killed_is_run_again_and_escalates_each_case_once(private_redis):
    overdue_deadlines(OVERDUE)
    worker = CeleryWorker(queue="sweep", REDIS_URL=private_redis.url).start()
    try:
        _send_sweep(worker)
        pool = psutil.Process(worker.process.pid).children()
        at_kill = _kill_mid_sweep(lambda: pool)
        # acks_late + reject_on_worker_lost: the worker puts the message back and a new pool
        # process runs the sweep again; what was committed before the kill is not fired twice.
        wait_for(lambda: _escalations() >= OVERDUE, timeout=60, what="the sweep run again", interval=0.2)
        time.sleep(1)  # anything fired twice would show now
    finally:
        worker.stop()
    print(f"killed after {at_kill} of {OVERDUE} escalations")
    _each_overdue_deadline_escalated_exactly_once()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sweep_and_started_again_escalates_each_case_once(private_redis):
    overdue_deadlines(OVERDUE)
    worker = CeleryWorker(queue="sweep", REDIS_URL=private_redis.url).start()
    try:
        killed_sweep = _send_sweep(worker)
        main = psutil.Process(worker.process.pid)
        _kill_mid_sweep(lambda: [main, *main.children()])  # the whole worker, at once
        worker.process.wait(timeout=10)
    finally:
        worker.stop()
    at_kill = _escalations()
    assert 0 < at_kill < OVERDUE  # the batches committed before the kill stand
    broker = redis.Redis.from_url(private_redis.url)
    assert broker.hlen("unacked") == 1  # acks_late: the killed sweep's message is kept
    worker = CeleryWorker(queue="sweep", REDIS_URL=private_redis.url).start()
    try:
        # Beat's next minute sends the sweep again: it escalates the rest.
        fired = _send_sweep(worker).get(timeout=60)
        assert fired["deadline.escalated"] == OVERDUE - at_kill
        wait_for(lambda: broker.hlen("unacked") == 1, timeout=10, what="the next sweep acknowledged")
        # The killed sweep's message comes back once its visibility timeout has passed (an hour
        # by default); here the timeout is made to pass at once. Run again, it finds nothing to do.
        with Connection(private_redis.url, transport_options={"visibility_timeout": 0}) as connection:
            connection.default_channel.qos.restore_visible()
        assert killed_sweep.get(timeout=30) == {}
    finally:
        worker.stop()
    print(f"killed after {at_kill} of {OVERDUE} escalations")
    _each_overdue_deadline_escalated_exactly_once()


# --- PostgreSQL restarted under the running ASGI server ------------------------------------------


@pytest.fixture(scope="module")
def app_on_its_own_postgres():
    """daphne with the production settings (the connection pool on, eight connections kept open) on
    a PostgreSQL cluster and a Redis of their own."""
    cluster = PostgresCluster().init().start()
    broker = RedisServer().start()
    daphne = None
    try:
        env = production_env(database_url=cluster.create_database("chengxin"), redis_url=broker.url,
                             DATABASE_POOL_MIN_SIZE="8")  # fmt: skip
        migrate(env)
        daphne = Daphne(env).start()
        yield cluster, daphne
    finally:
        if daphne:
            daphne.stop()
        broker.stop()
        cluster.remove()


def _health(daphne: Daphne) -> tuple[int, dict, float]:
    started = time.monotonic()
    status, body = daphne.get("/healthz", timeout=30)
    return status, json.loads(body or b"{}"), time.monotonic() - started


def test_after_a_quick_postgresql_restart_the_first_request_is_served(app_on_its_own_postgres):
    cluster, daphne = app_on_its_own_postgres
    for _ in range(5):  # the pool holds eight connections opened before the restart
        assert _health(daphne)[0] == 200
    cluster.stop()
    cluster.start()
    # Not one dead pooled connection handed to a request, and the first one does not wait out
    # eight of them one after another (the probe would give up after 3 s and say 503).
    statuses = [_health(daphne)[0] for _ in range(10)]
    assert statuses == [200] * 10


def test_while_postgresql_is_down_healthz_says_503_within_seconds_and_200_when_it_is_back(app_on_its_own_postgres):
    cluster, daphne = app_on_its_own_postgres
    server = daphne.process.pid
    assert _health(daphne)[0] == 200
    cluster.stop()
    down = [_health(daphne) for _ in range(3)]
    for status, body, seconds in down:
        assert status == 503
        assert body["checks"]["database"]["ok"] is False
        assert seconds < 6  # the probe waits 3 s for a connection, not the pages' 30 s
    cluster.start()
    restarted = time.monotonic()
    wait_for(lambda: _health(daphne)[0] == 200, timeout=20, what="/healthz back to 200", interval=0.2)
    recovered = time.monotonic() - restarted
    assert [_health(daphne)[0] for _ in range(10)] == [200] * 10
    assert daphne.process.pid == server and daphne.process.poll() is None  # the same process throughout
    print("healthz while down:", [(status, round(seconds, 2)) for status, _body, seconds in down],
          f"200 again {recovered:.1f} s after PostgreSQL was back")  # fmt: skip
