"""The client's address behind proxies: read from the right of X-Forwarded-For, so a client
cannot name itself (a forged leftmost entry) and slip past the per-address limits."""

import json
import time

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings as django_settings
from django.test import RequestFactory
from django_ratelimit.core import get_usage

from cases.complaints.models import Channel
from cases.infra.client_address import client_ip
from config.asgi import application

FORGED = "198.51.100.66"
CLIENT = "203.0.113.7"
PROXY = "10.0.0.2"


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/track/", **extra)


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = 0, []
    assert client_ip(request_from(PROXY, f"{FORGED}, {CLIENT}")) == PROXY


def test_behind_one_proxy_the_entry_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(PROXY, CLIENT)) == CLIENT
    assert client_ip(request_from(PROXY, f"{FORGED}, {CLIENT}")) == CLIENT  # the forged entry is left of it
    assert client_ip(request_from(PROXY, f"{FORGED},{CLIENT}:51234")) == CLIENT


def test_behind_two_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from(PROXY, f"{FORGED}, {CLIENT}, 10.0.0.1")) == CLIENT
    assert client_ip(request_from(PROXY, CLIENT)) == CLIENT  # fewer entries: the leftmost there is


def test_trusted_proxy_addresses_are_skipped_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8::1"]
    assert client_ip(request_from(PROXY, f"{FORGED}, {CLIENT}, 10.0.0.1")) == CLIENT
    assert client_ip(request_from("2001:db8::1", f"{FORGED}, [2001:db8::7]:443")) == "2001:db8::7"
    # A peer that is not one of the proxies is the client, whatever it says it forwards.
    assert client_ip(request_from(CLIENT, FORGED)) == CLIENT


def test_a_header_that_is_not_an_address_counts_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(PROXY, "not-an-address")) == PROXY
    assert client_ip(request_from(PROXY, "")) == PROXY
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_ip(request_from(PROXY, f"{CLIENT}, <script>")) == PROXY


@pytest.mark.parametrize("group", ["tracking", "channel-signature-failures"])
def test_every_per_address_limit_counts_the_client_not_the_forged_name(settings, group):
    settings.TRUSTED_PROXY_COUNT = 1
    for forged in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        usage = get_usage(request_from(PROXY, f"{forged}, {CLIENT}"), group=group, key="ip", rate="10/m",
                          increment=True)  # fmt: skip
    assert usage["count"] == 3


@pytest.mark.django_db
def test_sign_in_failures_behind_a_proxy_count_the_client_not_the_forged_name(client, settings):
    """django-axes asks cases.infra.client_address for the address: a client that names itself anew in
    the leftmost X-Forwarded-For on each wrong password is still one address, and is paused."""
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [
        client.post("/accounts/login/", {"username": f"guess{n}", "password": "wrong"}, REMOTE_ADDR=PROXY,
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}, {CLIENT}").status_code
        for n in range(settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS)
    ]  # fmt: skip
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}
    other = client.post("/accounts/login/", {"username": "someone", "password": "wrong"}, REMOTE_ADDR=PROXY,
                        HTTP_X_FORWARDED_FOR="198.51.100.9")  # fmt: skip
    assert other.status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_through_the_server_a_forged_leftmost_address_does_not_escape_the_signature_throttle(settings):
    """The ASGI application as daphne runs it, behind one proxy that appends the client's address:
    a client changing the leftmost X-Forwarded-For on each try is still one address, refused (429)
    once its bad signatures reach the limit."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CHANNEL_SIGNATURE_FAILURE_LIMIT = 3
    await sync_to_async(Channel.objects.create)(code="12345", name="12345", secret="s3cret")
    statuses = []
    for attempt in range(django_settings.CHANNEL_SIGNATURE_FAILURE_LIMIT + 1):
        headers = {"x-channel": "12345", "x-timestamp": str(int(time.time())), "x-nonce": f"nonce-{attempt:012d}",
                   "x-signature": "0" * 64, "x-forwarded-for": f"192.0.2.{attempt + 1}, {CLIENT}"}  # fmt: skip
        statuses.append(await _post(b"{}", headers))
    assert statuses == [401, 401, 401, 429]
    # Another client behind the same proxy is not refused with it.
    headers = {**headers, "x-forwarded-for": "198.51.100.9"}
    assert await _post(b"{}", headers) == 401


async def _post(body: bytes, headers: dict) -> int:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/v1/complaints/", "raw_path": b"/api/v1/complaints/", "query_string": b"", "root_path": "",
        "client": (PROXY, 50000), "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                    *[(k.encode(), v.encode()) for k, v in headers.items()]],
    }  # fmt: skip
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
    start = await communicator.receive_output(timeout=10)
    content = await communicator.receive_output(timeout=10)
    json.loads(content["body"])
    return start["status"]


def test_a_mistyped_trusted_proxy_stops_the_start():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "TRUSTED_PROXIES": "10.0.0.300", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run([sys.executable, "-c", "import config.settings.test"], env=env, capture_output=True,
                            text=True, cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    assert result.returncode != 0 and "10.0.0.300" in result.stderr
