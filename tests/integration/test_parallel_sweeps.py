"""SWEEP_PARALLEL with real workers: beat's sweep sends the extra sweeps to the sweep queue, where a
free worker process takes them while the first sweep runs, and the due stages fire once."""

import os
import time as clock
import uuid

import pytest

from cases.core.models import AuditEvent, Deadline
from cases.supervision.tasks import sweep_deadlines
from tests.integration.conftest import CeleryWorker
from tests.integration.overdue import SWEEP_AT, overdue_deadlines

pytestmark = pytest.mark.integration

SWEEP_NAME = "cases.tasks.sweep_deadlines"


@pytest.fixture
def two_sweep_workers(transactional_db):
    """Two one-process workers on queues of their own and on the sweep queue, emptied first (what
    an earlier test left there would be taken instead)."""
    workers = [
        CeleryWorker(queue=f"test-{uuid.uuid4().hex[:8]}", also_queues=("sweep",), SWEEP_PARALLEL="2") for _ in range(2)
    ]
    with workers[0].client().connection_for_write() as connection:
        connection.default_channel.queue_purge("sweep")
    yield [worker.start() for worker in workers]
    for worker in workers:
        worker.stop()


def _sweeps_run_by(workers: list[CeleryWorker]) -> list[int]:
    host = os.uname().nodename
    stats = workers[0].client().control.inspect(destination=[f"{w.queue}@{host}" for w in workers]).stats() or {}
    return [stats.get(f"{w.queue}@{host}", {}).get("total", {}).get(SWEEP_NAME, 0) for w in workers]


@pytest.mark.django_db(transaction=True)
def test_the_second_sweep_runs_on_the_free_worker_and_each_stage_fires_once(two_sweep_workers):
    overdue_deadlines(60)
    first = two_sweep_workers[0]
    sweep_deadlines.apply_async(kwargs={"now": SWEEP_AT.isoformat(), "batch_size": 5}, queue=first.queue)
    waited_until = clock.monotonic() + 60
    while clock.monotonic() < waited_until and Deadline.objects.filter(next_action_at__isnull=False).exists():
        clock.sleep(0.2)
    assert _sweeps_run_by(two_sweep_workers) == [1, 1]  # (a worker counts a task when it starts it)
    for event in ("deadline.reminded", "deadline.supervised", "deadline.escalated"):
        assert AuditEvent.objects.filter(event_type=event).count() == 60
    assert not Deadline.objects.filter(next_action_at__isnull=False).exists()
