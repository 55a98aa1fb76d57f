"""The intake POST's quick way (cases/api/intake_fast.py) on the real PostgreSQL and Redis: it keeps
new, correctly signed work orders as the full way does, and hands everything else to it."""

import asyncio
import json

import psycopg
import pytest
import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import override_settings

from cases.api import intake_fast
from cases.complaints import building as complaint_building
from cases.complaints.models import Channel, ComplaintEvidence, WorkOrder
from tests.cases.test_complaint_intake_evidence import sent_file
from tests.cases.test_intake_route import body_of, signed_headers, through_the_server

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    # Channels are kept by each process for a few seconds in production; the quick way takes
    # only channels this process keeps.
    pytest.mark.usefixtures("kept_channels"),
]


@pytest.fixture
def kept_channels():
    with override_settings(CHANNEL_CACHE_SECONDS=60):
        yield


@pytest.fixture(autouse=True)
async def quick_way_closed_after():
    await sync_to_async(cache.delete)(complaint_building.WORKER_SCHEDULED_KEY)
    yield
    await intake_fast.close()
    # The ORM calls of an async test run in a thread of their own, whose connection stays open.
    await sync_to_async(connections.close_all)()


@pytest.fixture
async def channel():
    channel = await Channel.objects.acreate(code="12345", name="12345 热线", secret="s3cret")
    # The first request from a channel this process does not keep goes the full way and keeps it.
    body = body_of("12345-first")
    assert await through_the_server(body, signed_headers(body)) is not None
    return channel


def scope_of(body: bytes, headers: dict, host="127.0.0.1") -> dict:
    return {
        "type": "http", "method": "POST", "path": "/api/v1/complaints/", "client": ("10.0.0.7", 50000),
        "headers": [(b"host", host.encode()), *[(k.lower().encode(), v.encode()) for k, v in headers.items()]],
    }  # fmt: skip


async def test_a_new_work_order_is_kept_the_quick_way(channel):
    body = body_of("12345-q")
    answered = await intake_fast.answer(scope_of(body, signed_headers(body)), body)
    assert answered is not None and answered[0] == 202
    answer = json.loads(answered[1])
    assert (answer["status"], answer["status_label"]) == ("queued", "已接收，正在生成工单。")
    assert answer["status_url"] == "/api/v1/complaints/12345-q/"
    order = await WorkOrder.objects.aget(reference="12345-q")
    assert order.channel_id == channel.pk and order.waiting


async def test_the_quick_way_keeps_what_the_full_way_keeps(channel):
    body = body_of("12345-q", amount_claimed="860000.50", complainant_phone="13912345678")
    await intake_fast.answer(scope_of(body, signed_headers(body)), body)
    with override_settings(INTAKE_QUICK_WAY=False):
        body = body_of("12345-f", amount_claimed="860000.50", complainant_phone="13912345678")
        status, _ = await through_the_server(body, signed_headers(body))
    assert status == 202
    quick, full = [await WorkOrder.objects.aget(reference=reference) for reference in ("12345-q", "12345-f")]
    assert {**quick.payload, "reference": "-"} == {**full.payload, "reference": "-"}
    assert (quick.failure, quick.complaint_id, full.failure, full.complaint_id) == ("", None, "", None)


async def test_its_answer_reads_as_the_full_ways(channel):
    body = body_of("12345-q")
    quick = json.loads((await intake_fast.answer(scope_of(body, signed_headers(body)), body))[1])
    with override_settings(INTAKE_QUICK_WAY=False):
        body = body_of("12345-f")
        full = json.loads((await through_the_server(body, signed_headers(body)))[1])
    moment = {"reference": "-", "status_url": "-", "received_at": "-"}
    assert {**quick, **moment} == {**full, **moment}
    assert quick["received_at"][:10] == full["received_at"][:10]


async def test_its_cases_are_opened_by_the_intake_worker(channel):
    body = body_of("12345-q")
    await intake_fast.answer(scope_of(body, signed_headers(body)), body)
    assert redis.Redis.from_url(settings.REDIS_URL).get(complaint_building.worker_flag_key()) == b"1"
    assert await sync_to_async(complaint_building.open_all_waiting)() == 2
    order = await WorkOrder.objects.select_related("complaint__case").aget(reference="12345-q")
    assert order.complaint.case.state == "received"


async def test_the_same_work_order_again_goes_the_full_way_and_is_one_order(channel):
    body = body_of("12345-q")
    assert (await intake_fast.answer(scope_of(body, signed_headers(body)), body))[0] == 202
    assert await intake_fast.answer(scope_of(body, signed_headers(body)), body) is None
    status, content = await through_the_server(body, signed_headers(body))
    assert status == 200 and json.loads(content)["status"] == "queued"
    assert await WorkOrder.objects.filter(reference="12345-q").acount() == 1


@pytest.mark.parametrize(
    "case",
    ["bad signature", "old timestamp", "unknown channel", "malformed body", "not JSON", "host not served"],
)
async def test_anything_but_a_good_new_order_goes_the_full_way(channel, case):
    body = body_of("12345-q")
    headers, host = signed_headers(body), "127.0.0.1"
    if case == "bad signature":
        headers = signed_headers(body, secret="guess")
    elif case == "old timestamp":
        headers["X-Timestamp"] = str(int(headers["X-Timestamp"]) - 3600)
    elif case == "unknown channel":
        headers["X-Channel"] = "nobody"
    elif case == "malformed body":
        body = b'{"reference": "x"}'
        headers = signed_headers(body)
    elif case == "not JSON":
        body = b"reference=x"
        headers = signed_headers(body)
    else:
        host = "evil.example"
    assert await intake_fast.answer(scope_of(body, headers, host=host), body) is None
    status, _ = await through_the_server(body, headers, host=host)
    assert status in (400, 401)
    assert not await WorkOrder.objects.filter(reference="12345-q").aexists()


async def test_a_nonce_spent_the_quick_way_is_refused_the_second_time(channel):
    body = body_of("12345-q")
    headers = signed_headers(body)
    assert (await intake_fast.answer(scope_of(body, headers), body))[0] == 202
    assert await intake_fast.answer(scope_of(body, headers), body) is None
    status, content = await through_the_server(body, headers)
    assert status == 401 and "X-Nonce" in json.loads(content)["message"]


async def test_a_nonce_spent_the_full_way_is_refused_the_quick_way(channel):
    body = body_of("12345-f")
    headers = signed_headers(body)
    with override_settings(INTAKE_QUICK_WAY=False):
        assert (await through_the_server(body, headers))[0] == 202
    body2 = body_of("12345-q")
    replayed = {**signed_headers(body2, secret="s3cret"), "X-Nonce": headers["X-Nonce"]}
    assert await intake_fast.answer(scope_of(body2, replayed), body2) is None  # (and its signature is wrong)
    assert await intake_fast.answer(scope_of(body, headers), body) is None
    assert (await through_the_server(body, headers))[0] == 401


@pytest.mark.parametrize("case", ["huge timestamp", "non-ASCII signature", "no nonce", "deeply nested"])
async def test_malformed_requests_go_the_full_way_and_are_refused_there(channel, case):
    body = body_of("12345-q")
    headers = signed_headers(body)
    if case == "huge timestamp":
        headers["X-Timestamp"] = "9" * 400
    elif case == "non-ASCII signature":
        headers["X-Signature"] = "\u00e9" * 64
    elif case == "no nonce":
        del headers["X-Nonce"]
    else:
        body = b'{"reference": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        headers = signed_headers(body)
    assert await intake_fast.answer(scope_of(body, headers), body) is None
    status, _ = await through_the_server(body, headers)
    assert status == (400 if case == "deeply nested" else 401)


async def test_a_database_error_on_the_quick_way_loses_nothing(channel, monkeypatch):
    async def broken(order):
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(intake_fast, "_insert", broken)
    body = body_of("12345-q")
    status, _ = await through_the_server(body, signed_headers(body))
    assert status == 202  # taken the full way
    assert await WorkOrder.objects.filter(reference="12345-q").aexists()


def test_the_quick_insert_writes_every_column_a_work_order_needs():
    """A field added to WorkOrder must be added to the quick way's INSERT (or have a default in
    the database): this lists what the INSERT leaves to the database."""
    written = {"channel", "reference", "payload", "received_at", "failure"}
    left = {field.name for field in WorkOrder._meta.concrete_fields} - written
    assert left == {"id", "complaint"}  # the serial key, and the case the worker opens later


async def test_the_server_takes_new_orders_the_quick_way(channel, monkeypatch):
    from cases.api import intake_route

    def full_way(scope, body):
        raise AssertionError("went the full way")

    monkeypatch.setattr(intake_route, "answer", full_way)
    body = body_of("12345-q")
    status, _ = await through_the_server(body, signed_headers(body))
    assert status == 202


async def test_the_same_order_posted_four_times_at_once_is_one_order(channel):
    body = body_of("12345-q")
    answers = await asyncio.gather(*[through_the_server(body, signed_headers(body)) for _ in range(4)])
    assert sorted(status for status, _ in answers) == [200, 200, 200, 202]
    assert {json.loads(content)["reference"] for _, content in answers} == {"12345-q"}
    assert await WorkOrder.objects.filter(reference="12345-q").acount() == 1


async def test_a_work_order_with_evidence_goes_the_full_way_and_keeps_its_files(channel):
    body = body_of("12345-e", evidence=[sent_file()])
    assert await intake_fast.answer(scope_of(body, signed_headers(body)), body) is None
    status, content = await through_the_server(body, signed_headers(body))
    assert status == 202 and json.loads(content)["number"]
    assert [item.original_name async for item in ComplaintEvidence.objects.all()] == ["contract.pdf"]
