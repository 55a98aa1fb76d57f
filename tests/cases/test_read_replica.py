"""The heavy pages (supervisor board, figures, half-year reports) read from the read replica; every
write and every other page stays on the primary; a user who just wrote reads the primary; a replica
too far behind is skipped. Here the replica is the test database itself (a mirror)."""

import math

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.core.models import Case
from cases.core.roles import Role
from cases.infra import replica
from tests import factories
from tests.factories import StaffFactory
from tests.second_factor import force_login_verified

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def replica_on(settings, monkeypatch):
    settings.REPLICA_READS = True
    settings.REPLICA_MAX_LAG_SECONDS = 5
    lag = {"seconds": 0.0}
    monkeypatch.setattr(replica, "replica_lag", lambda: lag["seconds"])
    replica._probe.reset()
    cache.clear()
    yield lag
    replica._probe.reset()
    cache.clear()


@pytest.fixture
def overdue_case(caseworker):
    return factories.overdue_case(assignee=caseworker, title="拖欠货款")


class Reads:
    """The SQL each database received while the block ran."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections["replica"]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def _touching(captured, table) -> list[str]:
        return [q["sql"] for q in captured.captured_queries if table in q["sql"]]

    def on_replica(self, table="cases_case") -> list[str]:
        return self._touching(self.replica, table)

    def on_primary(self, table="cases_case") -> list[str]:
        return self._touching(self.primary, table)


def get(client, url, **params):
    with Reads() as reads:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, reads


def test_the_board_reads_its_cases_from_the_replica(client, supervisor, overdue_case):
    client.force_login(supervisor)
    response, reads = get(client, "/supervision/")
    assert overdue_case.number in response.content.decode()
    assert reads.on_replica() and not reads.on_primary()


def test_the_boards_live_refresh_after_a_push_reads_the_primary(client, supervisor, overdue_case):
    client.force_login(supervisor)
    response, reads = get(client, "/supervision/", fragment="1")
    assert overdue_case.number in response.content.decode()
    assert reads.on_primary() and not reads.on_replica()


def test_the_figures_read_from_the_replica(client, supervisor, overdue_case):
    client.force_login(supervisor)
    _response, reads = get(client, "/figures/", period="2025-H1")
    assert reads.on_replica() and not reads.on_primary()


def test_the_half_year_report_reads_from_the_replica_and_writes_its_audit_event_on_the_primary(
    client, supervisor, overdue_case
):
    client.force_login(supervisor)
    response, reads = get(client, "/figures/report.xlsx", period="2025-H1")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert reads.on_replica()
    assert reads.on_primary("INSERT INTO")
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in map(str, reads.on_replica("")))


def test_other_pages_read_from_the_primary(client, supervisor, overdue_case):
    client.force_login(supervisor)
    _response, reads = get(client, "/supervision/orders/")
    assert not reads.replica.captured_queries
    assert reads.on_primary("")


def test_nothing_reads_from_the_replica_when_it_is_off(client, settings, supervisor, overdue_case):
    settings.REPLICA_READS = False
    client.force_login(supervisor)
    response, reads = get(client, "/supervision/")
    assert overdue_case.number in response.content.decode()
    assert not reads.replica.captured_queries and reads.on_primary()


def test_an_order_sent_from_the_board_is_written_on_the_primary_and_then_read_there(client, supervisor, overdue_case):
    client.force_login(supervisor)
    with Reads() as reads:
        client.post(
            f"/supervision/cases/{overdue_case.pk}/order/",
            {"reason": "请尽快办理", "respond_within": "3", "action": "send"},
        )
    assert not reads.replica.captured_queries
    assert reads.on_primary("INSERT INTO")
    # Read-your-writes: the supervisor's next look at the board is on the primary.
    response, reads = get(client, "/supervision/")
    assert overdue_case.number in response.content.decode()
    assert reads.on_primary() and not reads.on_replica()


def test_another_user_still_reads_from_the_replica_after_someone_wrote(client, supervisor, overdue_case):
    client.force_login(supervisor)
    client.post(
        f"/supervision/cases/{overdue_case.pk}/order/",
        {"reason": "请尽快办理", "respond_within": "3", "action": "send"},
    )
    other = StaffFactory(username="second-supervisor", department=supervisor.department, role=Role.SUPERVISOR)
    client.force_login(other)
    _response, reads = get(client, "/supervision/")
    assert reads.on_replica()


def test_the_pin_to_the_primary_ends_once_the_replica_has_surely_caught_up(
    client, supervisor, overdue_case, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(supervisor)
    client.post(
        f"/supervision/cases/{overdue_case.pk}/order/",
        {"reason": "请尽快办理", "respond_within": "3", "action": "send"},
    )
    time_machine.shift(5)
    assert get(client, "/supervision/")[1].on_primary()
    time_machine.shift(2)  # REPLICA_MAX_LAG_SECONDS + PROBE_SECONDS after the write
    replica._probe.reset()
    assert get(client, "/supervision/")[1].on_replica()


def test_a_replica_too_far_behind_is_skipped(client, supervisor, overdue_case, replica_on):
    replica_on["seconds"] = 6.0
    client.force_login(supervisor)
    response, reads = get(client, "/supervision/")
    assert overdue_case.number in response.content.decode()
    assert reads.on_primary() and not reads.on_replica()
    assert replica.skipped["lagging"] >= 1


def test_a_replica_that_does_not_answer_is_skipped(client, supervisor, overdue_case, replica_on):
    replica_on["seconds"] = math.inf
    client.force_login(supervisor)
    _response, reads = get(client, "/supervision/")
    assert reads.on_primary() and not reads.on_replica()
    assert replica.skipped["unavailable"] >= 1


def test_the_replica_is_used_again_once_it_has_caught_up(client, supervisor, overdue_case, replica_on):
    client.force_login(supervisor)
    replica_on["seconds"] = 30.0
    assert get(client, "/supervision/")[1].on_primary()
    replica_on["seconds"] = 0.5
    replica._probe.reset()  # the probe's answer is kept for PROBE_SECONDS
    assert get(client, "/supervision/")[1].on_replica()


def test_the_lag_is_asked_at_most_once_a_probe_period(client, supervisor, monkeypatch):
    asked = []
    monkeypatch.setattr(replica, "replica_lag", lambda: asked.append(1) or 0.0)
    client.force_login(supervisor)
    get(client, "/supervision/")
    get(client, "/supervision/")
    assert len(asked) == 1


def test_reads_inside_a_transaction_on_the_primary_stay_there(supervisor, overdue_case):
    with replica.replica_scope(supervisor):
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert Case.objects.filter(pk=overdue_case.pk).exists()
        assert on_replica.captured_queries
        with CaptureQueriesContext(connections["replica"]) as on_replica, transaction.atomic():
            assert Case.objects.filter(pk=overdue_case.pk).exists()
        assert not on_replica.captured_queries


def test_writes_in_a_replica_scope_go_to_the_primary(supervisor, overdue_case):
    with replica.replica_scope(supervisor), CaptureQueriesContext(connections["replica"]) as on_replica:
        Case.objects.filter(pk=overdue_case.pk).update(title="改过的标题")
        loaded = Case.objects.get(pk=overdue_case.pk)
        loaded.title = "再改一次"
        loaded.save()
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in on_replica.captured_queries)
    assert Case.objects.using("default").get(pk=overdue_case.pk).title == "再改一次"


async def test_the_board_reads_from_the_replica_under_asgi(async_client, supervisor, overdue_case, monkeypatch):
    """Django runs the sync view in a worker thread there: the scope must reach it."""
    routed = []
    db_for_read = replica.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        alias = db_for_read(self, model, **hints)
        routed.append((model, alias))
        return alias

    monkeypatch.setattr(replica.ReplicaRouter, "db_for_read", spy)
    await sync_to_async(force_login_verified)(async_client, supervisor)
    response = await async_client.get("/supervision/")
    assert response.status_code == 200
    assert overdue_case.number in response.content.decode()
    assert {alias for model, alias in routed if model is Case} == {"replica"}
