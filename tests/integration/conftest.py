"""Integration tests run against the real PostgreSQL and Redis, and start real Celery workers.

They are not skipped when a service is missing: the run stops with a message saying which
service is missing and how to start it.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from tests.integration.private_services import RedisServer
from tests.services_check import missing_services

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_finish(session):
    if not any(item.get_closest_marker("integration") for item in session.items):
        return
    problems = missing_services(tests="Integration tests", make="make test", redis_url="redis://127.0.0.1:6379/0")
    if problems:
        pytest.exit("Integration tests cannot run:\n  " + "\n  ".join(problems), returncode=3)


def service_env(**extra) -> dict:
    """The environment for a process that must share this test run's database and Redis."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


class CeleryWorker:
    """A real `celery worker` process on this run's database and Redis, on a queue of its own (and,
    with `also_queues`, on those queues too: settings.TASK_QUEUE_NAMES for every queue the app's own
    routes send to, as a production worker without -Q)."""

    def __init__(self, queue: str, also_queues=(), **env):
        self.queue = queue
        self.queues = ",".join(dict.fromkeys([queue, *also_queues]))
        self.env = env
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                self.queues,
                "-n",
                f"{self.queue}@%h",
            ],
            cwd=ROOT,
            env=service_env(**self.env),
        )
        app = self.client()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(destination=[f"{self.queue}@{os.uname().nodename}"], timeout=0.5):
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.process.returncode}")
        self.stop()
        raise RuntimeError("the Celery worker did not answer within 30 s")

    def client(self) -> Celery:
        """A Celery client on this worker's broker (and result backend)."""
        url = self.env.get("REDIS_URL", settings.REDIS_URL)
        return Celery("integration-client", broker=url, backend=url, set_as_current=False)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def celery_worker(transactional_db):
    worker = CeleryWorker(queue=f"test-{uuid.uuid4().hex[:8]}").start()
    yield worker
    worker.stop()


@pytest.fixture
def two_celery_workers(transactional_db):
    workers = [CeleryWorker(queue=f"test-{uuid.uuid4().hex[:8]}").start() for _ in range(2)]
    yield workers
    for worker in workers:
        worker.stop()


@pytest.fixture
def own_redis():
    """A Redis of this test's own, on a free port, that the test may stop and start again."""
    server = RedisServer()
    yield server
    server.stop()
