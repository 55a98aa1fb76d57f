"""A staff member's live socket, like their pages, waits for the second factor."""

import pytest
from channels.db import database_sync_to_async
from django_otp import DEVICE_ID_SESSION_KEY

from cases.accounts.second_factor import SecondFactorWebsocketMiddleware
from tests.factories import ApplicantFactory, StaffFactory
from tests.second_factor import enrolled_device

pytestmark = pytest.mark.django_db(transaction=True)


async def user_seen_by_the_consumer(user, session):
    seen = {}

    async def consumer(scope, receive, send):
        seen["user"] = scope["user"]

    await SecondFactorWebsocketMiddleware(consumer)({"type": "websocket", "user": user, "session": session}, None, None)
    return seen["user"]


async def test_a_staff_socket_without_the_second_factor_is_anonymous():
    worker = await database_sync_to_async(StaffFactory)()
    assert not (await user_seen_by_the_consumer(worker, {})).is_authenticated


async def test_a_verified_staff_socket_and_an_applicants_keep_their_user():
    worker = await database_sync_to_async(StaffFactory)()
    device = await database_sync_to_async(enrolled_device)(worker)
    seen = await user_seen_by_the_consumer(worker, {DEVICE_ID_SESSION_KEY: device.persistent_id})
    assert seen.pk == worker.pk
    applicant = await database_sync_to_async(ApplicantFactory)()
    assert (await user_seen_by_the_consumer(applicant, {})).pk == applicant.pk
