"""Credit information objections (信用信息异议, cases/repair/objections.py): the entity objects to a
record, the record's department checks it within the policy's working days and corrects, confirms
or withdraws it; meanwhile the record is marked on every page that shows it."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from viewflow.fsm import TransitionNotAllowed

from cases.core import policies
from cases.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from cases.core.models import AuditEvent, Case, CreditRecord, Deadline, Notice, Policy
from cases.records import services as record_services
from cases.repair import objections
from cases.repair import services as repair
from cases.repair.models import ObjectionEvidence
from notifications.models import Notification
from tests.factories import ApplicantFactory, StaffFactory, repair_office, valid_uscc

pytestmark = pytest.mark.django_db

USCC = valid_uscc("91620702MA71ABCD0")
TODAY = date(2026, 11, 16)


def pdf(name="proof.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 test content", content_type="application/pdf")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def people(db):
    return repair_office(other_department=True)


@pytest.fixture
def record(people):
    return record_services.register_credit_record(
        actor=people["worker"],
        data={"party_kind": "enterprise", "party_name": "示范公司", "party_id_number": USCC, "record_type": "penalty",
              "decision_number": "甘市监罚〔2026〕12号", "decided_on": date(2026, 3, 2), "severity": "general",
              "summary": "未按规定公示年度报告，罚款 20000 元"},
    )  # fmt: skip


def raise_one(people, record, reasons="罚款金额应为 2000 元，决定书载明有误。", evidence=None):
    return objections.raise_objection(
        actor=people["entity"], record_id=record.pk, reasons=reasons, evidence=[pdf()] if evidence is None else evidence
    )


@pytest.fixture
def under_check(people, record):
    objection = raise_one(people, record)
    return objections.start_check(actor=people["worker"], objection_id=objection.pk)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fresh(record) -> CreditRecord:
    return CreditRecord.objects.get(pk=record.pk)


# --- raised -----------------------------------------------------------------------------------


def test_raising_opens_a_case_with_a_supervised_check_deadline_and_marks_the_record(people, record):
    objection = raise_one(people, record)
    case = objection.case
    assert case.kind == "objection" and case.number.startswith("YY2026") and case.state == "submitted"
    assert case.department_id == record.department_id
    deadline = Deadline.objects.get(case=case)
    assert (deadline.step, deadline.due_on, deadline.supervised) == ("objection.check", date(2026, 11, 23), True)
    assert case.next_due_at is not None  # on the board and in the queue by urgency
    assert fresh(record).under_objection and not fresh(record).display_paused
    assert ObjectionEvidence.objects.filter(objection=objection).count() == 1
    assert Notification.objects.filter(recipient=people["worker"], kind="objection.raised", case=case).exists()
    assert AuditEvent.objects.for_subject(case).filter(event_type="objection.raised").exists()


def test_the_policy_can_pause_display_while_the_objection_is_checked(people, record):
    Policy.objects.filter(case_type="objection", key="pauses_display").update(value=1)
    raise_one(people, record)
    assert fresh(record).display_paused


def test_the_entity_raises_an_objection_from_its_records_page(people, record):
    client = client_of(people["entity"])
    page = client.get(reverse("my-records")).content.decode()
    assert "提出信用信息异议" in page
    form = client.get(reverse("objection-new", args=[record.pk])).content.decode()
    assert "提出信用信息异议" in form and "未按规定公示年度报告" in form
    response = client.post(reverse("objection-new", args=[record.pk]), {"reasons": "金额有误", "evidence": [pdf()]})
    case = Case.objects.get(kind="objection")
    assert response.status_code == 302 and response.url == reverse("case-receipt", args=[case.number])
    page = client.get(reverse("objection", args=[case.number])).content.decode()
    assert "金额有误" in page and "proof.pdf" in page
    assert "信用信息异议处理中" in client.get(reverse("my-records")).content.decode()


def test_the_record_is_marked_under_objection_on_the_department_pages(people, record):
    raise_one(people, record)
    worker = client_of(people["worker"])
    assert "信用信息异议处理中" in worker.get(reverse("records")).content.decode()
    queue = worker.get(reverse("objection-queue")).content.decode()
    assert "甘市监罚〔2026〕12号" in queue
    assert reverse("objection-queue") in worker.get(reverse("home")).content.decode()


def test_the_department_reads_the_evidence(people, record):
    objection = raise_one(people, record)
    evidence = objection.evidence.get()
    response = client_of(people["worker"]).get(reverse("objection-evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert client_of(people["other_worker"]).get(reverse("objection-evidence", args=[evidence.pk])).status_code == 404


# --- the outcomes -----------------------------------------------------------------------------


def test_corrected_record_is_displayed_again_as_corrected(people, record):
    """The Done-when objection test: raised, checked, record corrected, display restored as corrected."""
    Policy.objects.filter(case_type="objection", key="pauses_display").update(value=1)
    objection = raise_one(people, record)
    assert fresh(record).display_paused  # paused meanwhile, by policy
    objections.start_check(actor=people["worker"], objection_id=objection.pk)
    changes = {"summary": "未按规定公示年度报告，罚款 2000 元", "decided_on": "2026-03-02"}
    objections.correct(actor=people["worker"], objection_id=objection.pk, reason="金额录入错误。", changes=changes)
    objection.case.refresh_from_db()
    assert objection.case.state == "corrected" and objection.case.closed_at is not None
    corrected = fresh(record)
    assert corrected.summary == "未按规定公示年度报告，罚款 2000 元"
    assert corrected.status == "published" and not corrected.under_objection and not corrected.display_paused
    objection.refresh_from_db()
    assert objection.corrections == {
        "summary": {"from": "未按规定公示年度报告，罚款 20000 元", "to": "未按规定公示年度报告，罚款 2000 元"}
    }
    assert Deadline.objects.get(case=objection.case).closed_at is not None
    notice = Notice.objects.get(case=objection.case)
    assert notice.kind == "objection_corrected" and notice.facts["corrections"] == objection.corrections
    told = Notification.objects.get(recipient=people["entity"], kind="objection.progress")
    assert told.case == objection.case  # the notification links to the objection's case
    event = AuditEvent.objects.for_subject(objection.case).get(event_type="objection.correct")
    assert event.payload["changed"] == ["summary"]
    page = client_of(people["entity"]).get(reverse("my-records")).content.decode()
    assert "罚款 2000 元" in page and "信用信息异议处理中" not in page


@pytest.mark.parametrize(
    "outcome",
    [
        lambda actor, pk: objections.correct(actor=actor, objection_id=pk, reason="录入错误",
                                             changes={"summary": "罚款 2000 元"}),
        lambda actor, pk: objections.confirm(actor=actor, objection_id=pk, reason="信息无误"),
        lambda actor, pk: objections.withdraw_record(actor=actor, objection_id=pk, reason="主体认定错误"),
    ],
    ids=["corrected", "confirmed", "withdrawn"],
)  # fmt: skip
def test_each_outcome_notice_renders_in_chinese(people, record, under_check, outcome):
    from cases.core import documents

    outcome(people["worker"], under_check.pk)
    notice = Notice.objects.get(case=under_check.case)
    assert "信异〔" in notice.number
    assert documents.pdf_of(notice).startswith(b"%PDF")


def test_confirmed_record_stays_as_it_was_with_the_reasons(people, record, under_check):
    objections.confirm(actor=people["worker"], objection_id=under_check.pk, reason="经核对，决定书载明金额无误。")
    under_check.case.refresh_from_db()
    assert under_check.case.state == "confirmed"
    kept = fresh(record)
    assert kept.summary == "未按规定公示年度报告，罚款 20000 元" and kept.status == "published"
    assert not kept.under_objection
    notice = Notice.objects.get(case=under_check.case)
    assert notice.kind == "objection_confirmed" and notice.facts["reason"] == "经核对，决定书载明金额无误。"
    told = Notification.objects.get(recipient=people["entity"], kind="objection.progress")
    assert told.body == "经核对，决定书载明金额无误。"


def test_withdrawn_record_is_no_longer_displayed(people, record, under_check):
    objections.withdraw_record(actor=people["worker"], objection_id=under_check.pk, reason="主体认定错误。")
    under_check.case.refresh_from_db()
    assert under_check.case.state == "withdrawn_record"
    withdrawn = fresh(record)
    assert withdrawn.status == "withdrawn" and not withdrawn.under_objection
    assert Notice.objects.get(case=under_check.case).kind == "objection_withdrawn"
    assert Notification.objects.filter(recipient=people["entity"], kind="objection.progress").exists()
    with pytest.raises(InvalidInput):
        repair.start_application(actor=people["entity"], record_id=record.pk)


def test_the_department_acts_through_the_pages(people, record):
    objection = raise_one(people, record)
    worker = client_of(people["worker"])
    number = objection.case.number
    assert worker.post(reverse("objection-act", args=[number, "start"])).status_code == 302
    assert "核查" in worker.get(reverse("objection", args=[number])).content.decode()
    response = worker.post(reverse("objection-act", args=[number, "confirm"]), {"reason": "信息无误"})
    assert response.status_code == 302
    objection.case.refresh_from_db()
    assert objection.case.state == "confirmed"
    entity_page = client_of(people["entity"]).get(reverse("objection", args=[number])).content.decode()
    assert "信息无误" in entity_page and "信用信息异议处理结果告知书" in entity_page


# --- refusals ---------------------------------------------------------------------------------


def test_someone_elses_record_is_not_found(people, record):
    stranger = ApplicantFactory(username="stranger")
    with pytest.raises(NotFound):
        objections.raise_objection(actor=stranger, record_id=record.pk, reasons="不是我的")
    assert client_of(stranger).get(reverse("objection-new", args=[record.pk])).status_code == 404


def test_a_second_open_objection_is_refused(people, record):
    raise_one(people, record)
    with pytest.raises(Conflict):
        raise_one(people, record)


def test_a_new_objection_may_follow_a_decided_one(people, record, under_check):
    objections.confirm(actor=people["worker"], objection_id=under_check.pk, reason="无误")
    assert raise_one(people, record).case.state == "submitted"


def test_after_raising_the_entity_reads_the_receipt_with_the_check_due_date(people, record):
    client = client_of(people["entity"])
    response = client.post(reverse("objection-new", args=[record.pk]), {"reasons": "金额有误"}, follow=True)
    case = Case.objects.get(kind="objection")
    check = case.deadlines.get(step="objection.check")
    page = response.content.decode()
    assert "信用信息异议申请回执" in page and "查询码" in page
    assert case.number in page and case.verification_code in page
    assert "核查" in page and f"{check.due_on:%Y-%m-%d}" in page
    assert f"{policies.working_days('objection', 'check_within')} 个工作日" in page  # the success message


def test_missing_reasons_are_refused_and_nothing_opened(people, record):
    with pytest.raises(InvalidInput) as exc:
        raise_one(people, record, reasons="   ")
    assert "reasons" in exc.value.details
    assert not fresh(record).under_objection
    response = client_of(people["entity"]).post(reverse("objection-new", args=[record.pk]), {"reasons": ""})
    assert response.status_code == 400


def test_an_oversized_upload_is_refused_and_nothing_stored(people, record, settings):
    settings.MAX_MATERIAL_BYTES = 10
    with pytest.raises(InvalidInput):
        raise_one(people, record, evidence=[pdf()])
    assert not ObjectionEvidence.objects.exists()
    assert not fresh(record).under_objection


def test_only_the_records_department_checks(people, record):
    objection = raise_one(people, record)
    with pytest.raises(NotPermitted):
        objections.start_check(actor=people["other_worker"], objection_id=objection.pk)
    with pytest.raises(NotPermitted):
        objections.start_check(actor=people["entity"], objection_id=objection.pk)


def test_another_caseworker_cannot_decide_a_claimed_check(people, record, under_check):
    colleague = StaffFactory(username="colleague")
    with pytest.raises(Conflict):
        objections.confirm(actor=colleague, objection_id=under_check.pk, reason="无误")


def test_an_outcome_before_the_check_started_is_illegal(people, record):
    objection = raise_one(people, record)
    with pytest.raises(TransitionNotAllowed):
        objections.confirm(actor=people["worker"], objection_id=objection.pk, reason="无误")


def test_a_decided_objection_cannot_be_decided_again(people, record, under_check):
    objections.confirm(actor=people["worker"], objection_id=under_check.pk, reason="无误")
    with pytest.raises(TransitionNotAllowed):
        objections.withdraw_record(actor=people["worker"], objection_id=under_check.pk, reason="撤销")
    with pytest.raises(TransitionNotAllowed):
        objections.start_check(actor=people["worker"], objection_id=under_check.pk)


def test_an_outcome_needs_its_reasons(people, record, under_check):
    with pytest.raises(InvalidInput):
        objections.confirm(actor=people["worker"], objection_id=under_check.pk, reason="")
    with pytest.raises(InvalidInput):
        objections.correct(actor=people["worker"], objection_id=under_check.pk, reason="", changes={"summary": "x"})


def test_a_correction_must_change_something_it_may_change(people, record, under_check):
    with pytest.raises(InvalidInput):
        objections.correct(actor=people["worker"], objection_id=under_check.pk, reason="核对",
                           changes={"summary": record.summary})  # fmt: skip
    with pytest.raises(InvalidInput):
        objections.correct(actor=people["worker"], objection_id=under_check.pk, reason="核对",
                           changes={"decision_number": "甘市监罚〔2026〕13号"})  # fmt: skip


def test_a_corrected_decision_date_cannot_fall_after_the_publication(people, record, under_check):
    with pytest.raises(InvalidInput) as exc:
        objections.correct(actor=people["worker"], objection_id=under_check.pk, reason="日期有误",
                           changes={"decided_on": "2026-03-05"})  # fmt: skip
    assert "decided_on" in exc.value.details
    objections.correct(actor=people["worker"], objection_id=under_check.pk, reason="日期有误",
                       changes={"decided_on": "2026-02-27"})  # fmt: skip
    assert fresh(record).decided_on == date(2026, 2, 27)


def test_no_repair_application_while_an_objection_is_open(people, record):
    raise_one(people, record)
    with pytest.raises(Conflict):
        repair.start_application(actor=people["entity"], record_id=record.pk)


def test_no_objection_while_a_repair_application_is_open(people, record):
    repair.start_application(actor=people["entity"], record_id=record.pk)
    with pytest.raises(Conflict):
        raise_one(people, record)


# --- supervised like any deadline -------------------------------------------------------------


def test_an_overdue_check_is_reminded_then_supervised_by_the_sweep(people, record):
    from cases.supervision import sweep
    from cases.supervision.models import SupervisionOrder

    objection = raise_one(people, record)  # due 2026-11-23 (5 working days)
    with time_machine.travel(date(2026, 11, 19), tick=False):
        sweep.sweep()
    assert Deadline.objects.get(case=objection.case).stage == 1  # reminded (催办)
    with time_machine.travel(date(2026, 11, 25), tick=False):
        sweep.sweep()
    order = SupervisionOrder.objects.get(case=objection.case)
    assert order.department_id == record.department_id
    assert Notification.objects.filter(kind="deadline.overdue", case=objection.case).exists()


def test_the_department_corrects_through_the_page_and_the_entity_sees_the_corrected_record(people, record):
    objection = raise_one(people, record)
    number = objection.case.number
    worker = client_of(people["worker"])
    worker.post(reverse("objection-act", args=[number, "start"]))
    form = worker.get(reverse("objection", args=[number])).content.decode()
    assert "更正信息" in form and "维持信息" in form and "撤销公示" in form
    response = worker.post(reverse("objection-act", args=[number, "correct"]), {
        "summary": "未按规定公示年度报告，罚款 2000 元", "decided_on": "2026-03-02", "reason": "录入错误"})  # fmt: skip
    assert response.status_code == 302
    page = client_of(people["entity"]).get(reverse("objection", args=[number])).content.decode()
    assert "已更正" in page and "罚款 2000 元" in page and "信用信息异议处理中" not in page


def test_a_step_sent_twice_shows_the_objection_again_with_why(people, record, under_check):
    worker = client_of(people["worker"])
    number = under_check.case.number
    worker.post(reverse("objection-act", args=[number, "confirm"]), {"reason": "记录无误"})
    response = worker.post(reverse("objection-act", args=[number, "confirm"]), {"reason": "再次确认"})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'role="alert"' in page and number in page and '"action": "confirm"' in page
    assert AuditEvent.objects.for_subject(under_check.case).filter(event_type="objection.confirm").count() == 1
