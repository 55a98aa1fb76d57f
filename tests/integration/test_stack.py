"""The production topology on loopback (deploy/stack/stack.py): HAProxy in front of two daphne
nodes, two Celery workers on the named queues, two beat candidates, a PostgreSQL primary with a
streaming replica, Redis. One stack for the module; each test breaks a part of it."""

import contextlib
import http.client
import json
import threading
import time
import uuid

import psycopg
import pytest
import redis
from websockets.sync.client import connect

from cases.complaints.intake import signed_headers
from deploy.stack.stack import ROOT, Stack
from tests.factories import valid_uscc

pytestmark = [pytest.mark.integration, pytest.mark.stack]

BASE_PORT = 8210
SECRET = "s3cret"
LEASE_SECONDS = 6
SETUP = f"""
from django.conf import settings
from django.test import Client
from cases.complaints.models import Channel
from cases.core.roles import Role
from tests.factories import StaffFactory
from tests.second_factor import force_login_verified
Channel.objects.create(code="12345", name="12345 热线", secret={SECRET!r})
client = Client()
force_login_verified(client, StaffFactory(username="clerk", role=Role.INTAKE_CLERK))
print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


@pytest.fixture(scope="module")
def stack():
    stack = Stack(BASE_PORT, ROOT / "var" / "stack-test", BEAT_LOCK_SECONDS=str(LEASE_SECONDS)).start()
    try:
        stack.clerk_session = stack.python(SETUP).strip().splitlines()[-1]
        yield stack
    finally:
        stack.stop()


def sql(stack: Stack, statement: str):
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        return conn.execute(statement).fetchone()[0]


def work_order(reference: str) -> bytes:
    return json.dumps({
        "reference": reference, "complainant_name": "张经理", "enterprise_name": "示范公司",
        "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某街道办事处", "subject": "arrears",
        "facts": "工程款至今未付。", "amount_claimed": "50000.00",
    }, ensure_ascii=False).encode()  # fmt: skip


def post(conn: http.client.HTTPConnection, reference: str) -> int:
    body = work_order(reference)
    headers = signed_headers(SECRET, code="12345", method="POST", path="/api/v1/complaints/", body=body)
    conn.request("POST", "/api/v1/complaints/", body, {"Content-Type": "application/json", **headers})
    response = conn.getresponse()
    response.read()
    return response.status


def post_many(base: str, references: list[str], threads: int, after_each=lambda done: None) -> dict[str, list[int]]:
    """Each work order POSTed over keep-alive connections, as a channel's system sends them: once,
    and again (signed anew, up to three times in all) when the node died with the request: the
    balancer answers 502 or closes the connection without an answer (0). The statuses of each."""
    host, port = base.removeprefix("http://").split(":")
    statuses, lock = {}, threading.Lock()

    def client(mine: list[str]):
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        for reference in mine:
            answers = []
            while not answers or (answers[-1] in (0, 502) and len(answers) < 3):
                if answers:
                    time.sleep(0.2)
                try:
                    answers.append(post(conn, reference))
                except (OSError, http.client.HTTPException):
                    answers.append(0)
                    conn = http.client.HTTPConnection(host, int(port), timeout=30)
            with lock:
                statuses[reference] = answers
                after_each(len(statuses))

    pool = [threading.Thread(target=client, args=(references[n::threads],)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return statuses


class Socket:
    """A browser's notification socket, straight to one web node (not through the balancer)."""

    def __init__(self, stack: Stack, node: str):
        base = stack.node_url(node).replace("http://", "ws://")
        self.opened = contextlib.ExitStack()
        self.ws = self.opened.enter_context(connect(f"{base}/ws/notifications/", origin=stack.node_url(node),
                          additional_headers={"Cookie": f"sessionid={stack.clerk_session}"}))  # fmt: skip
        assert json.loads(self.ws.recv(timeout=10))["type"] == "hello"
        self.ids: list[int] = []

    def notifications(self, count: int, timeout: float) -> list[int]:
        deadline = time.monotonic() + timeout
        while len(self.ids) < count and time.monotonic() < deadline:
            try:
                message = json.loads(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
            except TimeoutError:
                break
            if message.get("type") == "notification":
                self.ids.append(message["id"])
        return self.ids

    def close(self):
        self.opened.close()


def wait_until(check, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(interval)
    return value


def opened(stack: Stack, prefix: str) -> int:
    return sql(
        stack, f"SELECT count(*) FROM cases_workorder WHERE reference LIKE '{prefix}%' AND complaint_id IS NOT NULL"
    )


def test_a_socket_on_node_a_hears_of_a_case_a_request_to_node_b_opened(stack):
    socket = Socket(stack, "web-a")
    host, port = stack.node_url("web-b").removeprefix("http://").split(":")
    assert post(http.client.HTTPConnection(host, int(port), timeout=30), "12345-across") == 202
    assert len(socket.notifications(1, timeout=30)) == 1
    socket.close()
    assert opened(stack, "12345-across") == 1


def test_killing_a_web_node_mid_run_loses_no_request_and_no_notification(stack):
    socket = Socket(stack, "web-a")
    run = f"12345-kill-{uuid.uuid4().hex[:6]}"
    references = [f"{run}-{n}" for n in range(120)]
    killed = threading.Event()

    def kill_at_a_third(done: int):
        if done >= len(references) // 3 and not killed.is_set():
            killed.set()
            stack.kill("web-b")

    try:
        statuses = post_many(stack.url, references, threads=4, after_each=kill_at_a_third)
    finally:
        stack.restart("web-b")
    assert killed.is_set()
    # Every work order answered with a success in the end; only the requests the node died with
    # (at most one a client thread) needed sending again: the connections it refused from then on,
    # the balancer sent to the other node.
    assert {reference: answers for reference, answers in statuses.items() if answers[-1] not in (200, 202)} == {}
    assert sum(answers[0] in (0, 502) for answers in statuses.values()) <= 4
    assert wait_until(lambda: opened(stack, run) == len(references), timeout=90), opened(stack, run)
    assert len(set(socket.notifications(len(references), timeout=60))) == len(references)
    socket.close()


# Numbered after the cases the intake opened so far (TS2026000001 …).
OVERDUE = """
from tests.factories import CaseFactory
from tests.integration.overdue import overdue_deadlines
CaseFactory.reset_sequence(500000)
overdue_deadlines(3000)
"""


def test_killing_the_workers_mid_batch_loses_no_work_order_and_no_deadline(stack):
    run = f"12345-batch-{uuid.uuid4().hex[:6]}"
    references = [f"{run}-{n}" for n in range(600)]
    stack.pause("worker-front")  # the work orders gather, and the intake takes them in batches
    try:
        assert {answers[-1] for answers in post_many(stack.url, references, threads=4).values()} == {202}
    finally:
        stack.resume("worker-front")
    escalated = "SELECT count(*) FROM cases_auditevent WHERE event_type = 'deadline.escalated'"
    before = sql(stack, escalated)
    assert wait_until(lambda: 0 < opened(stack, run) < len(references), timeout=60, interval=0.02)
    stack.kill("worker-front")  # mid-batch of the intake
    stack.python(OVERDUE)
    stack.python("from cases.supervision.tasks import sweep_deadlines; sweep_deadlines.delay()")
    assert wait_until(lambda: sql(stack, escalated) > before, timeout=90, interval=0.02)
    stack.kill("worker-back")  # mid-sweep
    assert sql(stack, escalated) < before + 3000, "the sweep was over before the worker was killed"
    stack.restart("worker-front")
    stack.restart("worker-back")
    # beat's next minute runs the intake and the sweep again
    assert wait_until(lambda: opened(stack, run) == len(references), timeout=150), opened(stack, run)
    assert sql(stack, f"SELECT count(*) FROM cases_workorder WHERE reference LIKE '{run}%'") == len(references)
    assert sql(stack, "SELECT count(*) FROM cases_complaint") == sql(stack, "SELECT count(*) FROM cases_workorder")
    due = "SELECT count(*) FROM cases_deadline WHERE next_action_at IS NOT NULL AND next_action_at < now()"
    assert wait_until(lambda: sql(stack, due) == 0, timeout=150), sql(stack, due)
    assert sql(stack, escalated) == before + 3000


PROBE = """
from django_celery_beat.models import IntervalSchedule, PeriodicTask
every, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
PeriodicTask.objects.update_or_create(name="stack-probe", defaults=dict(
    task="cases.infra.tasks.clear_sessions", interval=every, queue="probe"))
"""


def probe_sends(stack: Stack, seconds: float) -> int:
    """How many times beat sent the once-a-second probe in `seconds` (to a queue no worker reads)."""
    client = redis.Redis.from_url(stack.redis.url)
    before = client.llen("probe")
    time.sleep(seconds)
    return client.llen("probe") - before


def test_two_beat_candidates_send_each_periodic_task_once_per_interval(stack):
    stack.python(PROBE)
    assert wait_until(lambda: probe_sends(stack, 1) > 0, timeout=30)
    assert 8 <= probe_sends(stack, 10) <= 11
    assert not [name for name in stack.dead() if name.startswith("beat")]


def test_the_standby_beat_takes_over_when_the_active_one_dies(stack):
    stack.python(PROBE)
    holder = redis.Redis.from_url(stack.redis.url).get("chengxin:beat:leader").decode()
    [active] = [name for name in ("beat-1", "beat-2") if holder.endswith(f":{stack.processes[name].pid}")]
    stack.kill(active)
    try:
        time.sleep(LEASE_SECONDS + 2)
        assert 8 <= probe_sends(stack, 10) <= 11
    finally:
        stack.restart(active)
