"""The supervisor board's live messages reach supervisors' sockets, and a department's own."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from cases.core.roles import Role
from notifications import services
from notifications.consumers import NotificationConsumer
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(user):
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    connected, _code = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=2))["type"] == "hello"
    return communicator


async def test_a_change_reaches_supervisors_and_the_department_but_not_other_departments():
    supervisor, worker, outsider = await database_sync_to_async(
        lambda: (
            StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR),
            StaffFactory(username="worker"),
            StaffFactory(username="outsider", department__code="fgj"),
        )
    )()
    sockets = [await _connect(user) for user in (supervisor, worker, outsider)]
    await database_sync_to_async(services.board_changed)([worker.department_id])
    expected = {"type": "board", "departments": [worker.department_id]}
    assert await sockets[0].receive_json_from(timeout=1) == expected
    assert await sockets[1].receive_json_from(timeout=1) == expected
    assert await sockets[2].receive_nothing(timeout=0.3)
    for socket in sockets:
        await socket.disconnect()


async def test_only_supervisors_join_the_board_group():
    worker = await database_sync_to_async(StaffFactory)(username="worker")
    socket = await _connect(worker)
    await database_sync_to_async(services.board_changed)([])  # a change with no department
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()
