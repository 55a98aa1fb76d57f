"""An open socket ends with the sign-in it was opened with (in-memory channel layer)."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session

from cases.core.roles import Role
from notifications import realtime
from tests.factories import ApplicantFactory, StaffFactory
from tests.notifications.signed_in_sockets import SESSION_ENDED, closed_code, open_socket, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _slow_timer(settings):
    # Only the signals may close the sockets here, unless a test says otherwise.
    settings.SOCKET_SESSION_CHECK_SECONDS = 60


def _change(user, **fields):
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()


async def test_signing_out_closes_the_sessions_socket_at_once():
    user = await database_sync_to_async(ApplicantFactory)()
    browser = await sign_in(user)
    socket = await open_socket(browser)
    response = await database_sync_to_async(browser.post)("/accounts/logout/")
    assert response.status_code == 302
    assert await closed_code(socket) == SESSION_ENDED


async def test_the_session_is_gone_before_its_sockets_are_told_to_close(monkeypatch):
    # A page reloads when its socket closes: by then its session must no longer sign it in.
    from notifications import socket_sessions

    user = await database_sync_to_async(ApplicantFactory)()
    browser = await sign_in(user)
    socket = await open_socket(browser)
    still_there = []

    def close(session_key):
        still_there.append(Session.objects.filter(session_key=session_key).exists())
        realtime.close_session_sockets(session_key)

    monkeypatch.setattr(socket_sessions, "close_session_sockets", close)
    await database_sync_to_async(browser.post)("/accounts/logout/")
    assert await closed_code(socket) == SESSION_ENDED
    assert still_there == [False]


async def test_nothing_reaches_a_signed_out_socket():
    user = await database_sync_to_async(ApplicantFactory)()
    browser = await sign_in(user)
    socket = await open_socket(browser)
    await database_sync_to_async(browser.post)("/accounts/logout/")
    await closed_code(socket)
    await database_sync_to_async(realtime.push_to_user)(user.pk, {"type": "ping", "title": "张三 13800000000"})
    assert await socket.receive_nothing(timeout=0.3)


async def test_signing_out_one_session_leaves_the_users_other_session_open():
    user = await database_sync_to_async(ApplicantFactory)()
    office, phone = await sign_in(user), await sign_in(user)
    office_socket, phone_socket = await open_socket(office), await open_socket(phone)
    await database_sync_to_async(office.post)("/accounts/logout/")
    assert await closed_code(office_socket) == SESSION_ENDED
    assert await phone_socket.receive_nothing(timeout=0.3)
    await phone_socket.disconnect()


async def test_a_password_change_closes_every_socket_of_the_user():
    user = await database_sync_to_async(ApplicantFactory)()
    socket = await open_socket(await sign_in(user))

    def change_password():
        user.set_password("a-new-password-2026")
        user.save()

    await database_sync_to_async(change_password)()
    assert await closed_code(socket) == SESSION_ENDED


async def test_deactivation_closes_the_socket():
    user = await database_sync_to_async(StaffFactory)()
    socket = await open_socket(await sign_in(user))
    await database_sync_to_async(_change)(user, is_active=False)
    assert await closed_code(socket) == SESSION_ENDED


async def test_losing_the_supervisor_role_closes_the_socket():
    user = await database_sync_to_async(StaffFactory)(department__code="yshj", role=Role.SUPERVISOR)
    socket = await open_socket(await sign_in(user))
    await database_sync_to_async(lambda: user.groups.remove(Group.objects.get(name=Role.SUPERVISOR)))()
    assert await closed_code(socket) == SESSION_ENDED


async def test_a_role_losing_its_permission_closes_its_members_sockets():
    user = await database_sync_to_async(StaffFactory)(department__code="yshj", role=Role.SUPERVISOR)
    socket = await open_socket(await sign_in(user))
    await database_sync_to_async(lambda: Group.objects.get(name=Role.SUPERVISOR).permissions.clear())()
    assert await closed_code(socket) == SESSION_ENDED


async def test_leaving_the_department_closes_the_socket():
    user = await database_sync_to_async(StaffFactory)()
    socket = await open_socket(await sign_in(user))
    await database_sync_to_async(_change)(user, department=None)
    assert await closed_code(socket) == SESSION_ENDED


async def test_a_change_that_takes_nothing_away_leaves_the_socket_open():
    user = await database_sync_to_async(StaffFactory)()
    socket = await open_socket(await sign_in(user))
    await database_sync_to_async(_change)(user, full_name="王五")
    await database_sync_to_async(lambda: user.groups.add(Group.objects.get(name=Role.DEPARTMENT_HEAD)))()
    assert await socket.receive_nothing(timeout=0.3)
    await database_sync_to_async(realtime.push_to_user)(user.pk, {"type": "ping", "title": "还在"})
    assert (await socket.receive_json_from(timeout=1))["title"] == "还在"
    await socket.disconnect()


async def test_the_timer_closes_a_socket_whose_session_was_deleted(settings):
    settings.SOCKET_SESSION_CHECK_SECONDS = 0.1
    user = await database_sync_to_async(ApplicantFactory)()
    socket = await open_socket(await sign_in(user))
    # Deleted without a signal, as an expiry clean-up or an administrator would.
    await database_sync_to_async(lambda: Session.objects.all().delete())()
    assert await closed_code(socket, timeout=2) == SESSION_ENDED


async def test_the_timer_leaves_a_valid_session_open(settings):
    settings.SOCKET_SESSION_CHECK_SECONDS = 0.1
    user = await database_sync_to_async(ApplicantFactory)()
    socket = await open_socket(await sign_in(user))
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()
