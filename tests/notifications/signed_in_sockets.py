"""Sockets opened as a browser opens them: through the session and auth middleware, with the
session cookie of a real sign-in."""

import time

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from notifications.consumers import SESSION_ENDED
from notifications.routing import websocket_urlpatterns

__all__ = ["SESSION_ENDED", "closed_code", "open_socket", "sign_in"]


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def open_socket(client: Client) -> WebsocketCommunicator:
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    communicator = WebsocketCommunicator(
        AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
        "/ws/notifications/",
        headers=[(b"cookie", cookie.encode())],
    )
    connected, _code = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    return communicator


async def closed_code(communicator: WebsocketCommunicator, timeout: float = 2) -> int:
    """The close code the server sent within `timeout` seconds; messages sent before it (a board
    change from a concurrent run on the same Redis) are passed over."""
    deadline = time.monotonic() + timeout
    while True:
        output = await communicator.receive_output(timeout=max(deadline - time.monotonic(), 0.01))
        if output["type"] == "websocket.close":
            return output.get("code")


sign_in = database_sync_to_async(signed_in_client)
