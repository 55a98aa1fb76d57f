"""The viewflow processes follow each case step by step: the task open at each point is the one
docs/domain.md says comes next, and the trail of finished tasks is the story of the case."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from viewflow.workflow.status import PROCESS, STATUS

from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel
from cases.core import services
from cases.core.models import Department
from cases.core.roles import Role
from cases.repair import services as repair
from cases.repair.models import NationalSync
from tests.factories import ApplicantFactory, CaseFactory, StaffFactory, register_penalty, valid_uscc
from workflows import engine
from workflows.models import CaseProcess

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]


def pdf():
    return SimpleUploadedFile("proof.pdf", b"%PDF-1.7 test content", content_type="application/pdf")


def open_tasks(case) -> list[str]:
    return [task.flow_task.name for task in engine.active_tasks(case)]


def trail(case) -> list[str]:
    tasks = CaseProcess.objects.get(case=case).task_set.order_by("created", "pk")
    return [task.flow_task.name for task in tasks if task.flow_task_type in ("HUMAN", "FUNCTION")]


@pytest.fixture
def people(db):
    return {
        "entity": ApplicantFactory(username="entity", id_number=valid_uscc("91620702MA71ABCD0")),
        "worker": StaffFactory(username="worker"),
        "head": StaffFactory(username="head", role=Role.DEPARTMENT_HEAD),
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "supervisor": StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR),
        "czj_worker": StaffFactory(username="czj", department__code="czj"),
    }


@pytest.fixture
def application(people):
    record = register_penalty(people["worker"])
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        repair.add_material(actor=people["entity"], application_id=application.pk, code=code, upload=pdf())
    return application


def submit(people, application):
    repair.submit(actor=people["entity"], application_id=application.pk, obligations_fulfilled=True,
                  commitment_signed=True)  # fmt: skip


def test_a_draft_waits_on_its_applicant(people, application):
    [task] = engine.active_tasks(application.case)
    assert task.flow_task.name == "fill_in" and task.owner == people["entity"] and task.status == STATUS.ASSIGNED


def test_the_repair_process_follows_the_whole_story(people, application, django_capture_on_commit_callbacks):
    case = application.case
    submit(people, application)
    assert open_tasks(case) == ["acceptance"]
    repair.issue_incomplete_notice(actor=people["worker"], application_id=application.pk,
                                   missing=[{"code": "obligation_proof", "reason": "不清晰"}])  # fmt: skip
    assert open_tasks(case) == ["correction"]
    repair.add_material(actor=people["entity"], application_id=application.pk, code="obligation_proof", upload=pdf())
    repair.resubmit(actor=people["entity"], application_id=application.pk)
    assert open_tasks(case) == ["acceptance"]
    repair.accept(actor=people["worker"], application_id=application.pk)
    repair.start_review(actor=people["worker"], application_id=application.pk)
    [review] = engine.active_tasks(case)
    assert (review.flow_task.name, review.status, review.owner) == ("review", STATUS.STARTED, people["worker"])
    repair.propose_decision(actor=people["worker"], application_id=application.pk, approve=True, reason="")
    assert open_tasks(case) == ["approval"]
    with django_capture_on_commit_callbacks(execute=True):
        repair.approve_decision(actor=people["head"], application_id=application.pk)
    repair.push_sync(NationalSync.objects.get(action="repair").pk)
    process = CaseProcess.objects.get(case=case)
    assert process.status == PROCESS.DONE and open_tasks(case) == []
    assert trail(case) == ["fill_in", "acceptance", "correction", "acceptance", "review", "approval", "sync"]
    approval = process.task_set.get(flow_task=engine.FLOWS["repair"].approval)
    assert approval.owner == people["head"]


def test_a_refusal_ends_the_process(people, application):
    submit(people, application)
    repair.refuse(actor=people["worker"], application_id=application.pk, reason="不属于本部门")
    assert CaseProcess.objects.get(case=application.case).status == PROCESS.DONE
    assert trail(application.case) == ["fill_in", "acceptance"]


def test_withdrawing_cancels_the_open_task(people, application):
    submit(people, application)
    repair.withdraw(actor=people["entity"], application_id=application.pk)
    process = CaseProcess.objects.get(case=application.case)
    assert process.status == PROCESS.CANCELED
    assert process.task_set.get(flow_task=engine.FLOWS["repair"].acceptance).status == STATUS.CANCELED


def test_claiming_takes_the_department_task_and_releasing_gives_it_back(people, application):
    submit(people, application)
    services.claim_case(case_id=application.case_id, actor=people["worker"])
    [task] = engine.active_tasks(application.case)
    assert (task.status, task.owner) == (STATUS.ASSIGNED, people["worker"])
    services.release_case(case_id=application.case_id, actor=people["worker"])
    [task] = engine.active_tasks(application.case)
    assert (task.status, task.owner) == (STATUS.NEW, None)


@pytest.fixture
def complaint(people):
    channel = Channel.objects.create(code="12345", name="热线", secret="s")
    received, _created = complaint_intake.receive(channel=channel, data={
        "reference": "G-1", "complainant_name": "张经理", "enterprise_name": "示范公司",
        "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某局", "subject": "other_breach",
        "facts": "拖欠货款"})  # fmt: skip
    received.complainant = people["entity"]
    received.save()
    return received


def test_the_complaint_process_follows_misroute_extension_and_reopenings(people, complaint):
    case, pk = complaint.case, complaint.pk
    assert open_tasks(case) == ["registration"]
    complaints.register(actor=people["clerk"], complaint_id=pk, subject="arrears", respondent="区某局")
    assert open_tasks(case) == ["routing"]
    complaints.assign(actor=people["clerk"], complaint_id=pk, department_id=Department.objects.get(code="scjg").pk)
    assert open_tasks(case) == ["handling"]
    complaints.return_misrouted(actor=people["worker"], complaint_id=pk, reason="属财政局职责")
    assert open_tasks(case) == ["routing"]
    complaints.assign(actor=people["clerk"], complaint_id=pk, department_id=Department.objects.get(code="czj").pk)
    complaints.start_work(actor=people["czj_worker"], complaint_id=pk)
    complaints.request_extension(actor=people["czj_worker"], complaint_id=pk, working_days=5, reason="需审计")
    assert open_tasks(case) == ["extension_decision"]
    complaints.decide_extension(actor=people["supervisor"], complaint_id=pk, approve=True)
    assert open_tasks(case) == ["handling"]
    for _round in range(3):
        complaints.answer(actor=people["czj_worker"], complaint_id=pk, finding="unsubstantiated", text="合同未到期")
        [confirmation] = engine.active_tasks(case)
        assert (confirmation.flow_task.name, confirmation.owner) == ("confirmation", people["entity"])
        complaints.object_to_answer(actor=people["entity"], complaint_id=pk, reason="尚未收到款项")
    assert open_tasks(case) == ["review"]  # reopened beyond the policy's limit of two
    complaints.close_after_review(actor=people["supervisor"], complaint_id=pk, conclusion="已督促付款")
    assert CaseProcess.objects.get(case=case).status == PROCESS.DONE
    assert trail(case) == ["registration", "routing", "handling", "routing", "handling", "extension_decision",
                           "handling", "confirmation", "handling", "confirmation", "handling", "confirmation",
                           "review"]  # fmt: skip


def test_confirmation_by_default_finishes_the_process(people, complaint):
    pk = complaint.pk
    complaints.register(actor=people["clerk"], complaint_id=pk, subject="arrears", respondent="区某局")
    complaints.assign(actor=people["clerk"], complaint_id=pk, department_id=Department.objects.get(code="czj").pk)
    complaints.start_work(actor=people["czj_worker"], complaint_id=pk)
    complaints.answer(actor=people["czj_worker"], complaint_id=pk, finding="unsubstantiated", text="已付款")
    complaints.confirm(actor=None, complaint_id=pk, by_default=True)
    assert CaseProcess.objects.get(case=complaint.case).status == PROCESS.DONE


def test_a_substantiated_complaint_waits_on_rectification_then_verification_then_the_complainant(people, complaint):
    from cases.complaints import rectification

    pk, case = complaint.pk, complaint.case
    complaints.register(actor=people["clerk"], complaint_id=pk, subject="other_breach", respondent="区某局")
    complaints.assign(actor=people["clerk"], complaint_id=pk, department_id=Department.objects.get(code="czj").pk)
    complaints.start_work(actor=people["czj_worker"], complaint_id=pk)
    complaints.answer(actor=people["czj_worker"], complaint_id=pk, finding="substantiated", text="限期履约")
    assert open_tasks(case) == ["rectification"]
    rectification.report_rectified(actor=people["czj_worker"], complaint_id=pk, evidence="已履约，附验收单")
    assert open_tasks(case) == ["verification"]
    rectification.send_back(actor=people["clerk"], complaint_id=pk, reason="验收单未盖章")
    assert open_tasks(case) == ["rectification"]
    rectification.report_rectified(actor=people["czj_worker"], complaint_id=pk, evidence="盖章验收单")
    rectification.verify(actor=people["clerk"], complaint_id=pk)
    [confirmation] = engine.active_tasks(case)
    assert (confirmation.flow_task.name, confirmation.owner) == ("confirmation", people["entity"])
    complaints.confirm(actor=people["entity"], complaint_id=pk)
    assert CaseProcess.objects.get(case=case).status == PROCESS.DONE


def test_a_withdrawal_ends_the_process(people, complaint):
    pk = complaint.pk
    complaints.register(actor=people["clerk"], complaint_id=pk, subject="other_breach", respondent="区某局")
    complaints.withdraw(actor=people["entity"], complaint_id=pk, reason="已与对方协商解决")
    assert CaseProcess.objects.get(case=complaint.case).status == PROCESS.CANCELED


def test_a_case_without_a_process_gets_one_where_its_state_waits(people):
    case = CaseFactory(state="in_progress", department=people["czj_worker"].department)
    services.claim_case(case_id=case.pk, actor=people["czj_worker"])
    assert open_tasks(case) == ["handling"]
