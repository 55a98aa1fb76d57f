"""The servers' door to the intake API: POST /api/v1/complaints/ answered without Django's
request handler around it. Every other request (the status GET, the pages, websockets) goes on
to Django as before.

Why by hand: under an ASGI server Django runs each request's middleware in a new thread, with
several sync/async hops; on two cores that alone capped any view at about 300 requests/s, below
what a burst of work orders from the 12345 hotline needs (bench/intake.py). This route reads the
body, builds the HttpRequest the answer needs (headers, client address, host) and calls the very
function the DRF view calls (answer_work_order): signature, replay window, throttle, validation
and idempotency are the same code, and the body is rendered by the same DRF renderer. A new,
correctly signed work order takes a quicker way still, without leaving the event loop
(intake_fast).
"""

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from cases.api import intake_fast
from cases.api.complaints import answer_work_order
from cases.core.exceptions import InvalidInput
from cases.core.middleware import error_body

INTAKE_PATH = "/api/v1/complaints/"


class IntakeRoute:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != INTAKE_PATH:
            return await self.application(scope, receive, send)
        body = await _read_body(receive, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        quick = await intake_fast.answer(scope, body) if body is not None and intake_fast.enabled() else None
        status, content = quick or await sync_to_async(answer, thread_sensitive=False)(scope, body)
        await send({"type": "http.response.start", "status": status, "headers": _headers(content)})
        await send({"type": "http.response.body", "body": content})


async def _read_body(receive, limit: int) -> bytes | None:
    """The request body, or None once it grows past `limit` (what Django refuses as well)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        size += len(message.get("body", b""))
        if size > limit:
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _headers(content: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", (settings.SECURE_REFERRER_POLICY or "same-origin").encode()),
    ]


def _request(scope, body: bytes) -> HttpRequest:
    request = HttpRequest()
    request.method, request.path, request.path_info = "POST", INTAKE_PATH, INTAKE_PATH
    # REMOTE_ADDR is the TCP peer (a proxy, if any): the client's address is read from it and
    # X-Forwarded-For by cases.infra.client_address.client_ip, as for every other request.
    client = scope.get("client") or ("", 0)
    request.META = {"REMOTE_ADDR": client[0], "REQUEST_METHOD": "POST", "PATH_INFO": INTAKE_PATH,
                    "QUERY_STRING": scope.get("query_string", b"").decode("latin1"),
                    "SERVER_NAME": (scope.get("server") or ("", 0))[0]}  # fmt: skip
    for name, value in scope.get("headers", []):
        key = name.decode("latin1").upper().replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"
        request.META[key] = value.decode("latin1")
    request._body = body
    return request


def answer(scope, body: bytes | None) -> tuple[int, bytes]:
    """One intake request, start to finish, in a worker thread (as Django's handler would run it:
    the request signals open and close the database connection)."""
    signals.request_started.send(sender=IntakeRoute, scope=scope)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            status, data = _answer(scope, body)
            return status, JSONRenderer().render(data)
    finally:
        signals.request_finished.send(sender=IntakeRoute)


def _answer(scope, body: bytes | None) -> tuple[int, dict]:
    if body is None:
        return 400, error_body(InvalidInput(details={"body": ["The request body is too large."]}))
    request = _request(scope, body)
    try:
        request.get_host()
    except DisallowedHost:
        return 400, error_body(InvalidInput(details={"host": ["This host is not served here."]}))
    return answer_work_order(request)
