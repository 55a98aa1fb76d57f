"""The one path to the browsers: every live push goes through these functions."""

import asyncio
import os
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

PUSH_TIMEOUT_SECONDS = 5


def live_from_web() -> bool:
    """On the embedded default the in-memory channel layer lives in the web process only, so the
    web process's sockets pick up live notifications from the outbox themselves (consumers.py)."""
    return not settings.REDIS_URL


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def department_group(department_id: int) -> str:
    return f"department.{department_id}"


def board_group() -> str:
    """The supervisors' sockets: every change to the supervisor board (cases of all departments)."""
    return "board"


def user_control_group(user_id: int) -> str:
    """Every socket of one user, for control messages only (never a notification)."""
    return f"control.user.{user_id}"


def session_control_group(session_key: str) -> str:
    """The sockets opened with one session, for control messages only."""
    return f"control.session.{session_key}"


class _LayerLoop:
    """One event loop thread per process for pushes from synchronous code (services, tasks).

    `async_to_sync` would start a fresh loop for each push, and the Redis layer keeps its
    connection per loop, so every push would connect anew; on this loop the connection stays.
    Started lazily and again after a fork (Celery's prefork children).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None
        self._loop = None

    def run(self, coroutine):
        with self._lock:
            if self._pid != os.getpid():
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, name="channel-layer-push", daemon=True).start()
                self._pid = os.getpid()
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(PUSH_TIMEOUT_SECONDS)


_layer_loop = _LayerLoop()


def push(group: str, message: dict) -> None:
    """Send `message` to every socket in `group` (synchronous callers: services, tasks)."""
    _group_send(group, {"type": "notify", "message": message})


def close_session_sockets(session_key: str) -> None:
    """Close every socket opened with this session at once (the session has ended)."""
    _group_send(session_control_group(session_key), {"type": "session.close"})


def recheck_user_sockets(user_id: int) -> None:
    """Make every socket of this user check its session, account and roles again now."""
    _group_send(user_control_group(user_id), {"type": "session.check"})


def _group_send(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if settings.REDIS_URL:
        _layer_loop.run(layer.group_send(group, event))
    else:
        # The in-memory layer lives on the web process's own loop: async_to_sync goes back to it.
        async_to_sync(layer.group_send)(group, event)


def push_to_user(user_id: int, message: dict) -> None:
    push(user_group(user_id), message)


def push_to_department(department_id: int, message: dict) -> None:
    push(department_group(department_id), message)
