import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from notifications import realtime
from notifications.consumers import NotificationConsumer
from tests.factories import ApplicantFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(user):
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_anonymous_sockets_are_refused():
    _communicator, connected, code = await _connect(AnonymousUser())
    assert not connected
    assert code == 4401


async def test_a_user_receives_what_is_pushed_to_them():
    user = await database_sync_to_async(ApplicantFactory)()
    communicator, connected, _ = await _connect(user)
    assert connected
    await database_sync_to_async(realtime.push_to_user)(user.pk, {"title": "受理通知", "body": "已受理"})
    assert await communicator.receive_json_from(timeout=1) == {"title": "受理通知", "body": "已受理"}
    await communicator.disconnect()


async def test_another_users_push_does_not_arrive():
    user, other = await database_sync_to_async(lambda: (ApplicantFactory(), ApplicantFactory()))()
    communicator, _connected, _ = await _connect(user)
    await database_sync_to_async(realtime.push_to_user)(other.pk, {"title": "不是你的"})
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_department_pushes_reach_staff_of_that_department_only():
    inside, outside = await database_sync_to_async(lambda: (StaffFactory(), StaffFactory(department__code="fgj")))()
    in_socket, _c, _ = await _connect(inside)
    out_socket, _c, _ = await _connect(outside)
    await database_sync_to_async(realtime.push_to_department)(inside.department_id, {"title": "新案件"})
    assert (await in_socket.receive_json_from(timeout=1))["title"] == "新案件"
    assert await out_socket.receive_nothing(timeout=0.3)
    await in_socket.disconnect()
    await out_socket.disconnect()
