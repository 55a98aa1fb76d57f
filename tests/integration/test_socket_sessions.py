"""Open sockets end with their sign-in over the real Redis pub/sub layer, when the sign-out or the
account change happens in another process."""

import subprocess
import sys
import textwrap

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import Group

from cases.core.roles import Role
from tests.factories import ApplicantFactory, StaffFactory
from tests.integration.conftest import ROOT, service_env
from tests.notifications.signed_in_sockets import SESSION_ENDED, closed_code, open_socket, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _slow_timer(settings):
    settings.SOCKET_SESSION_CHECK_SECONDS = 60


def _in_another_process(code: str) -> None:
    """Run `code` in a fresh Django process on this run's database and Redis."""
    script = "import django\ndjango.setup()\n" + textwrap.dedent(code)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=service_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def _sign_out_elsewhere(session_key: str) -> None:
    _in_another_process(
        f"""
        from django.conf import settings
        from django.test import Client
        client = Client(HTTP_HOST="localhost")
        client.cookies[settings.SESSION_COOKIE_NAME] = {session_key!r}
        assert client.post("/accounts/logout/").status_code == 302
        """
    )


def test_the_project_uses_the_redis_pub_sub_layer():
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"


async def test_sign_out_in_another_process_closes_the_socket_within_two_seconds():
    user = await database_sync_to_async(ApplicantFactory)()
    browser = await sign_in(user)
    socket = await open_socket(browser)
    await database_sync_to_async(_sign_out_elsewhere)(browser.cookies[settings.SESSION_COOKIE_NAME].value)
    assert await closed_code(socket, timeout=2) == SESSION_ENDED


async def test_a_password_change_in_another_process_closes_the_socket():
    user = await database_sync_to_async(ApplicantFactory)()
    socket = await open_socket(await sign_in(user))
    await database_sync_to_async(_in_another_process)(
        f"""
        from django.contrib.auth import get_user_model
        user = get_user_model().objects.get(pk={user.pk})
        user.set_password("a-new-password-2026")
        user.save()
        """
    )
    assert await closed_code(socket, timeout=2) == SESSION_ENDED


async def test_deactivation_in_another_process_closes_the_socket():
    user = await database_sync_to_async(StaffFactory)()
    socket = await open_socket(await sign_in(user))
    await database_sync_to_async(_in_another_process)(
        f"""
        from django.contrib.auth import get_user_model
        user = get_user_model().objects.get(pk={user.pk})
        user.is_active = False
        user.save()
        """
    )
    assert await closed_code(socket, timeout=2) == SESSION_ENDED


async def test_losing_the_supervisor_role_in_another_process_closes_the_socket():
    user = await database_sync_to_async(StaffFactory)(department__code="yshj", role=Role.SUPERVISOR)
    socket = await open_socket(await sign_in(user))
    await database_sync_to_async(_in_another_process)(
        f"""
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        get_user_model().objects.get(pk={user.pk}).groups.remove(Group.objects.get(name={str(Role.SUPERVISOR)!r}))
        """
    )
    assert await closed_code(socket, timeout=2) == SESSION_ENDED


async def test_a_change_in_this_process_reaches_the_socket_over_redis_too():
    user = await database_sync_to_async(StaffFactory)(department__code="yshj", role=Role.SUPERVISOR)
    socket = await open_socket(await sign_in(user))
    await database_sync_to_async(lambda: user.groups.remove(Group.objects.get(name=Role.SUPERVISOR)))()
    assert await closed_code(socket, timeout=2) == SESSION_ENDED
