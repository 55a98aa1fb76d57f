"""A small, known half-year (2026-H2) for the figures and report tests. The complaints are taken
through intake, registration, assignment and the answer by the services; how each one ended (its
rectification, closing, outcome and satisfaction) is written directly, as the closing services
would leave it, so that the figures are tested on the outcomes themselves.

Complaints (department czj unless said), received 6 July unless said:
  C1 arrears, 1,000 yuan claimed: answered substantiated on time, 400 paid, a plan for 600, the
     rectification reported and verified on 6 July, confirmed by the complainant: cured, typical.
  C2 other breach: answered late (unsubstantiated) on 10 August, the complainant not satisfied:
     reopened, answering again.
  C3 procurement: rejected on 6 July (stays with the intake unit, yshj).
  C4 investment: received on 10 August, never registered: its registration is overdue (yshj).
  C5 government debt: substantiated, rectified on 13 July, the complainant silent: deemed
     satisfied (cured).
  C6 other breach: unsubstantiated, a call-back on 8 July: satisfied.
  C7 government debt: substantiated, rectification period (to 27 July) missed, breach confirmed on
     5 August; the breach entry marked repaired on 15 August.
  C8 investment: withdrawn by the complainant on 8 July before any answer.
  C9 procurement: received 10 August, substantiated: in rectification (due 31 August).
  C10 other breach: unsubstantiated, one call-back not reached and one with no opinion (closed).
  C11 other breach: received 3 August, answered unsubstantiated at once; the complainant's
      confirmation window ran out on 10 August and the call-back is still to come: open, and
      only the complainant's own time is past due.
Repairs (department scjg), all submitted on 6 July:
  A1 approved on 10 July (4 working days), A2 approved on 17 July (9 working days),
  A3 not accepted on 7 July, A4 never accepted (its acceptance is overdue).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import CallBack, Channel, Complaint, EntryKind, IntegrityEntry, Outcome, RespondentBody
from cases.complaints.models import SatisfactionSource as Source
from cases.core import services as core_services
from cases.core.event_types import DeadlineStep
from cases.core.models import Case, Deadline, Department
from cases.core.roles import Role
from cases.core.states import ComplaintStatus
from cases.records import services as record_services
from cases.repair import services as repair
from tests.factories import ApplicantFactory, StaffFactory, valid_resident_id, valid_uscc

CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 8, 20, 10, 0, tzinfo=CST)
USCC = valid_uscc("91620702MA71ABCD0")
PERSON_ID = valid_resident_id("62070219850612001")


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=CST), tick=False)


def people() -> dict:
    return {
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "supervisor": StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR),
        "worker": StaffFactory(username="worker", department__code="czj"),
        "head": StaffFactory(username="head", department__code="czj", role=Role.DEPARTMENT_HEAD),
        "scjg_worker": StaffFactory(username="scjg-worker", department__code="scjg"),
        "scjg_head": StaffFactory(username="scjg-head", department__code="scjg", role=Role.DEPARTMENT_HEAD),
        "firm": ApplicantFactory(username="firm", id_number=USCC),
        "person": ApplicantFactory(username="person", entity_kind="person", entity_name="李明", id_number=PERSON_ID),
    }


def receive(reference: str, subject: str, **overrides):
    channel, _created = Channel.objects.get_or_create(code="website", defaults={"name": "信用网站", "secret": "s"})
    data = {"reference": reference, "complainant_name": "张三丰", "complainant_phone": "13812345678",
            "enterprise_name": "示范公司", "enterprise_uscc": USCC, "respondent": "区某局", "subject": subject,
            "facts": "拖欠货款", **overrides}  # fmt: skip
    complaint, _created = complaint_intake.receive(channel=channel, data=data)
    return complaint


def _to_czj(p, complaint, subject: str) -> None:
    complaints.register(actor=p["clerk"], complaint_id=complaint.pk, subject=subject, respondent=complaint.respondent)
    czj = Department.objects.get(code="czj").pk
    complaints.assign(actor=p["clerk"], complaint_id=complaint.pk, department_id=czj)
    complaints.start_work(actor=p["worker"], complaint_id=complaint.pk)


def _rectified(complaint) -> None:
    """The rectification reported now, before its deadline, and verified (as rectification.verify leaves it)."""
    now = timezone.now()
    Complaint.objects.filter(pk=complaint.pk).update(rectification_evidence="付款凭证", rectification_reported_at=now,
                                                     rectified_at=now)  # fmt: skip
    Deadline.objects.filter(case_id=complaint.case_id, step=DeadlineStep.COMPLAINT_RECTIFY,
                            closed_at__isnull=True).update(closed_at=now, next_action_at=None)  # fmt: skip
    Case.objects.filter(pk=complaint.case_id).update(state=ComplaintStatus.RECTIFIED)


def close_as(complaint, outcome: str, *, satisfied=None, source: str = "", state=ComplaintStatus.CLOSED) -> None:
    """How a complaint ended, as the closing services write it: its outcome and satisfaction, every
    open deadline closed now, the case closed."""
    now = timezone.now()
    Complaint.objects.filter(pk=complaint.pk).update(outcome=outcome, satisfied=satisfied, satisfaction_source=source,
                                                     confirmed_by_default=source == Source.DEEMED)  # fmt: skip
    Deadline.objects.filter(case_id=complaint.case_id, closed_at__isnull=True).update(closed_at=now,
                                                                                      next_action_at=None)  # fmt: skip
    Case.objects.filter(pk=complaint.case_id).update(state=state, closed_at=now, next_due_at=None, supervision_stage=0)


def _call_back(p, complaint, reached: bool, opinion: str = "") -> None:
    CallBack.objects.create(complaint=complaint, made_by=p["clerk"], reached=reached, opinion=opinion)


def _reopened(complaint) -> None:
    """Not satisfied with the answer: the department answers again (as services.reopen leaves it)."""
    Complaint.objects.filter(pk=complaint.pk).update(satisfied=False, reopen_count=1)
    Deadline.objects.filter(case_id=complaint.case_id, step=DeadlineStep.COMPLAINT_CONFIRM,
                            closed_at__isnull=True).update(closed_at=timezone.now())  # fmt: skip
    case = Case.objects.get(pk=complaint.case_id)
    case.state = ComplaintStatus.IN_PROGRESS
    case.save(update_fields=["state"])
    core_services.start_deadline(case=case, step=DeadlineStep.COMPLAINT_ANSWER, label="部门答复",
                                 policy_key="answer_within")  # fmt: skip


def _answered(p, reference: str, subject: str, finding: str, **overrides):
    complaint = receive(reference, subject, **overrides)
    _to_czj(p, complaint, subject)
    remedy = {"remedy": "perform"} if finding == "substantiated" else {}
    complaints.answer(actor=p["worker"], complaint_id=complaint.pk, finding=finding, text="答复意见", **remedy)
    return complaint


def complaints_of_the_half_year(p, **c1_overrides) -> dict:
    with at(date(2026, 7, 6)):
        c1 = receive("C1", "arrears", amount_claimed="1000", **c1_overrides)
        _to_czj(p, c1, "arrears")
        complaints.answer(actor=p["worker"], complaint_id=c1.pk, finding="substantiated", text="已责令付款")
        complaints.confirm_amount(actor=p["worker"], complaint_id=c1.pk, amount="1000")
        complaints.record_payment(actor=p["worker"], complaint_id=c1.pk, amount="400", paid_on=date(2026, 7, 6),
                                  proof="凭证1")  # fmt: skip
        complaints.agree_plan(actor=p["worker"], complaint_id=c1.pk, instalments=[(date(2026, 8, 6), "600")])
        _rectified(c1)
        close_as(c1, Outcome.CURED, satisfied=True, source=Source.COMPLAINANT)
        complaints.flag_typical(actor=p["supervisor"], complaint_id=c1.pk)
        c2 = receive("C2", "other_breach")
        _to_czj(p, c2, "other_breach")
        c3 = receive("C3", "procurement")
        complaints.reject(actor=p["clerk"], complaint_id=c3.pk, reason="不属于受理范围")
        c5 = _answered(p, "C5", "government_debt", "substantiated")
        c6 = _answered(p, "C6", "other_breach", "unsubstantiated")
        c7 = _answered(p, "C7", "government_debt", "substantiated")
        c8 = receive("C8", "investment")
        _to_czj(p, c8, "investment")
        c10 = _answered(p, "C10", "other_breach", "unsubstantiated")
    with at(date(2026, 7, 8)):
        _call_back(p, c6, True, CallBack.Opinion.SATISFIED)
        close_as(c6, Outcome.UNSUBSTANTIATED, satisfied=True, source=Source.CALLBACK)
        close_as(c8, Outcome.WITHDRAWN, state=ComplaintStatus.WITHDRAWN)
        _call_back(p, c10, False)
    with at(date(2026, 7, 9)):
        _call_back(p, c10, True, CallBack.Opinion.NO_OPINION)
        close_as(c10, Outcome.UNSUBSTANTIATED, satisfied=None, source=Source.CALLBACK)
    with at(date(2026, 7, 13)):
        _rectified(c5)
    with at(date(2026, 7, 21)):
        close_as(c5, Outcome.CURED, satisfied=True, source=Source.DEEMED)
    with at(date(2026, 8, 3)):
        c11 = _answered(p, "C11", "other_breach", "unsubstantiated")
    with at(date(2026, 8, 5)):
        close_as(c7, Outcome.BREACH)
        body, _created = RespondentBody.objects.get_or_create(name="区某局")
        IntegrityEntry.objects.create(body=body, complaint=c7, kind=EntryKind.BREACH, summary="逾期未整改")
        IntegrityEntry.objects.create(body=body, complaint=c1, kind=EntryKind.CURED, summary="已整改")
    with at(date(2026, 8, 10)):
        complaints.answer(actor=p["worker"], complaint_id=c2.pk, finding="unsubstantiated", text="不属实")
        _reopened(c2)
        c4 = receive("C4", "investment")
        c9 = _answered(p, "C9", "procurement", "substantiated")
    with at(date(2026, 8, 15)):
        IntegrityEntry.objects.filter(complaint=c7).update(repaired_at=timezone.now(), repair_note="已履约")
    return {"C1": c1, "C2": c2, "C3": c3, "C4": c4, "C5": c5, "C6": c6, "C7": c7, "C8": c8, "C9": c9, "C10": c10,
            "C11": c11}  # fmt: skip


def _application(p, number: str):
    data = {"party_kind": "person", "party_name": "李明", "party_id_number": PERSON_ID, "record_type": "penalty",
            "decision_number": number, "decided_on": date(2026, 3, 2), "severity": "general",
            "summary": "罚款"}  # fmt: skip
    record = record_services.register_credit_record(actor=p["scjg_worker"], data=data)
    application = repair.start_application(actor=p["person"], record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        upload = SimpleUploadedFile(f"{code}.pdf", b"%PDF-1.7 test", content_type="application/pdf")
        repair.add_material(actor=p["person"], application_id=application.pk, code=code, upload=upload)
    repair.submit(actor=p["person"], application_id=application.pk, obligations_fulfilled=True,
                  commitment_signed=True)  # fmt: skip
    return application


def _approve(p, application) -> None:
    repair.start_review(actor=p["scjg_worker"], application_id=application.pk)
    repair.propose_decision(actor=p["scjg_worker"], application_id=application.pk, approve=True, reason="")
    repair.approve_decision(actor=p["scjg_head"], application_id=application.pk)


def repairs_of_the_half_year(p) -> dict:
    with at(date(2026, 7, 6)):
        a1, a2, a3, a4 = (_application(p, f"甘市监罚〔2026〕{n}号") for n in (1, 2, 3, 4))
        repair.accept(actor=p["scjg_worker"], application_id=a1.pk)
        repair.accept(actor=p["scjg_worker"], application_id=a2.pk)
    with at(date(2026, 7, 7)):
        repair.refuse(actor=p["scjg_worker"], application_id=a3.pk, reason="材料不属实")
    with at(date(2026, 7, 10)):
        _approve(p, a1)
    with at(date(2026, 7, 17)):
        _approve(p, a2)
    return {"A1": a1, "A2": a2, "A3": a3, "A4": a4}
