"""A small, known half-year (2026-H2) taken through the services, for the figures and report tests.

Complaints (department czj unless said):
  C1 arrears, 1,000 yuan claimed: registered and answered on 6 July, 400 paid, a plan for 600,
     confirmed by the complainant: closed, satisfied, typical.
  C2 other breach: answered late on 10 August, the complainant objects: reopened, not satisfied.
  C3 procurement: rejected on 6 July (stays with the intake unit, yshj).
  C4 investment: received on 10 August, never registered: its registration is overdue (yshj).
  C5 government debt: answered on 6 July, no reply from the complainant: confirmed by default.
Repairs (department scjg), all submitted on 6 July:
  A1 approved on 10 July (4 working days), A2 approved on 17 July (9 working days),
  A3 not accepted on 7 July, A4 never accepted (its acceptance is overdue).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel
from cases.core.models import Department
from cases.core.roles import Role
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


def complaints_of_the_half_year(p, **c1_overrides) -> dict:
    with at(date(2026, 7, 6)):
        c1 = receive("C1", "arrears", amount_claimed="1000", **c1_overrides)
        _to_czj(p, c1, "arrears")
        complaints.answer(actor=p["worker"], complaint_id=c1.pk, finding="substantiated", text="已责令付款")
        complaints.confirm_amount(actor=p["worker"], complaint_id=c1.pk, amount="1000")
        complaints.record_payment(actor=p["worker"], complaint_id=c1.pk, amount="400", paid_on=date(2026, 7, 6),
                                  proof="凭证1")  # fmt: skip
        complaints.agree_plan(actor=p["worker"], complaint_id=c1.pk, instalments=[(date(2026, 8, 6), "600")])
        complaints.confirm(actor=p["firm"], complaint_id=c1.pk)
        complaints.flag_typical(actor=p["supervisor"], complaint_id=c1.pk)
        c2 = receive("C2", "other_breach")
        _to_czj(p, c2, "other_breach")
        c3 = receive("C3", "procurement")
        complaints.reject(actor=p["clerk"], complaint_id=c3.pk, reason="不属于受理范围")
        c5 = receive("C5", "government_debt")
        _to_czj(p, c5, "government_debt")
        complaints.answer(actor=p["worker"], complaint_id=c5.pk, finding="substantiated", text="已整改")
    with at(date(2026, 7, 14)):
        assert complaints.confirm_overdue_answers() == 1
    with at(date(2026, 8, 10)):
        complaints.answer(actor=p["worker"], complaint_id=c2.pk, finding="unsubstantiated", text="不属实")
        complaints.object_to_answer(actor=p["firm"], complaint_id=c2.pk, reason="仍未解决")
        c4 = receive("C4", "investment")
    return {"C1": c1, "C2": c2, "C3": c3, "C4": c4, "C5": c5}


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
