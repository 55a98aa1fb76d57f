"""The servers' door to the intake API answers as the documented view does, byte for byte."""

import json

import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import override_settings

from cases.complaints.models import Channel, WorkOrder
from config.asgi import application
from tests import channel_signing
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/complaints/"


@pytest.fixture
def channel():
    return Channel.objects.create(code="12345", name="12345 热线", secret="s3cret")


def body_of(reference="12345-1", **overrides) -> bytes:
    data = {"reference": reference, "complainant_name": "张经理", "enterprise_name": "示范公司",
            "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某街道办事处", "subject": "arrears",
            "facts": "工程款未付。", "amount_claimed": "50000.00", **overrides}  # fmt: skip
    return json.dumps(data, ensure_ascii=False).encode()


def signed_headers(body: bytes, secret="s3cret") -> dict:
    return channel_signing.signed_headers("POST", URL, body, secret=secret)


async def through_the_server(body: bytes, headers: dict, *, method="POST", path=URL, host="127.0.0.1"):
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "client": ("10.0.0.7", 50000), "server": ("127.0.0.1", 8000),
        "headers": [(b"host", host.encode()), (b"content-type", b"application/json"),
                    *[(k.lower().encode(), v.encode()) for k, v in headers.items()]],
    }  # fmt: skip
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
    start = await communicator.receive_output(timeout=10)
    content = await communicator.receive_output(timeout=10)
    return start["status"], content["body"]


def through_django(client, body: bytes, headers: dict):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    response = client.post(URL, body, content_type="application/json", **extra)
    return response.status_code, response.content


async def test_a_new_work_order_is_answered_as_the_view_answers(client, channel):
    status, content = await through_the_server(body_of("12345-a"), signed_headers(body_of("12345-a")))
    assert status == 202
    view_status, view_content = await _sync(through_django)(
        client, body_of("12345-b"), signed_headers(body_of("12345-b"))
    )
    assert (status, json.loads(content).keys()) == (view_status, json.loads(view_content).keys())
    assert json.loads(content)["status_url"] == "/api/v1/complaints/12345-a/"


async def test_the_same_work_order_again_is_one_order(channel):
    body = body_of()
    first, _ = await through_the_server(body, signed_headers(body))
    again, _ = await through_the_server(body, signed_headers(body))
    assert (first, again) == (202, 200)
    assert await _sync(WorkOrder.objects.count)() == 1


async def test_a_wrong_signature_is_refused_in_chinese(channel):
    body = body_of()
    status, content = await through_the_server(body, signed_headers(body, secret="guess"))
    assert status == 401 and json.loads(content)["message"] == "签名与请求内容不符。"


async def test_a_malformed_body_names_its_fields(channel):
    body = b'{"reference": "x"}'
    status, content = await through_the_server(body, signed_headers(body))
    assert status == 400 and {"complainant_name", "enterprise_uscc", "facts"} <= set(json.loads(content))


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
async def test_an_oversized_body_is_refused(channel):
    body = body_of(facts="很长" * 1000)
    status, content = await through_the_server(body, signed_headers(body))
    assert status == 400 and "body" in json.loads(content)["details"]
    assert not await _sync(WorkOrder.objects.exists)()


async def test_a_host_that_is_not_served_is_refused(channel):
    body = body_of()
    status, _ = await through_the_server(body, signed_headers(body), host="evil.example")
    assert status == 400


async def test_the_status_read_goes_on_to_django(channel):
    status, _ = await through_the_server(b"", {}, method="GET", path=f"{URL}12345-1/")
    assert status == 401


async def test_the_same_nonce_again_is_refused(channel):
    body = body_of()
    headers = signed_headers(body)
    assert (await through_the_server(body, headers))[0] == 202
    assert (await through_the_server(body, headers))[0] == 401


async def test_a_signature_for_another_path_is_refused(channel):
    body = body_of()
    headers = channel_signing.signed_headers("POST", f"{URL}12345-1/feedback/", body)
    assert (await through_the_server(body, headers))[0] == 401


@pytest.mark.parametrize(
    "change",
    [{"X-Timestamp": "9" * 400}, {"X-Signature": "\u00e9" * 64}, {"X-Nonce": "n" * 65}, {"X-Channel": "1\x002"}],
    ids=["huge timestamp", "non-ASCII signature", "over-long nonce", "NUL in the channel"],
)
async def test_malformed_headers_are_refused_not_a_server_error(channel, change):
    body = body_of()
    status, content = await through_the_server(body, {**signed_headers(body), **change})
    assert status == 401 and json.loads(content)["error"] == "unauthenticated"


async def test_a_deeply_nested_body_is_refused_not_a_server_error(channel):
    body = b'{"reference": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status, content = await through_the_server(body, signed_headers(body))
    assert status == 400 and json.loads(content)["details"]["body"] == ["JSON 嵌套层数过多。"]


def _sync(function):
    from asgiref.sync import sync_to_async

    return sync_to_async(function)


@override_settings(CHANNEL_CACHE_SECONDS=60)
def test_a_channel_switched_off_is_refused_at_once_though_channels_are_kept(client, channel):
    body = body_of("12345-1")
    assert through_django(client, body, signed_headers(body))[0] == 202
    channel.active = False
    channel.save()
    body = body_of("12345-2")
    assert through_django(client, body, signed_headers(body))[0] == 401
