"""The supervisor board on a real streaming replica: read from the replica while it keeps up; a
paused replica falls behind and is skipped (the board reads the primary and shows the new case);
resumed, it catches up and is used again."""

import pytest
from django.core.cache import cache
from django.db import connections
from django.test.utils import CaptureQueriesContext

from cases.core.models import Case
from cases.infra import replica
from tests.factories import overdue_case
from tests.integration.private_services import wait_for
from tests.integration.streaming_replica import StreamingReplica, replication_allowed

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, databases=["default", "replica"])]

MAX_LAG = 1.0


@pytest.fixture
def standby(django_db_setup, django_db_blocker):
    """A streaming standby of the server holding this run's test database, as the `replica` alias."""
    db = connections["default"].settings_dict
    primary = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
    alias = connections["replica"].settings_dict
    saved = {key: alias[key] for key in ("HOST", "PORT", "NAME")}
    with replication_allowed(primary):
        server = StreamingReplica(primary)
        try:
            server.init().start()
            with django_db_blocker.unblock():
                connections["replica"].close()
            alias.update(HOST="127.0.0.1", PORT=str(server.port), NAME=db["NAME"])
            yield server
        finally:
            with django_db_blocker.unblock():
                connections["replica"].close()
            alias.update(saved)
            server.remove()


@pytest.fixture
def replica_reads(settings, standby):
    settings.REPLICA_READS = True
    settings.REPLICA_MAX_LAG_SECONDS = MAX_LAG
    replica._probe.reset()
    cache.clear()
    yield
    replica._probe.reset()


def on_replica(case: Case) -> bool:
    return Case.objects.using("replica").filter(pk=case.pk).exists()


def board(client) -> tuple[str, list[str]]:
    """The board's page, and the SQL about cases the replica answered for it."""
    replica._probe.reset()  # a fresh look at the lag, not the one kept for PROBE_SECONDS
    with CaptureQueriesContext(connections["replica"]) as captured:
        response = client.get("/supervision/")
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in captured.captured_queries if "cases_case" in q["sql"]]


def test_a_paused_replica_is_skipped_and_used_again_once_resumed(client, supervisor, standby, replica_reads):
    client.force_login(supervisor)
    first = overdue_case(title="拖欠货款")
    wait_for(lambda: on_replica(first), timeout=30, what="the first case on the replica")
    wait_for(lambda: replica.replica_lag() <= MAX_LAG, timeout=30, what="the replica caught up")

    page, replica_reads_of_cases = board(client)
    assert first.number in page
    assert replica_reads_of_cases

    standby.sql("SELECT pg_wal_replay_pause()")
    second = overdue_case(title="政策不兑现")
    wait_for(lambda: replica.replica_lag() > MAX_LAG, timeout=30, what="the paused replica falling behind")
    assert not on_replica(second)

    page, replica_reads_of_cases = board(client)
    assert first.number in page and second.number in page
    assert not replica_reads_of_cases
    assert replica.skipped["lagging"] >= 1

    standby.sql("SELECT pg_wal_replay_resume()")
    wait_for(lambda: on_replica(second), timeout=30, what="the second case on the resumed replica")
    wait_for(lambda: replica.replica_lag() <= MAX_LAG, timeout=30, what="the resumed replica caught up")

    page, replica_reads_of_cases = board(client)
    assert first.number in page and second.number in page
    assert replica_reads_of_cases


def test_an_idle_primary_leaves_a_caught_up_replica_in_use(client, supervisor, standby, replica_reads):
    """With nothing written for a while, the last replayed commit grows old: that is no lag."""
    case = overdue_case(title="拖欠货款")
    wait_for(lambda: on_replica(case), timeout=30, what="the case on the replica")
    wait_for(
        lambda: standby.sql("SELECT now() - pg_last_xact_replay_timestamp() > interval '2 seconds'")[0][0],
        timeout=60,  # any commit on the server (other databases too) makes it young again
        what="the last replayed commit older than the limit",
        interval=0.2,
    )
    assert replica.replica_lag() == 0
    client.force_login(supervisor)
    page, replica_reads_of_cases = board(client)
    assert case.number in page and replica_reads_of_cases


def test_a_stopped_replica_is_skipped(client, supervisor, standby, replica_reads):
    case = overdue_case(title="拖欠货款")
    standby.stop()
    client.force_login(supervisor)
    replica._probe.reset()
    before = replica.skipped["unavailable"]
    response = client.get("/supervision/")
    assert response.status_code == 200
    assert case.number in response.content.decode()
    assert replica.skipped["unavailable"] == before + 1
