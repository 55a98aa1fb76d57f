"""The complaint loop's later paths through the pages: rectification (整改), its verification and the
breach (确认违约失信), the return (退单), the withdrawal (撤回), call-backs (回访) and the integrity
record. Each role sees its own forms in its state; each action says what it did; a refusal reads as
a clear error."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.complaints import callbacks, rectification
from cases.complaints import services as complaints
from cases.complaints.models import Complaint, EntryKind, IntegrityEntry
from cases.core.event_types import DeadlineStep
from cases.core.models import Case, Department
from cases.core.roles import Role
from tests.factories import ApplicantFactory, StaffFactory, valid_uscc, website_filing
from workflows import engine
from workflows.models import CaseProcess

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    supervisor = StaffFactory(username="boss", department__code="yshj", role=Role.SUPERVISOR)
    return {**website_filing(), "supervisor": supervisor}


def filed(client, world, subject="policy_not_honoured") -> Complaint:
    """A complaint filed on the website by the firm, registered and routed to the worker's
    department, which has started on it (in progress)."""
    client.force_login(world["firm"])
    client.post("/complaints/new/", {"token": "t-1", "respondent": "区某街道办事处", "subject": subject,
                                     "facts": "奖励资金 20 万元未兑现", "amount_claimed": "200000",
                                     "contact_name": "王经理", "contact_phone": "13812345678"})  # fmt: skip
    complaint = Complaint.objects.get()
    clerk, worker = world["clerk"], world["worker"]
    complaints.register(actor=clerk, complaint_id=complaint.pk, subject=subject, respondent="区某街道办事处")
    complaints.assign(actor=clerk, complaint_id=complaint.pk, department_id=Department.objects.get(code="czj").pk)
    complaints.start_work(actor=worker, complaint_id=complaint.pk)
    client.logout()
    return complaint


def rectifying(client, world) -> Complaint:
    complaint = filed(client, world)
    complaints.answer(actor=world["worker"], complaint_id=complaint.pk, finding="substantiated", text="责令兑现奖励",
                      remedy="honour_policy")  # fmt: skip
    return complaint


def reported(client, world) -> Complaint:
    complaint = rectifying(client, world)
    rectification.report_rectified(actor=world["worker"], complaint_id=complaint.pk, evidence="拨款凭证 2026-11-30")
    return complaint


def refused(client, world) -> Complaint:
    complaint = rectifying(client, world)
    rectification.report_refusal(actor=world["worker"], complaint_id=complaint.pk, statement="街道办称无资金")
    return complaint


def page_as(client, user, complaint) -> str:
    client.force_login(user)
    response = client.get(f"/complaints/{complaint.case.number}/")
    assert response.status_code == 200
    return response.content.decode()


def act(client, user, complaint, action, data=None):
    client.force_login(user)
    return client.post(f"/complaints/{complaint.case.number}/{action}/", data or {}, follow=True)


def action_of(complaint, action) -> str:
    return f'action="/complaints/{complaint.case.number}/{action}/"'


def state_of(complaint) -> str:
    return Case.objects.get(pk=complaint.case_id).state


# --- the answer and the return (退单) ----------------------------------------------------------


def test_the_department_answers_with_a_remedy_and_a_rectification_period(client, world):
    complaint = filed(client, world)
    page = page_as(client, world["worker"], complaint)
    assert 'name="remedy"' in page and "兑现政策承诺" in page
    assert 'name="rectify_days"' in page and 'placeholder="15"' in page
    assert "非本部门职责，申请退回（退单）" in page

    response = act(client, world["worker"], complaint, "answer", {
        "finding": "substantiated", "text": "责令街道办兑现奖励", "remedy": "honour_policy",
        "rectify_days": "10"})  # fmt: skip
    page = response.content.decode()
    assert f"投诉 {complaint.case.number}：答复已送达投诉人，并已责令整改" in page
    assert state_of(complaint) == "rectifying" and "整改中" in page
    due = rectification.rectification_deadline(complaint).due_on
    assert "整改期限" in page and due.strftime("%Y-%m-%d") in page


def test_a_substantiated_answer_without_a_remedy_orders_what_the_subject_calls_for(client, world):
    complaint = filed(client, world)
    act(client, world["worker"], complaint, "answer", {"finding": "substantiated", "text": "属实"})
    assert state_of(complaint) == "rectifying"
    complaint.refresh_from_db()
    assert complaint.remedy == complaints.DEFAULT_REMEDY.get(complaint.subject, "perform")


def test_an_unknown_remedy_is_refused_clearly(client, world):
    complaint = filed(client, world)
    response = act(client, world["worker"], complaint, "answer",
                   {"finding": "substantiated", "text": "属实", "remedy": "apologise"})  # fmt: skip
    assert response.status_code == 400
    assert "请选择被投诉主体须整改的内容。" in response.content.decode()
    assert state_of(complaint) == "in_progress"


def test_a_rectification_period_beyond_the_limit_is_refused(client, world):
    complaint = filed(client, world)
    response = act(client, world["worker"], complaint, "answer", {
        "finding": "substantiated", "text": "属实", "remedy": "pay", "rectify_days": "999"})  # fmt: skip
    assert response.status_code == 400
    assert "须为 1 至" in response.content.decode()


def test_the_clerk_and_the_complainant_do_not_see_the_answer_form(client, world):
    complaint = filed(client, world)
    for user in (world["clerk"], world["firm"]):
        page = page_as(client, user, complaint)
        assert action_of(complaint, "answer") not in page
        assert action_of(complaint, "request-return") not in page


def test_the_department_requests_a_return_and_the_clerk_decides(client, world):
    complaint = filed(client, world)
    page = act(client, world["worker"], complaint, "request-return", {"reason": "属住建局职责"}).content.decode()
    assert "已申请退单，由登记员决定。" in page
    assert state_of(complaint) == "return_requested" and "承办部门申请退单" in page
    assert action_of(complaint, "decide-return") not in page

    page = page_as(client, world["clerk"], complaint)
    assert action_of(complaint, "decide-return") in page and "属住建局职责" in page
    assert "同意退单" in page and "不同意，仍由该部门办理" in page
    assert action_of(complaint, "decide-return") not in page_as(client, world["firm"], complaint)


def test_refusing_a_return_needs_a_note(client, world):
    complaint = filed(client, world)
    complaints.request_return(actor=world["worker"], complaint_id=complaint.pk, reason="属住建局职责")
    response = act(client, world["clerk"], complaint, "decide-return", {"approve": "no", "note": ""})
    assert response.status_code == 400
    assert "请说明为何仍由该部门办理。" in response.content.decode()
    assert state_of(complaint) == "return_requested"

    page = act(client, world["clerk"], complaint, "decide-return", {"approve": "no", "note": "合同由财政局签订"})
    assert f"投诉 {complaint.case.number}：退单决定已记录，不同意退单" in page.content.decode()
    assert state_of(complaint) == "in_progress"


def test_an_approved_return_goes_back_to_routing(client, world):
    complaint = filed(client, world)
    complaints.request_return(actor=world["worker"], complaint_id=complaint.pk, reason="属住建局职责")
    page = act(client, world["clerk"], complaint, "decide-return", {"approve": "yes"}).content.decode()
    assert f"投诉 {complaint.case.number}：退单决定已记录，已同意退单" in page
    assert state_of(complaint) == "registered"
    assert action_of(complaint, "assign") in page


def test_a_return_request_without_a_reason_is_refused(client, world):
    complaint = filed(client, world)
    response = act(client, world["worker"], complaint, "request-return", {"reason": " "})
    assert response.status_code == 400
    assert "请说明该投诉为何不属于本部门职责。" in response.content.decode()


# --- rectification (整改) ------------------------------------------------------------------------


def test_while_rectifying_only_the_department_reports(client, world):
    complaint = rectifying(client, world)
    page = page_as(client, world["worker"], complaint)
    assert action_of(complaint, "report-rectified") in page and action_of(complaint, "report-refusal") in page
    assert "兑现政策承诺" in page  # the remedy ordered
    for user in (world["clerk"], world["firm"], world["supervisor"]):
        page = page_as(client, user, complaint)
        assert action_of(complaint, "report-rectified") not in page
        assert action_of(complaint, "report-refusal") not in page
        assert action_of(complaint, "confirm-breach") not in page  # the period has not ended


def test_reporting_rectified_without_evidence_is_refused(client, world):
    complaint = rectifying(client, world)
    response = act(client, world["worker"], complaint, "report-rectified", {"evidence": ""})
    assert response.status_code == 400
    assert "请说明已完成整改的证明材料。" in response.content.decode()
    assert state_of(complaint) == "rectifying"


def test_reported_rectification_is_verified_by_a_clerk_and_confirmed_by_the_complainant(client, world):
    complaint = rectifying(client, world)
    page = act(client, world["worker"], complaint, "report-rectified", {"evidence": "拨款凭证"}).content.decode()
    assert "整改情况已报告，待登记员核验。" in page
    assert state_of(complaint) == "rectification_reported" and "整改待核验" in page and "拨款凭证" in page
    assert action_of(complaint, "verify-rectification") not in page

    assert action_of(complaint, "verify-rectification") not in page_as(client, world["firm"], complaint)
    page = page_as(client, world["clerk"], complaint)
    assert action_of(complaint, "verify-rectification") in page
    assert action_of(complaint, "send-back-rectification") in page

    page = act(client, world["clerk"], complaint, "verify-rectification", {"note": "已核对"}).content.decode()
    assert "整改已核验，待投诉人确认结果。" in page
    assert state_of(complaint) == "rectified"

    page = page_as(client, world["firm"], complaint)
    assert "您对整改结果是否满意？" in page
    assert "满意，结案" in page and "不满意，申请复核" in page
    page = act(client, world["firm"], complaint, "confirm").content.decode()
    assert f"感谢您的确认，投诉 {complaint.case.number} 已结案。" in page
    assert state_of(complaint) == "closed"
    assert "办理结果" in page and "已整改" in page and "满意（投诉人确认）" in page


def test_the_clerk_sends_a_rectification_back(client, world):
    complaint = reported(client, world)
    response = act(client, world["clerk"], complaint, "send-back-rectification", {"reason": ""})
    assert response.status_code == 400
    assert "请说明证明材料未能证明的内容。" in response.content.decode()

    page = act(client, world["clerk"], complaint, "send-back-rectification", {"reason": "凭证金额不符"})
    assert "整改未通过核验，已发回承办部门继续整改。" in page.content.decode()
    assert state_of(complaint) == "rectifying"


def test_a_supervisor_may_verify_a_rectification_too(client, world):
    complaint = reported(client, world)
    assert action_of(complaint, "verify-rectification") in page_as(client, world["supervisor"], complaint)


def test_a_refusal_is_reported_and_the_clerk_confirms_the_breach(client, world):
    complaint = rectifying(client, world)
    response = act(client, world["worker"], complaint, "report-refusal", {"statement": ""})
    assert response.status_code == 400
    assert "请记录被投诉主体的表态或做法。" in response.content.decode()

    page = act(client, world["worker"], complaint, "report-refusal", {"statement": "街道办称无资金"}).content.decode()
    assert "已报告拒不整改，待登记员确认违约失信。" in page
    assert state_of(complaint) == "refused" and "拒不整改" in page and "街道办称无资金" in page
    assert action_of(complaint, "confirm-breach") not in page

    page = page_as(client, world["clerk"], complaint)
    assert action_of(complaint, "confirm-breach") in page and "data-confirm" in page
    response = act(client, world["clerk"], complaint, "confirm-breach", {"finding": ""})
    assert response.status_code == 400
    assert "请填写违约失信认定意见。" in response.content.decode()

    page = act(client, world["clerk"], complaint, "confirm-breach", {"finding": "拒不兑现奖励"}).content.decode()
    assert "已确认违约失信并记入政务诚信记录。" in page
    assert state_of(complaint) == "closed" and "已确认违约失信" in page
    assert IntegrityEntry.objects.get().kind == EntryKind.BREACH


def test_the_breach_form_appears_once_the_rectification_period_has_passed(client, world):
    complaint = rectifying(client, world)
    complaint.case.deadlines.filter(step=DeadlineStep.COMPLAINT_RECTIFY).update(
        due_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    page = page_as(client, world["clerk"], complaint)
    assert action_of(complaint, "confirm-breach") in page and "整改期限已过，仍未整改。" in page
    assert action_of(complaint, "confirm-breach") not in page_as(client, world["worker"], complaint)
    act(client, world["clerk"], complaint, "confirm-breach", {"finding": "逾期未整改"})
    assert state_of(complaint) == "closed"


def test_confirming_a_breach_before_the_period_ends_is_refused(client, world):
    complaint = rectifying(client, world)
    response = act(client, world["clerk"], complaint, "confirm-breach", {"finding": "拒不兑现"})
    assert response.status_code == 409
    assert "整改期限尚未届满" in response.content.decode()


def test_an_arrears_default_is_reported_cured_once_paid(client, world):
    complaint = filed(client, world, subject="arrears")
    page = act(client, world["worker"], complaint, "answer", {"finding": "substantiated", "text": "责令付清"})
    assert "支付拖欠款项" in page.content.decode()  # an arrears answer orders payment by default
    page = page_as(client, world["worker"], complaint)
    assert action_of(complaint, "payment") in page and action_of(complaint, "report-rectified") in page

    response = act(client, world["worker"], complaint, "report-rectified", {"evidence": "已付款"})
    assert response.status_code == 409
    assert "请先登记付款情况" in response.content.decode()

    act(client, world["worker"], complaint, "payment", {"amount": "200000", "paid_on": "2026-11-30", "proof": "回单"})
    page = act(client, world["worker"], complaint, "report-rectified", {"evidence": "回单"}).content.decode()
    assert state_of(complaint) == "rectification_reported"
    assert "200,000.00 元" in page  # the arrears section still shows what was paid


# --- withdrawal (撤回) ---------------------------------------------------------------------------


def test_the_complainant_withdraws_with_a_reason(client, world):
    complaint = filed(client, world)
    page = page_as(client, world["firm"], complaint)
    assert action_of(complaint, "withdraw") in page
    assert "确定撤回该投诉吗？撤回后投诉即办结。" in page  # the confirm dialog's question
    assert action_of(complaint, "withdraw") not in page_as(client, world["worker"], complaint)

    response = act(client, world["firm"], complaint, "withdraw", {"reason": ""})
    assert response.status_code == 400
    assert "请说明撤回理由。" in response.content.decode()

    page = act(client, world["firm"], complaint, "withdraw", {"reason": "双方已协商解决"}).content.decode()
    assert "投诉已撤回。" in page
    assert state_of(complaint) == "withdrawn"
    assert engine.finished(CaseProcess.objects.get(case=complaint.case))  # its open task cancelled too
    assert "撤回理由" in page and "双方已协商解决" in page
    assert action_of(complaint, "withdraw") not in page


def test_a_clerk_withdraws_on_the_complainants_behalf(client, world):
    complaint = rectifying(client, world)
    page = page_as(client, world["clerk"], complaint)
    assert "代投诉人撤回" in page
    act(client, world["clerk"], complaint, "withdraw", {"reason": "投诉人来电撤回"})
    assert state_of(complaint) == "withdrawn"


def test_another_enterprise_can_neither_see_nor_withdraw_it(client, world):
    complaint = filed(client, world)
    other = ApplicantFactory(username="other")
    client.force_login(other)
    assert client.get(f"/complaints/{complaint.case.number}/").status_code == 404
    assert client.post(f"/complaints/{complaint.case.number}/withdraw/", {"reason": "x"}).status_code == 404
    assert state_of(complaint) == "in_progress"


# --- call-backs (回访) ---------------------------------------------------------------------------


def telephone_complaint(client, world) -> Complaint:
    """A complaint taken by telephone (its channel needs a call-back), answered unsubstantiated."""
    client.force_login(world["clerk"])
    client.post("/complaints/register/", {
        "token": "tok", "how": "phone", "complainant_name": "李先生", "complainant_phone": "13812345678",
        "enterprise_name": "乙公司", "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某局",
        "subject": "policy_not_honoured", "facts": "奖励资金未兑现"})  # fmt: skip
    complaint = Complaint.objects.get()
    clerk, worker = world["clerk"], world["worker"]
    complaints.register(actor=clerk, complaint_id=complaint.pk, subject="policy_not_honoured", respondent="区某局")
    complaints.assign(actor=clerk, complaint_id=complaint.pk, department_id=Department.objects.get(code="czj").pk)
    complaints.start_work(actor=worker, complaint_id=complaint.pk)
    complaints.answer(actor=worker, complaint_id=complaint.pk, finding="unsubstantiated", text="资金已于上月拨付")
    return complaint


def test_the_queue_lists_complaints_awaiting_a_call_back(client, world):
    complaint = telephone_complaint(client, world)
    client.force_login(world["clerk"])
    assert "待回访" in client.get("/complaints/").content.decode()
    page = client.get("/complaints/", {"state": "awaiting_callback"}).content.decode()
    assert complaint.case.number in page
    complaints.withdraw(actor=world["clerk"], complaint_id=complaint.pk, reason="来电撤回")
    page = client.get("/complaints/", {"state": "awaiting_callback"}).content.decode()
    assert complaint.case.number not in page


def test_the_queue_offers_the_new_states(client, world):
    client.force_login(world["clerk"])
    page = client.get("/complaints/").content.decode()
    for label in ("整改中", "整改待核验", "已整改", "拒不整改", "承办部门申请退单"):
        assert label in page


def test_only_a_clerk_sees_the_call_back_form(client, world):
    complaint = telephone_complaint(client, world)
    page = page_as(client, world["clerk"], complaint)
    assert action_of(complaint, "callback") in page and 'name="reached"' in page and 'name="opinion"' in page
    for user in (world["worker"], world["supervisor"]):
        assert action_of(complaint, "callback") not in page_as(client, user, complaint)


def test_an_unreached_call_back_is_listed_and_a_satisfied_one_closes(client, world):
    complaint = telephone_complaint(client, world)
    page = act(client, world["clerk"], complaint, "callback", {"reached": "no", "note": "无人接听"}).content.decode()
    assert "回访已登记。" in page
    assert state_of(complaint) == "answered"
    assert "回访记录" in page and "未联系上" in page and "无人接听" in page

    page = act(client, world["clerk"], complaint, "callback", {"reached": "yes", "opinion": "satisfied"}).content
    page = page.decode()
    assert state_of(complaint) == "closed"
    assert "满意（回访）" in page
    assert complaint not in callbacks.awaiting_callback(Complaint.objects.all())


def test_a_not_satisfied_call_back_needs_a_note(client, world):
    complaint = telephone_complaint(client, world)
    response = act(client, world["clerk"], complaint, "callback", {"reached": "yes", "opinion": "not_satisfied"})
    assert response.status_code == 400
    assert "请记下投诉人认为尚未解决的问题。" in response.content.decode()
    assert state_of(complaint) == "answered"


def test_a_complaint_deemed_satisfied_says_so(client, world):
    complaint = filed(client, world)
    complaints.answer(actor=world["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="已兑现")
    complaints.confirm(actor=None, complaint_id=complaint.pk, by_default=True)
    page = page_as(client, world["firm"], complaint)
    assert "视为满意" in page and "满意（回访）" not in page


# --- the integrity record (政务诚信记录) ----------------------------------------------------------


def breach_and_cured(client, world):
    """One breach entry and one cured entry against the same body."""
    breach = refused(client, world)
    rectification.confirm_breach(actor=world["clerk"], complaint_id=breach.pk, finding="拒不兑现奖励资金")
    Complaint.objects.filter(pk=breach.pk).update(channel_reference="done-1")
    cured = filed_again(client, world)
    complaints.answer(actor=world["worker"], complaint_id=cured.pk, finding="substantiated", text="责令付款",
                      remedy="pay")  # fmt: skip
    rectification.report_rectified(actor=world["worker"], complaint_id=cured.pk, evidence="付款凭证")
    rectification.verify(actor=world["clerk"], complaint_id=cured.pk)
    complaints.confirm(actor=world["firm"], complaint_id=cured.pk)
    return IntegrityEntry.objects.get(kind=EntryKind.BREACH), IntegrityEntry.objects.get(kind=EntryKind.CURED)


def filed_again(client, world) -> Complaint:
    client.force_login(world["firm"])
    client.post("/complaints/new/", {"token": "t-2", "respondent": "区某街道办事处", "subject": "policy_not_honoured",
                                     "facts": "另一笔工程款未付",
                                     "contact_name": "王经理", "contact_phone": "13812345678"})  # fmt: skip
    complaint = Complaint.objects.get(channel_reference="WEB-t-2")
    clerk, worker = world["clerk"], world["worker"]
    complaints.register(actor=clerk, complaint_id=complaint.pk, subject="policy_not_honoured",
                        respondent="区某街道办事处")  # fmt: skip
    complaints.assign(actor=clerk, complaint_id=complaint.pk, department_id=Department.objects.get(code="czj").pk)
    complaints.start_work(actor=worker, complaint_id=complaint.pk)
    return complaint


def test_the_integrity_page_shows_breaches_apart_from_cured_defaults(client, world):
    breach, cured = breach_and_cured(client, world)
    client.force_login(world["clerk"])
    listing = client.get("/integrity/").content.decode()
    assert "区某街道办事处" in listing and "违约失信（计入）" in listing and "已整改（不计失信）" in listing
    page = client.get("/integrity/", {"body": breach.body_id}).content.decode()
    breaches, cured_part = page.split('id="cured"')
    assert breach.complaint.case.number in breaches and "拒不兑现奖励资金" in breaches
    assert f"/complaints/{breach.complaint.case.number}/" in breaches
    assert "确认人" in breaches and world["clerk"].full_name in breaches
    assert "经核实属实：责令整改 · 兑现政策承诺" in breaches  # the history, labelled, with the remedy ordered
    assert "被投诉主体拒不整改 · 街道办称无资金" in breaches
    assert cured.complaint.case.number in cured_part and cured.complaint.case.number not in breaches
    assert "已整改（不计失信）" in cured_part
    assert 'action="/integrity/' not in page  # a clerk does not mark entries repaired


def test_the_body_counts_only_unrepaired_breaches(client, world):
    breach, _cured = breach_and_cured(client, world)
    client.force_login(world["clerk"])
    row = client.get("/integrity/").content.decode().split("区某街道办事处")[1].split("</tr>")[0]
    assert "<strong>1</strong>" in row  # one breach counted, the cured one not
    rectification.mark_repaired(actor=world["supervisor"], entry_id=breach.pk, note="已补发奖励")
    row = client.get("/integrity/").content.decode().split("区某街道办事处")[1].split("</tr>")[0]
    assert "<strong>" not in row


def test_a_supervisor_marks_a_breach_repaired_once(client, world):
    breach, cured = breach_and_cured(client, world)
    client.force_login(world["supervisor"])
    page = client.get("/integrity/", {"body": breach.body_id}).content.decode()
    assert f'action="/integrity/{breach.pk}/repaired/"' in page
    assert f'action="/integrity/{cured.pk}/repaired/"' not in page

    response = client.post(f"/integrity/{breach.pk}/repaired/", {"note": ""})
    assert response.status_code == 400
    assert "请说明被投诉主体的履行情况。" in response.content.decode()

    response = client.post(f"/integrity/{breach.pk}/repaired/", {"note": "已补发奖励资金"}, follow=True)
    page = response.content.decode()
    assert "该失信记录已标记为已修复" in page
    assert "已修复" in page and "已补发奖励资金" in page
    assert f'action="/integrity/{breach.pk}/repaired/"' not in page

    again = client.post(f"/integrity/{breach.pk}/repaired/", {"note": "再次"})
    assert again.status_code == 409
    assert "该记录已标记为已修复。" in again.content.decode()


def test_a_cured_entry_cannot_be_marked_repaired(client, world):
    _breach, cured = breach_and_cured(client, world)
    client.force_login(world["supervisor"])
    response = client.post(f"/integrity/{cured.pk}/repaired/", {"note": "x"})
    assert response.status_code == 409
    assert "已整改的不属于失信" in response.content.decode()


def test_a_clerk_cannot_mark_an_entry_repaired(client, world):
    breach, _cured = breach_and_cured(client, world)
    client.force_login(world["clerk"])
    assert client.post(f"/integrity/{breach.pk}/repaired/", {"note": "x"}).status_code == 403
    assert IntegrityEntry.objects.get(pk=breach.pk).repaired_at is None


# --- English and the admin ------------------------------------------------------------------------


def test_the_rectification_forms_read_in_english(client, world):
    complaint = rectifying(client, world)
    client.cookies["django_language"] = "en"
    page = page_as(client, world["worker"], complaint)
    assert "Report rectified" in page and "Rectify by" in page and "Honour the policy" in page and "Rectifying" in page
    assert "Rectification · " in page  # its deadline, by the step's name
    for chinese in ("整改", "报告", "拒不"):
        assert chinese not in page.split("<h1>")[1].split("</h1>", 1)[1].replace("责令兑现奖励", "")


def test_the_integrity_record_reads_in_english(client, world):
    breach, _cured = breach_and_cured(client, world)
    client.cookies["django_language"] = "en"
    client.force_login(world["supervisor"])
    page = client.get("/integrity/", {"body": breach.body_id}).content.decode()
    assert "Confirmed breaches" in page and "Cured (not a breach)" in page and "Mark repaired" in page
    assert "Found substantiated: rectification ordered · Honour the policy" in page
    for chinese in ("违约", "失信", "整改", "修复"):
        assert chinese not in page


def test_the_complainant_reads_the_confirmation_in_english(client, world):
    complaint = reported(client, world)
    rectification.verify(actor=world["clerk"], complaint_id=complaint.pk)
    client.cookies["django_language"] = "en"
    page = page_as(client, world["firm"], complaint)
    assert "Satisfied, close the complaint" in page and "Not satisfied, ask for a review" in page
    assert "Withdraw the complaint" in page and "Rectified" in page
    for chinese in ("满意", "复核", "撤回", "整改"):
        assert chinese not in page


def test_the_admin_cannot_add_an_integrity_entry(client, world, admin_user):
    breach, _cured = breach_and_cured(client, world)
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get("/admin/cases/integrityentry/add/").status_code == 403
    page = client.get("/admin/cases/integrityentry/").content.decode()
    assert breach.complaint.case.number in page
    assert client.get(f"/admin/cases/complaint/{breach.complaint.pk}/change/").status_code == 200


def test_a_refused_repair_shows_the_integrity_record_again_with_the_note_typed(client, world):
    breach, _cured = breach_and_cured(client, world)
    rectification.mark_repaired(actor=world["supervisor"], entry_id=breach.pk, note="已补发奖励")
    client.force_login(world["supervisor"])
    response = client.post(f"/integrity/{breach.pk}/repaired/", {"note": "又一次说明"})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'role="alert"' in page and "该记录已标记为已修复。" in page and "区某街道办事处" in page
    assert f'"action": "{breach.pk}/repaired"' in page and json.dumps("又一次说明") in page  # put back by forms.js
    breach.refresh_from_db()
    assert breach.repair_note == "已补发奖励"
