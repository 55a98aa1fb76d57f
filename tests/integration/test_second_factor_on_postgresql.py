"""The second factor's verification locks the person's devices (SELECT … FOR UPDATE): on
PostgreSQL, outside a test's own transaction, as a request runs it."""

import pytest
from django.test import Client

from tests.factories import StaffFactory
from tests.second_factor import current_code, enrolled_device, force_login_password_only

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_code_and_a_recovery_code_verify_a_session_on_postgresql():
    worker = StaffFactory(username="worker")
    device = enrolled_device(worker)
    client = Client()
    force_login_password_only(client, worker)
    assert client.post("/accounts/two-factor/verify/", {"token": "not-a-code"}).status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wait a failure costs is not what this test is about
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post("/accounts/two-factor/verify/", {"token": current_code(device)})
    assert response.status_code == 302
    assert client.get("/repair/queue/").status_code == 200
