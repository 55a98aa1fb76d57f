"""A 12345 work order from arrival to a closed loop, through HTTP, with the sweep and the callbacks."""

import json
import time
from datetime import date, datetime
from datetime import time as clock

import pytest
import time_machine
from django.utils import timezone

from cases.complaints import building as complaint_building
from cases.complaints.models import Channel, ChannelCallback
from cases.core.models import AuditEvent, Case, Department
from cases.core.roles import Role
from cases.supervision import sweep as supervision
from cases.supervision.models import SupervisionOrder
from tests.cases.test_channel_callbacks import ChannelSystem
from tests.channel_signing import signed_headers
from tests.factories import ApplicantFactory, StaffFactory, valid_uscc

pytestmark = pytest.mark.django_db

USCC = valid_uscc("91620702MA71ABCD0")


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, clock(hour)))


def post_order(client, secret="s3cret", timestamp=None):
    body = json.dumps({
        "reference": "12345-20251015-0007", "complainant_name": "张经理", "complainant_phone": "13912345678",
        "enterprise_name": "示范公司", "enterprise_uscc": USCC, "respondent": "区某街道办事处",
        "subject": "policy_not_honoured", "facts": "招商引资奖励 50 万元至今未兑现。",
    }, ensure_ascii=False).encode()  # fmt: skip
    headers = signed_headers("POST", "/api/v1/complaints/", body, secret=secret, timestamp=timestamp)
    response = client.post("/api/v1/complaints/", body, content_type="application/json", headers=headers)
    complaint_building.open_all_waiting()  # the intake worker's turn
    return response


@pytest.fixture
def system():
    server = ChannelSystem()
    yield server
    server.close()


@pytest.fixture
def world(db, system):
    Channel.objects.create(code="12345", name="12345 热线", secret="s3cret", callback_url=system.url)
    return {
        "firm": ApplicantFactory(username="firm", id_number=USCC),
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "supervisor": StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR),
        "wrong": StaffFactory(username="wrong", department__code="scjg"),
        "worker": StaffFactory(username="worker", department__code="swuj"),
        "head": StaffFactory(username="head", department__code="swuj", role=Role.DEPARTMENT_HEAD),
    }


def test_a_12345_work_order_to_a_closed_loop(client, world, system, django_capture_on_commit_callbacks):
    with time_machine.travel(at(date(2025, 10, 15), 9), tick=True):
        first = post_order(client)
        again = post_order(client)
    assert (first.status_code, again.status_code) == (202, 200)
    number = again.json()["number"]
    assert Case.objects.count() == 1

    def act(user, action, data=None):
        client.force_login(user)
        response = client.post(f"/complaints/{number}/{action}/", data or {})
        assert response.status_code == 302, (action, response.status_code)

    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(at(date(2025, 10, 15))):
            act(world["clerk"], "register", {"subject": "policy_not_honoured", "respondent": "区某街道办事处"})
            act(world["clerk"], "assign", {"department": Department.objects.get(code="scjg").pk})
            act(world["wrong"], "return", {"reason": "属商务局职责"})
            act(world["clerk"], "assign", {"department": Department.objects.get(code="swuj").pk})
            act(world["worker"], "start")

        # 15 working days from 15 Oct 2025: due 5 Nov; reminder 3 Nov, order 6 Nov, escalation 12 Nov.
        fired = {}
        for day in [date(2025, 10, 31), date(2025, 11, 3), date(2025, 11, 5), date(2025, 11, 6),
                    date(2025, 11, 11), date(2025, 11, 12), date(2025, 11, 13)]:  # fmt: skip
            report = supervision.sweep(now=at(day, 1))
            if report.total:
                fired[day] = dict(report.fired)
        assert fired == {
            date(2025, 11, 3): {"deadline.reminded": 1},
            date(2025, 11, 6): {"deadline.supervised": 1},
            date(2025, 11, 12): {"deadline.escalated": 1},
        }
        assert SupervisionOrder.objects.count() == 2

        with time_machine.travel(at(date(2025, 11, 13))):
            act(world["worker"], "answer", {"finding": "unsubstantiated", "text": "资金尚未下达，暂不具备兑现条件"})
            act(world["firm"], "object", {"reason": "未给出兑现时间表"})
            assert Case.objects.get().state == "in_progress"
            act(world["worker"], "answer", {"finding": "substantiated", "text": "12 月 20 日前兑现"})
            assert Case.objects.get().state == "rectifying"  # open until the default is cured
            act(world["worker"], "report-rectified", {"evidence": "补贴已拨付，附拨款凭证"})
            act(world["clerk"], "verify-rectification")
            act(world["firm"], "confirm")

    case = Case.objects.get()
    assert case.state == "closed"
    statuses = [json.loads(body)["status"] for _headers, body in system.received]
    assert statuses == ["registered", "assigned", "returned", "registered", "assigned", "in_progress", "answered",
                        "reopened", "in_progress", "rectifying", "rectification_reported", "rectified", "confirmed",
                        "closed"]  # fmt: skip
    assert not ChannelCallback.objects.filter(sent_at__isnull=True).exists()
    timeline = set(AuditEvent.objects.for_subject(case).values_list("event_type", flat=True))
    assert {"complaint.received", "complaint.return_misrouted", "deadline.reminded", "deadline.supervised",
            "deadline.escalated", "complaint.reopen", "complaint.confirm", "complaint.close",
            "complaint.integrity_recorded"} <= timeline  # fmt: skip


def test_refusals_at_the_api(client, world):
    assert client.post("/api/v1/complaints/", b"{}", content_type="application/json").status_code == 401
    assert post_order(client, timestamp=int(time.time()) - 600).status_code == 401
    assert post_order(client, secret="wrong-key").status_code == 401
    body = b'{"reference": "x"}'
    headers = signed_headers("POST", "/api/v1/complaints/", body)
    malformed = client.post("/api/v1/complaints/", body, content_type="application/json", headers=headers)
    assert malformed.status_code == 400
    assert {"complainant_name", "enterprise_uscc", "facts"} <= set(malformed.json())


def test_another_enterprise_cannot_see_the_complaint(client, world):
    post_order(client)
    number = Case.objects.get().number
    client.force_login(world["firm"])
    assert client.get(f"/complaints/{number}/").status_code == 200
    client.force_login(ApplicantFactory(username="other-firm"))
    assert client.get(f"/complaints/{number}/").status_code == 404
