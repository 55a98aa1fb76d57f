"""/metrics: refused to everyone but the monitoring system, and each figure follows what is there."""

from datetime import date, timedelta

import pytest
from celery import shared_task
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from cases.complaints import intake as complaint_intake
from cases.complaints.models import Channel, WorkOrder
from cases.core.models import Deadline
from cases.infra import metrics
from cases.infra.outbox import OutboxState
from config.settings.guards import refuse_weak_metrics_access
from notifications.consumers import NotificationConsumer
from notifications.models import Notification
from tests.factories import CaseFactory, StaffFactory, work_order_data

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-scrape-token"


@shared_task(name="tests.operations.always_fails")
def always_fails():
    raise RuntimeError("this task fails")


@pytest.fixture
def with_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []


def scrape(client) -> dict:
    """The figures /metrics answers with the token, by (sample name, sorted labels)."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def pending_notification(age: timedelta) -> Notification:
    note = Notification.objects.create(recipient=StaffFactory(), kind="deadline.reminder", title="催办", body="请办理")
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - age)
    return note


# --- who may read it -------------------------------------------------------------------------------


def test_without_a_token_or_address_list_the_endpoint_is_not_there(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_a_scrape_without_the_token_is_refused(client, with_token):
    assert client.get("/metrics").status_code == 403


def test_a_scrape_with_a_wrong_token_is_refused(client, with_token):
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 403


def test_the_token_must_come_as_a_bearer_token(client, with_token):
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 403


def test_a_signed_in_administrator_without_the_token_is_refused(client, with_token):
    client.force_login(StaffFactory(is_superuser=True, is_staff=True))
    assert client.get("/metrics").status_code == 403


def test_a_scrape_with_the_token_gets_the_prometheus_text(client, with_token):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert b"chengxin_outbox_backlog" in response.content


def test_an_address_outside_the_allowed_list_is_refused(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["10.0.0.0/24"]
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403


def test_an_address_in_the_allowed_list_needs_no_token(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["10.0.0.0/24"]
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_with_both_set_an_allowed_address_still_needs_the_token(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = TOKEN, ["10.0.0.9"]
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.8", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_only_get_is_answered(client, with_token):
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


# --- what it reports -------------------------------------------------------------------------------


def test_the_outbox_backlog_and_its_oldest_pending_age_per_kind(client, with_token):
    pending_notification(timedelta(minutes=10))
    pending_notification(timedelta(minutes=3))
    sent = pending_notification(timedelta(hours=5))
    Notification.objects.filter(pk=sent.pk).update(**Notification.state_values(OutboxState.SENT))
    figures = scrape(client)
    assert figures[("chengxin_outbox_backlog", (("kind", "notification"),))] == 2
    age = figures[("chengxin_outbox_oldest_pending_age_seconds", (("kind", "notification"),))]
    assert 600 <= age < 900
    assert figures[("chengxin_outbox_backlog", (("kind", "channel_callback"),))] == 0


def test_an_empty_outbox_has_no_age(client, with_token):
    assert scrape(client)[("chengxin_outbox_oldest_pending_age_seconds", (("kind", "notification"),))] == 0


def test_the_sweep_lag_is_the_age_of_the_oldest_stage_due_and_not_fired(client, with_token):
    case = CaseFactory()
    now = timezone.now()
    fields = {
        "case": case,
        "step": "complaint.answer",
        "label": "答复",
        "department": case.department,
        "working_days": 15,
        "started_on": date.today(),
        "due_on": date.today(),
        "due_at": now,
    }
    Deadline.objects.create(**fields, next_action_at=now - timedelta(minutes=20))
    Deadline.objects.create(**fields, next_action_at=now + timedelta(days=1))  # not due yet
    Deadline.objects.create(**fields, next_action_at=now - timedelta(hours=3), supervised=False)  # not swept
    lag = scrape(client)[("chengxin_sweep_lag_seconds", ())]
    assert 1200 <= lag < 1500


def test_no_stage_due_means_no_sweep_lag(client, with_token):
    assert scrape(client)[("chengxin_sweep_lag_seconds", ())] == 0


def test_work_orders_waiting_to_be_opened(client, with_token):
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="s3cret")
    for reference in ("12345-a", "12345-b"):
        complaint_intake.accept(channel=channel, data=work_order_data(reference), open_later=False)
    WorkOrder.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    failed, _created = complaint_intake.accept(channel=channel, data=work_order_data("12345-c"), open_later=False)
    WorkOrder.objects.filter(pk=failed.pk).update(
        failure="ValueError: no", received_at=timezone.now() - timedelta(days=1)
    )
    figures = scrape(client)
    assert figures[("chengxin_work_orders_waiting", ())] == 2
    assert 300 <= figures[("chengxin_work_order_oldest_waiting_age_seconds", ())] < 600


def test_a_failed_celery_task_is_counted(client, with_token):
    """Run in this process as a worker runs it (the error kept in the result, not raised): its
    task_failure signal counts it. A real worker's failure is counted in Redis (tests/integration)."""
    key = ("chengxin_celery_task_failures_total", (("task", "tests.operations.always_fails"),))
    before = scrape(client).get(key, 0)
    assert always_fails.apply(throw=False).failed()
    assert scrape(client)[key] == before + 1


def test_the_filesystem_broker_reports_no_queue_depth(client, with_token, settings):
    settings.REDIS_URL = ""  # the embedded default
    figures = scrape(client)
    assert not [name for name, _labels in figures if name == "chengxin_celery_queue_depth"]
    assert figures[("chengxin_metrics_source_up", (("source", "celery_queues"),))] == 1


def test_without_a_replica_there_is_no_replica_lag(client, with_token):
    assert not [name for name, _labels in scrape(client) if name == "chengxin_replica_lag_seconds"]


def test_with_a_replica_its_lag_is_reported(client, with_token, monkeypatch):
    """The query itself needs a PostgreSQL replica; here the figure's way to the scrape."""
    monkeypatch.setattr(metrics, "REPLICA_ALIAS", "default")
    monkeypatch.setattr(metrics, "replica_lag", lambda: 42.0)
    assert scrape(client)[("chengxin_replica_lag_seconds", ())] == 42


def test_without_a_replica_database_no_lag_is_read():
    assert metrics.replica_lag() is None  # no `replica` database in the test settings


def test_a_source_that_cannot_be_read_is_left_out_and_marked_down(client, with_token, monkeypatch):
    def broken():
        raise ConnectionError("unreachable")

    monkeypatch.setattr(metrics, "outbox_figures", lambda now: broken())
    figures = scrape(client)
    assert figures[("chengxin_metrics_source_up", (("source", "outbox"),))] == 0
    assert not [name for name, _labels in figures if name == "chengxin_outbox_backlog"]
    assert figures[("chengxin_metrics_source_up", (("source", "sweep_lag_seconds"),))] == 1


def test_a_request_is_timed_under_its_view_name(client, with_token):
    key = ("django_http_requests_latency_seconds_by_view_method_count", (("method", "GET"), ("view", "healthz")))
    before = scrape(client).get(key, 0)
    client.get("/healthz")
    assert scrape(client)[key] == before + 1


@pytest.mark.django_db(transaction=True)
async def test_an_open_websocket_is_counted_until_it_closes():
    user = await database_sync_to_async(StaffFactory)()
    before = metrics.WEBSOCKETS._value.get()
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    connected, _code = await communicator.connect()
    assert connected
    assert metrics.WEBSOCKETS._value.get() == before + 1
    await communicator.disconnect()
    assert metrics.WEBSOCKETS._value.get() == before


# --- settings refused at start-up ------------------------------------------------------------------


def test_a_short_token_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="METRICS_TOKEN"):
        refuse_weak_metrics_access("short-token", [])


def test_an_unreadable_address_in_the_allowed_list_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="METRICS_ALLOWED_IPS"):
        refuse_weak_metrics_access("", ["10.0.0.0/24", "prometheus.internal"])


def test_a_long_token_and_addresses_or_networks_are_accepted():
    refuse_weak_metrics_access(TOKEN, ["10.0.0.5", "10.0.0.0/24", "::1"])
