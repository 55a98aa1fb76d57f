"""/metrics on the production services: the Celery queue depth read from the Redis broker, and a
task that fails in a real worker process counted where the web process can read it."""

import pytest
import redis
from celery import current_app
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from cases.infra import metrics

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TOKEN = "integration-scrape-token"


@pytest.fixture(autouse=True)
def with_token(settings):
    settings.METRICS_TOKEN = TOKEN


def figure(client, name: str, **labels) -> float | None:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return None


REDELIVER = "cases.infra.tasks.redeliver_outbox"


@pytest.fixture
def empty_delivery_queue():
    client = redis.Redis.from_url(settings.REDIS_URL)
    queue = settings.CELERY_TASK_ROUTES[REDELIVER]["queue"]  # the named queue its route sends it to
    client.delete(queue)
    yield queue
    client.delete(queue)


def test_the_queue_depth_is_the_length_of_the_brokers_list(client, empty_delivery_queue):
    assert figure(client, "chengxin_celery_queue_depth", queue=empty_delivery_queue) == 0
    for _ in range(3):  # no worker reads the app's named queues on this Redis in this test run
        current_app.send_task(REDELIVER)
    assert figure(client, "chengxin_celery_queue_depth", queue=empty_delivery_queue) == 3


def test_a_task_failing_in_a_worker_process_is_counted(client, celery_worker):
    name = "cases.infra.tasks.redeliver_outbox"
    before = figure(client, "chengxin_celery_task_failures_total", task=name) or 0
    # An argument the task does not take: it fails in the worker, as any task's exception would.
    result = celery_worker.client().send_task(name, args=["unexpected"], queue=celery_worker.queue)
    result.get(timeout=30, propagate=False)
    assert result.failed()
    assert figure(client, "chengxin_celery_task_failures_total", task=name) == before + 1
    assert int(redis.Redis.from_url(settings.REDIS_URL).hget(metrics.FAILURES_KEY, name)) == before + 1
