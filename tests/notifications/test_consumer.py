import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from notifications import realtime, services
from notifications.consumers import NotificationConsumer
from tests.factories import ApplicantFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_poll(settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 0.1


async def _connect(user):
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    hello = await communicator.receive_json_from(timeout=2) if connected else None
    return communicator, connected, code, hello


async def test_anonymous_sockets_are_refused():
    _communicator, connected, code, _hello = await _connect(AnonymousUser())
    assert not connected
    assert code == 4401


async def test_on_connect_the_client_gets_its_unread_count_and_latest_items():
    user = await database_sync_to_async(StaffFactory)()
    await database_sync_to_async(services.notify)([user], kind="deadline.reminder", title="催办一", body="…")
    await database_sync_to_async(services.notify)([user], kind="deadline.reminder", title="催办二", body="…")
    communicator, _c, _code, hello = await _connect(user)
    assert hello["type"] == "hello"
    assert hello["unread"] == 2
    assert [item["title"] for item in hello["latest"]] == ["催办二", "催办一"]
    await communicator.disconnect()


async def test_a_user_receives_what_is_pushed_to_them():
    user = await database_sync_to_async(ApplicantFactory)()
    communicator, _connected, _code, _hello = await _connect(user)
    await database_sync_to_async(realtime.push_to_user)(user.pk, {"type": "ping", "title": "受理通知"})
    assert await communicator.receive_json_from(timeout=1) == {"type": "ping", "title": "受理通知"}
    await communicator.disconnect()


async def test_the_same_notification_pushed_twice_arrives_once():
    user = await database_sync_to_async(ApplicantFactory)()
    communicator, _c, _code, _hello = await _connect(user)
    message = {"type": "notification", "id": 999999, "title": "重复"}
    await database_sync_to_async(realtime.push_to_user)(user.pk, message)
    await database_sync_to_async(realtime.push_to_user)(user.pk, message)
    assert (await communicator.receive_json_from(timeout=1))["id"] == 999999
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_another_users_push_does_not_arrive():
    user, other = await database_sync_to_async(lambda: (ApplicantFactory(), ApplicantFactory()))()
    communicator, _c, _code, _hello = await _connect(user)
    await database_sync_to_async(realtime.push_to_user)(other.pk, {"type": "ping", "title": "不是你的"})
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_department_pushes_reach_staff_of_that_department_only():
    inside, outside = await database_sync_to_async(lambda: (StaffFactory(), StaffFactory(department__code="fgj")))()
    in_socket, *_ = await _connect(inside)
    out_socket, *_ = await _connect(outside)
    await database_sync_to_async(realtime.push_to_department)(inside.department_id, {"type": "ping", "title": "新案件"})
    assert (await in_socket.receive_json_from(timeout=1))["title"] == "新案件"
    assert await out_socket.receive_nothing(timeout=0.3)
    await in_socket.disconnect()
    await out_socket.disconnect()


async def test_on_the_embedded_default_a_new_notification_reaches_the_open_socket():
    user, other = await database_sync_to_async(lambda: (StaffFactory(), StaffFactory()))()
    communicator, _c, _code, _hello = await _connect(user)
    await database_sync_to_async(services.notify)([user], kind="deadline.escalated", title="挂牌督办", body="…")
    await database_sync_to_async(services.notify)([other], kind="deadline.escalated", title="别人的", body="…")
    message = await communicator.receive_json_from(timeout=2)
    assert (message["type"], message["title"]) == ("notification", "挂牌督办")
    assert await communicator.receive_nothing(timeout=0.4)
    await communicator.disconnect()
