"""The audit trail cannot be altered through the admin, the API or any page: steps are only added."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cases.core.models import AuditEvent
from tests.factories import UserFactory
from tests.security.access_table import TABLE
from tests.security.conftest import ROLES

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {row["id"]: row for row in AuditEvent.objects.values()}


@pytest.fixture
def root(client, world):
    """The strongest account there is: a superuser, who passes every permission check."""
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def event(world):
    return AuditEvent.objects.for_subject(world.repair_case).first()


def test_the_admin_lists_and_shows_the_trail(root, event):
    assert root.get(reverse("admin:cases_auditevent_changelist")).status_code == 200
    assert root.get(reverse("admin:cases_auditevent_change", args=[event.pk])).status_code == 200


def test_the_admin_cannot_add_an_event(root):
    before = snapshot()
    assert root.get(reverse("admin:cases_auditevent_add")).status_code == 403
    assert root.post(reverse("admin:cases_auditevent_add"), {"event_type": "forged"}).status_code == 403
    assert snapshot() == before


def test_the_admin_cannot_change_an_event(root, event):
    before = snapshot()
    response = root.post(reverse("admin:cases_auditevent_change", args=[event.pk]),
                         {"event_type": "forged", "reference": "X", "payload": "{}"})  # fmt: skip
    assert response.status_code == 403
    assert snapshot() == before


def test_the_admin_cannot_delete_an_event(root, event):
    before = snapshot()
    assert root.get(reverse("admin:cases_auditevent_delete", args=[event.pk])).status_code == 403
    assert root.post(reverse("admin:cases_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert snapshot() == before


def test_the_admin_offers_no_bulk_delete_and_ignores_one_sent_anyway(root, event):
    before = snapshot()
    changelist = reverse("admin:cases_auditevent_changelist")
    assert "delete_selected" not in root.get(changelist).content.decode()
    root.post(changelist, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert snapshot() == before


def test_the_change_page_offers_no_save_button(root, event):
    page = root.get(reverse("admin:cases_auditevent_change", args=[event.pk])).content.decode()
    assert 'name="_save"' not in page and "deletelink" not in page


def test_no_api_operation_is_about_the_trail(client):
    schema = client.get("/api/schema/?format=json").json()
    assert not [path for path in schema["paths"] if "audit" in path.lower()]


def test_the_api_writes_only_through_the_known_operations(client):
    """A new writing operation must be looked at here: it may write only through a service."""
    schema = client.get("/api/schema/?format=json").json()
    writing = {(method.upper(), path) for path, operations in schema["paths"].items() for method in operations
               if method in ("post", "put", "patch", "delete")}  # fmt: skip
    assert writing == {
        ("POST", "/api/v1/records/"),
        ("POST", "/api/v1/complaints/"),
        ("POST", "/api/v1/complaints/{reference}/feedback/"),  # through complaint_services.confirm / object_to_answer
        ("POST", "/api/v1/complaints/{reference}/withdrawal/"),  # through complaint_services.withdraw
        ("POST", "/api/v1/repair-applications/"),  # through cases.repair.window.receive (the national window)
    }


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_api_path_takes_a_change_or_a_delete(client, world, method):
    client.force_login(world.users["sup"])
    schema = client.get("/api/schema/?format=json").json()
    before = snapshot()
    for path in schema["paths"]:
        url = path.replace("{reference}", "WEB-1")
        response = getattr(client, method)(url, data="{}", content_type="application/json")
        assert response.status_code in (401, 403, 405), (method, url, response.status_code)
    assert snapshot() == before


def test_no_page_changes_or_removes_a_step_on_record(world):
    """Every POST of the access table, by every role: the events that were there stay as they were."""
    before = snapshot()
    for row in (row for row in TABLE if row.method == "POST"):
        for role in ROLES:
            with transaction.atomic():
                if row.prepare:
                    getattr(world, row.prepare)()
                client = Client()
                if world.user(role) is not None:
                    client.force_login(world.user(role))
                row.send(client, world)
                after = snapshot()
                assert {pk: after.get(pk) for pk in before} == before, (row.url, role)
                transaction.set_rollback(True)
