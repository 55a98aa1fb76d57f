"""A channel relays the complainant's word on the answer (回访): POST
/api/v1/complaints/<reference>/feedback/, signed like the intake."""

import json

import pytest

from cases.complaints import building as complaint_building
from cases.complaints import intake as complaint_intake
from cases.complaints.models import Channel
from cases.core.models import AuditEvent
from cases.core.roles import Role
from tests.channel_signing import signed_headers
from tests.factories import StaffFactory, answered_complaint, work_order_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel():
    return Channel.objects.create(code="12345", name="12345 热线", secret="s3cret")


@pytest.fixture
def people():
    return {
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "worker": StaffFactory(username="worker", department__code="czj"),
    }


def post(client, path: str, data, *, secret="s3cret", code="12345"):
    body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    headers = signed_headers("POST", path, body, secret=secret, code=code)
    return client.post(path, body, content_type="application/json", headers=headers)


def feedback(client, data, reference="12345-1", **signing):
    return post(client, f"/api/v1/complaints/{reference}/feedback/", data, **signing)


def opened(client, reference="12345-1"):
    assert post(client, "/api/v1/complaints/", work_order_data(reference, subject="other_breach")).status_code == 202
    complaint_building.open_all_waiting()
    return complaint_intake.WorkOrder.objects.get(reference=reference).complaint


@pytest.fixture
def answered(client, channel, people):
    return answered_complaint(opened(client), clerk=people["clerk"], worker=people["worker"], subject="other_breach")


def last_event(complaint, event_type):
    return AuditEvent.objects.for_subject(complaint.case).filter(event_type=event_type).latest("pk")


def test_a_satisfied_complainant_closes_the_loop(client, answered):
    response = feedback(client, {"satisfied": True})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    answered.refresh_from_db()
    assert answered.satisfied and not answered.confirmed_by_default
    payload = last_event(answered, "complaint.confirm").payload
    assert (payload["relayed_by"], payload["relayed_from"]) == ("12345", "127.0.0.1")


def test_a_dissatisfied_complainant_reopens_the_case(client, answered):
    response = feedback(client, {"satisfied": False, "reason": "整改未完成"})
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    event = last_event(answered, "complaint.reopen")
    assert (event.payload["reason"], event.payload["relayed_by"]) == ("整改未完成", "12345")


def test_dissatisfaction_needs_a_reason(client, answered):
    response = feedback(client, {"satisfied": False, "reason": "  "})
    assert response.status_code == 400 and response.json()["reason"] == ["请说明尚未解决的问题。"]
    answered.case.refresh_from_db()
    assert answered.case.state == "answered"


def test_a_body_that_is_not_json_is_refused(client, answered):
    response = feedback(client, b"satisfied=1")
    assert response.status_code == 400 and response.json()["details"] == {"body": ["not JSON"]}


def test_before_the_answer_it_is_refused(client, channel):
    opened(client)
    response = feedback(client, {"satisfied": True})
    assert response.status_code == 409
    assert response.json()["error"] == "illegal_transition"


def test_before_the_case_is_opened_it_is_refused(client, channel):
    assert post(client, "/api/v1/complaints/", work_order_data("12345-1")).status_code == 202
    response = feedback(client, {"satisfied": True})
    assert response.status_code == 409 and response.json()["message"] == "该投诉尚未答复。"


def test_another_channels_complaint_is_not_found(client, answered):
    Channel.objects.create(code="zqf", name="张企服", secret="other")
    response = feedback(client, {"satisfied": True}, code="zqf", secret="other")
    assert response.status_code == 404
    answered.case.refresh_from_db()
    assert answered.case.state == "answered"


def test_an_unsigned_call_is_refused(client, answered):
    response = client.post("/api/v1/complaints/12345-1/feedback/", {"satisfied": True}, content_type="application/json")
    assert response.status_code == 401
    answered.case.refresh_from_db()
    assert answered.case.state == "answered"


def test_the_audit_names_the_relaying_client_behind_the_proxy_not_a_forged_one(client, answered, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    path, body = "/api/v1/complaints/12345-1/feedback/", b'{"satisfied": true}'
    headers = {**signed_headers("POST", path, body), "X-Forwarded-For": "198.51.100.66, 203.0.113.7"}
    assert client.post(path, body, content_type="application/json", headers=headers,
                       REMOTE_ADDR="10.0.0.2").status_code == 200  # fmt: skip
    assert last_event(answered, "complaint.confirm").payload["relayed_from"] == "203.0.113.7"


# --- the channel relays a withdrawal (撤回) --------------------------------------------------------


def withdrawal(client, data, reference="12345-1", **signing):
    return post(client, f"/api/v1/complaints/{reference}/withdrawal/", data, **signing)


def test_a_channel_relays_the_complainants_withdrawal(client, answered):
    response = withdrawal(client, {"reason": "已与对方协商解决"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    event = last_event(answered, "complaint.withdraw")
    assert event.payload["relayed_by"] == "12345" and event.payload["reason"] == "已与对方协商解决"


def test_a_withdrawal_is_relayed_once(client, answered):
    assert withdrawal(client, {"reason": "撤回"}).status_code == 200
    assert withdrawal(client, {"reason": "撤回"}).status_code == 409


def test_a_withdrawal_needs_a_reason(client, answered):
    response = withdrawal(client, {"reason": ""})
    assert response.status_code == 400 and "reason" in response.json()
    answered.case.refresh_from_db()
    assert answered.case.state == "answered"


def test_another_channel_cannot_withdraw_a_complaint_it_did_not_send(client, answered):
    Channel.objects.create(code="zqf", name="张企服", secret="other")
    assert withdrawal(client, {"reason": "撤回"}, secret="other", code="zqf").status_code == 404
