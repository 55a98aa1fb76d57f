import subprocess
import sys

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import DatabaseError, connection, transaction

from cases.core import events
from cases.core.models import AuditEvent, Policy
from notifications.consumers import NotificationConsumer
from tests.factories import ApplicantFactory
from tests.integration.conftest import ROOT, service_env
from workflows.tasks import fire_workflow_timers

pytestmark = pytest.mark.integration


@pytest.mark.django_db
def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"


@pytest.mark.django_db
def test_postgresql_refuses_a_raw_update_of_the_audit_trail(admin_user):
    event = events.policy_changed_event(policy=Policy.objects.first(), actor=admin_user, old_value=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_auditevent SET event_type = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).event_type == "policy.changed"


@pytest.mark.django_db
def test_postgresql_refuses_a_raw_delete_of_the_audit_trail(admin_user):
    events.policy_changed_event(policy=Policy.objects.first(), actor=admin_user, old_value=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_auditevent")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_healthz_reports_postgresql_and_redis(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["engine"] == "postgresql"
    assert body["checks"]["redis"] == {"ok": True, "configured": True}


def test_a_beat_task_runs_in_a_real_worker(celery_worker):
    result = fire_workflow_timers.apply_async(queue=celery_worker.queue)
    assert result.get(timeout=30) == 0


@pytest.mark.django_db(transaction=True)
async def test_a_push_from_another_process_reaches_the_socket_over_redis():
    user = await database_sync_to_async(ApplicantFactory)()
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    script = (
        "import django; django.setup(); from notifications import realtime; "
        f"realtime.push_to_user({user.pk}, {{'type': 'ping', 'title': '来自另一进程'}})"
    )
    completed = await database_sync_to_async(subprocess.run)(
        [sys.executable, "-c", script], cwd=ROOT, env=service_env(), capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    assert (await communicator.receive_json_from(timeout=5)) == {"type": "ping", "title": "来自另一进程"}
    await communicator.disconnect()
