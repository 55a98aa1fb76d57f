"""Every task the code defines goes to a named queue that a worker consumes, in every way the
project starts its workers: the Procfile (`make run`), the systemd units, the multi-node stack."""

import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app
from deploy.stack import stack

ROOT = Path(__file__).resolve().parents[2]


def project_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def queue_of(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


def consumed(command: str) -> set[str]:
    """The queues a `celery worker` command line consumes: its -Q, else every declared queue."""
    words = shlex.split(command)
    for flag in ("-Q", "--queues"):
        if flag in words:
            return set(words[words.index(flag) + 1].split(","))
    return set(settings.TASK_QUEUE_NAMES)


def test_every_task_is_routed_to_a_declared_queue():
    declared = set(settings.TASK_QUEUE_NAMES)
    assert {task: queue_of(task) for task in project_tasks() if queue_of(task) not in declared} == {}


def test_the_named_queues_take_the_intake_the_delivery_and_the_sweep():
    assert queue_of("cases.tasks.open_work_orders") == "intake"
    assert queue_of("notifications.tasks.deliver_notifications") == "delivery"
    assert queue_of("cases.tasks.sweep_deadlines") == "sweep"


def test_the_procfile_worker_consumes_every_queue():
    lines = (ROOT / "Procfile").read_text().splitlines()
    [command] = [line.split(":", 1)[1] for line in lines if line.startswith("worker:")]
    assert {queue_of(task) for task in project_tasks()} <= consumed(command)


def test_the_systemd_worker_consumes_every_queue():
    unit = (ROOT / "deploy/systemd/chengxin-worker.service").read_text()
    [command] = re.findall(r"^ExecStart=(.*)$", unit, re.M)
    assert {queue_of(task) for task in project_tasks()} <= consumed(command)


@pytest.mark.parametrize("queue", ["intake", "delivery", "sweep", "celery"])
def test_the_templated_systemd_worker_consumes_its_instances_queue(queue):
    unit = (ROOT / "deploy/systemd/chengxin-worker@.service").read_text()
    [command] = re.findall(r"^ExecStart=(.*)$", unit, re.M)
    assert consumed(command.replace("%i", queue)) == {queue}


def test_the_stacks_workers_together_consume_every_queue():
    together = set().union(*(set(queues.split(",")) for queues in stack.WORKERS.values()))
    assert {queue_of(task) for task in project_tasks()} <= together
