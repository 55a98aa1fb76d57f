"""Feedback on complaints and objections (#17): each step says what it did with the case number,
and what the person said against the office (an objection's reasons, the complainant's reason for
not being satisfied) is shown where the department works: its queue rows, its task list, the case
pages."""

import json
import re
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.complaints import services as complaints
from cases.complaints.models import Channel, Complaint
from cases.core import policies
from cases.core.models import Department
from cases.core.roles import Role
from cases.records import services as record_services
from cases.repair import objections
from cases.repair import services as repair
from tests.factories import ApplicantFactory, StaffFactory, valid_uscc
from tests.feedback import step, told
from workflows import engine

pytestmark = pytest.mark.django_db

USCC = valid_uscc("91620702MA71ABCD0")
NOT_SATISFIED = "奖励资金至今未到账，答复与事实不符"
OBJECTION = "罚款金额应为 2000 元，决定书载明有误。"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 11, 16), tick=True):
        yield


@pytest.fixture
def world(db):
    Channel.objects.create(code="website", name="信用网站投诉专栏", secret="s")
    return {
        "firm": ApplicantFactory(username="firm", phone="13912345678", id_number=USCC),
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "worker": StaffFactory(username="worker", department__code="czj"),
    }


def filed(client, world) -> Complaint:
    client.force_login(world["firm"])
    client.post("/complaints/new/", {"token": "t-1", "respondent": "区某街道办事处", "subject": "policy_not_honoured",
                                     "facts": "奖励资金 20 万元未兑现",
                                     "contact_name": "王经理", "contact_phone": "13812345678"},
                follow=True)  # fmt: skip
    return Complaint.objects.get()


def in_progress(client, world) -> Complaint:
    complaint = filed(client, world)
    clerk, worker = world["clerk"], world["worker"]
    complaints.register(
        actor=clerk, complaint_id=complaint.pk, subject="policy_not_honoured", respondent="区某街道办事处"
    )
    complaints.assign(actor=clerk, complaint_id=complaint.pk, department_id=Department.objects.get(code="czj").pk)
    complaints.start_work(actor=worker, complaint_id=complaint.pk)
    return complaint


def answered(client, world) -> Complaint:
    complaint = in_progress(client, world)
    worker = world["worker"]
    complaints.answer(actor=worker, complaint_id=complaint.pk, finding="unsubstantiated", text="奖励已按规定拨付")
    return complaint


def test_each_complaint_step_says_what_it_did_with_the_number(client, world):
    complaint = filed(client, world)
    number, path = complaint.case.number, f"/complaints/{complaint.case.number}"
    response = step(client, world["clerk"], f"{path}/register/",
                    {"subject": "policy_not_honoured", "respondent": "区某街道办事处"})  # fmt: skip
    assert told(response) == [f"投诉 {number} 已登记，请接着交办至承办部门。"]
    response = step(client, world["clerk"], f"{path}/assign/", {"department": Department.objects.get(code="czj").pk})
    assert told(response) == [f"投诉 {number} 已交办至承办部门，已通知该部门。"]
    assert told(step(client, world["worker"], f"{path}/start/")) == [f"您已承办投诉 {number}。"]
    response = step(client, world["worker"], f"{path}/answer/", {"finding": "unsubstantiated", "text": "已拨付"})
    assert told(response) == [f"投诉 {number}：答复已送达投诉人，待投诉人确认。"]


def test_the_complainant_not_satisfied_is_told_and_the_department_reads_the_reason(client, world):
    complaint = answered(client, world)
    number = complaint.case.number
    response = step(client, world["firm"], f"/complaints/{number}/object/", {"reason": NOT_SATISFIED})
    assert told(response) == [f"投诉 {number}：您的不满意理由已记录，将重新办理。"]

    client.force_login(world["worker"])
    page = client.get(f"/complaints/{number}/").content.decode()
    assert "<dt>投诉人不满意的理由</dt>" in page and NOT_SATISFIED in page
    row = client.get("/complaints/").content.decode()
    assert f"投诉人不满意的理由：<span data-stored-text>{NOT_SATISFIED}" in row
    tasks = client.get("/tasks/").content.decode() + client.get("/tasks/", {"tab": "queue"}).content.decode()
    assert f"投诉人不满意的理由：<span data-stored-text>{NOT_SATISFIED}" in tasks


def test_a_complaint_never_reopened_shows_no_reason(client, world):
    complaint = answered(client, world)
    client.force_login(world["worker"])
    assert "投诉人不满意的理由" not in client.get(f"/complaints/{complaint.case.number}/").content.decode()
    assert "投诉人不满意的理由" not in client.get("/complaints/").content.decode()


# --- credit information objections ------------------------------------------------------------


@pytest.fixture
def record(world):
    return record_services.register_credit_record(
        actor=world["worker"],
        data={"party_kind": "enterprise", "party_name": "示范公司", "party_id_number": USCC, "record_type": "penalty",
              "decision_number": "甘市监罚〔2026〕12号", "decided_on": date(2026, 3, 2), "severity": "general",
              "summary": "未按规定公示年度报告，罚款 20000 元"},
    )  # fmt: skip


def evidence():
    return SimpleUploadedFile("proof.pdf", b"%PDF-1.7 test content", content_type="application/pdf")


def test_raising_and_checking_an_objection_say_what_was_done(client, world, record):
    response = step(client, world["firm"], f"/my/records/{record.pk}/objection/",
                    {"reasons": OBJECTION, "evidence": evidence()})  # fmt: skip
    objection = record.objections.get()
    number = objection.case.number
    days = policies.working_days("objection", "check_within")
    assert told(response) == [f"信用信息异议 {number} 已提出。部门将在 {days} 个工作日内完成核查。"]
    response = step(client, world["worker"], f"/objections/{number}/start/")
    assert told(response) == [f"已开始核查信用信息异议 {number}。"]


def test_the_department_reads_the_objection_reasons_in_its_queue(client, world, record):
    objections.raise_objection(actor=world["firm"], record_id=record.pk, reasons=OBJECTION, evidence=[evidence()])
    client.force_login(world["worker"])
    assert f"信用信息异议理由：<span data-stored-text>{OBJECTION}" in client.get("/objections/queue/").content.decode()


def test_the_case_page_shows_the_objection_reasons_to_staff(client, world, record):
    objection = objections.raise_objection(actor=world["firm"], record_id=record.pk, reasons=OBJECTION,
                                           evidence=[evidence()])  # fmt: skip
    client.force_login(world["worker"])
    page = client.get(f"/cases/{objection.case.number}/").content.decode()
    assert "<dt>信用信息异议理由</dt>" in page and OBJECTION in page


def test_claiming_a_task_names_the_task_and_its_case(client, world, record):
    application = repair.start_application(actor=world["firm"], record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        repair.add_material(actor=world["firm"], application_id=application.pk, code=code, upload=evidence())
    repair.submit(actor=world["firm"], application_id=application.pk, obligations_fulfilled=True,
                  commitment_signed=True)  # fmt: skip
    [task] = engine.active_tasks(application.case)
    response = step(client, world["worker"], f"/tasks/{task.pk}/claim/")
    assert told(response) == [f"任务“{task.flow_task.task_title}”已由您办理（案件 {application.case.number}）。"]


def test_a_refused_complaint_step_is_shown_on_the_complaint_page_with_what_was_typed(client, world):
    complaint = in_progress(client, world)
    complaints.request_return(actor=world["worker"], complaint_id=complaint.pk, reason="属住建局职责")
    client.force_login(world["clerk"])
    number = complaint.case.number
    response = client.post(f"/complaints/{number}/decide-return/", {"approve": "no", "note": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert f"<h1>{number} · " in page and "history.back()" not in page  # the complaint's page, not an error page
    assert '<div class="form-errors" role="alert"><p>此步骤未办理：</p><ul><li>请说明为何仍由该部门办理。</li>' in page
    assert '<script id="refused-step" type="application/json">{"action": "decide-return", "fields": ' in page
    assert '"approve": ["no"]' in page


def test_a_refused_objection_step_is_shown_on_the_objection_page_with_what_was_typed(client, world, record):
    objection = objections.raise_objection(actor=world["firm"], record_id=record.pk, reasons=OBJECTION,
                                           evidence=[evidence()])  # fmt: skip
    objections.start_check(actor=world["worker"], objection_id=objection.pk)
    client.force_login(world["worker"])
    number = objection.case.number
    unchanged = {"summary": record.summary, "decided_on": "2026-03-02", "reason": "金额核对后更正"}
    response = client.post(f"/objections/{number}/correct/", unchanged)
    page = response.content.decode()
    assert response.status_code == 400
    assert "history.back()" not in page and '<div class="form-errors" role="alert">' in page
    typed = re.search(r'<script id="refused-step" type="application/json">(.*?)</script>', page).group(1)
    assert json.loads(typed) == {"action": "correct", "fields": {name: [value] for name, value in unchanged.items()}}
