"""Who may take each action, for every service function that acts for a person: one row per
function that takes an `actor`, naming the roles allowed (the columns of the access table,
tests/security/conftest.py). The access table checks one action per URL; this one checks each
action's own refusal, so that removing the check in one service is caught.
tests/security/test_action_refusals.py fails for a service function with an `actor` and no row.

A row's `prepare` brings the world to a state in which the action is legal for an allowed role
(the allowed-role test proves it), so that a refusal comes from the permission check and not from
the state machine. `call` takes the action as `actor`, with what `prepare` returned.

Refusals are typed: NotPermitted (403) by default; an applicant's own case, and a department's
case to another department where the service hides it, answer NotFound (404), named per row.

To add an action: copy the row of an action with the same audience, change the function, the
call and the state it needs.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from cases.accounts import services as identity_services
from cases.accounts import staff_accounts
from cases.complaints import bulk as complaint_bulk
from cases.complaints import callbacks as complaint_callbacks
from cases.complaints import intake as complaint_intake
from cases.complaints import rectification
from cases.complaints import services as complaints
from cases.complaints.models import Channel, Complaint, IntegrityEntry
from cases.core import services, staff_speed
from cases.core.exceptions import InvalidInput, NotFound, NotPermitted
from cases.core.models import Case, Holiday, Policy
from cases.core.models.org import Department
from cases.core.roles import Role
from cases.records import importing as record_import
from cases.records import services as record_services
from cases.repair import objections
from cases.repair import services as repair_services
from cases.repair.models import Objection, RepairApplication
from cases.reporting import reports
from cases.reporting.reports import Period
from cases.supervision import services as supervision_services
from tests.factories import ApplicantFactory, StaffFactory, valid_uscc
from tests.security.conftest import ROLE_NAMES, ROLES, pdf_upload
from workflows import services as workflow_services

# The modules whose public functions with an `actor` are actions (the meta-test reads them).
SERVICE_MODULES = (
    repair_services,
    objections,
    complaints,
    complaint_intake,
    rectification,
    complaint_callbacks,
    services,
    record_services,
    supervision_services,
    record_import,
    reports,
    identity_services,
    staff_accounts,
    workflow_services,
    complaint_bulk,
    staff_speed,
)

# Public functions that take an `actor` and are not actions of their own: steps inside an action,
# run after that action's check, with the actor only for the audit trail.
NOT_ACTIONS = {
    "cases.core.services.open_case": "opens the case inside repair start_application / complaint intake, "
    "after their checks",
    "cases.core.services.pause_deadline": "a step of issue_incomplete_notice, after its check",
    "cases.core.services.resume_deadline": "a step of resubmit, after its check",
    "cases.core.services.extend_deadline": "a step of repair decide_extension and complaint decide_extension, "
    "after their checks",
    "cases.core.services.close_deadline": "a step of the actions that end a deadline, after their checks",
    "cases.core.services.close_open_deadlines": "a step of the actions that close a case, after their checks",
    "cases.core.services.ensure_claimed_by": "a step of claim_case and the caseworker steps, on a case already checked",
    "cases.complaints.services.close_satisfied": "a step of confirm and of a call-back, after their checks",
    "cases.complaints.services.reopen": "a step of object_to_answer and of a call-back, after their checks",
    "cases.complaints.rectification.order": "a step of a substantiated answer, after its check",
    "cases.complaints.rectification.record_breach": "a step of confirm_breach, after its check (it refuses any "
    "complaint whose breach is not confirmed)",
}

# The access table's roles, and one more that only actions tell apart: the head of another
# department (a head's own-department check is not seen with the head of X alone).
ACTION_ROLES = (*ROLES, "head_y")
ACTION_ROLE_NAMES = {**ROLE_NAMES, "head_y": "head of department Y"}
EXTRA_USERS = {
    "head_y": lambda: StaffFactory(username="head-y", department__code="fgj", role=Role.DEPARTMENT_HEAD),
}
EVERYONE = frozenset(ACTION_ROLES)
APPLICANT_OWN = "own case only"
OWN_DEPARTMENT = "own department only"


@dataclass(frozen=True)
class Action:
    function: Callable
    allowed: frozenset
    call: Callable  # (world, actor, prepared) -> result
    prepare: Callable = lambda world: None  # (world) -> what `call` needs
    scope: str = ""
    refused: type = NotPermitted  # what a role not allowed gets
    refused_as: dict = field(default_factory=dict)  # role -> another exception, where it differs
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__name__}"

    @property
    def refused_roles(self) -> list[str]:
        return [role for role in ACTION_ROLES if role not in self.allowed]

    def refusal_for(self, role: str) -> type:
        return self.refused_as.get(role, self.refused)


def roles(text: str) -> frozenset:
    named = frozenset(text.split())
    assert named <= EVERYONE, f"unknown roles {named - EVERYONE}"
    return named


def actor_of(world, role: str):
    """The world's user of that role (made here for the extra roles, inside the test's savepoint)."""
    if role in EXTRA_USERS:
        return EXTRA_USERS[role]()
    return world.user(role) or AnonymousUser()


# --- the states the actions need -------------------------------------------------------------


def _application(case) -> RepairApplication:
    return RepairApplication.objects.get(case=case)


def _complaint(world) -> Complaint:
    return Complaint.objects.get(case=world.complaint_case)


def _set_state(case, state: str, **fields) -> None:
    Case.objects.filter(pk=case.pk).update(state=state, **fields)


def submitted_application(world) -> RepairApplication:
    return _application(world.repair_case)


def draft_application(world) -> RepairApplication:
    return _application(world.draft_case)


def draft_with_materials(world) -> RepairApplication:
    application = draft_application(world)
    for item in repair_services.required_materials(application.record):
        repair_services.add_material(actor=world.user("a"), application_id=application.pk, code=item["code"],
                                     upload=pdf_upload())  # fmt: skip
    return application


def _first_material(application) -> str:
    return repair_services.required_materials(application.record)[0]["code"]


def incomplete_answered(world) -> RepairApplication:
    """A one-time notice issued, and its item uploaded by the applicant."""
    application = submitted_application(world)
    code = _first_material(application)
    repair_services.issue_incomplete_notice(actor=world.user("x"), application_id=application.pk,
                                            missing=[{"code": code, "reason": "不清晰"}])  # fmt: skip
    services.release_case(case_id=application.case_id, actor=world.user("x"))
    repair_services.add_material(actor=world.user("a"), application_id=application.pk, code=code, upload=pdf_upload())
    return application


def application_in(state: str, **fields):
    def prepare(world) -> RepairApplication:
        application = submitted_application(world)
        _set_state(application.case, state)
        if fields:
            RepairApplication.objects.filter(pk=application.pk).update(**fields)
        return application

    return prepare


def extension_proposed(world) -> RepairApplication:
    application = application_in("under_review")(world)
    services.claim_case(case_id=application.case_id, actor=world.user("x"))
    repair_services.request_extension(actor=world.user("x"), application_id=application.pk, reason="情况复杂")
    return application


def repaired_application(world) -> RepairApplication:
    application = application_in("record_repaired")(world)
    application.record.status = "repaired"
    application.record.save(update_fields=["status"])
    return application


def objection_in(state: str):
    """A's objection, set to `state` and held by no one (a department step claims it)."""

    def prepare(world) -> Objection:
        _set_state(world.objection_case, state)
        return Objection.objects.get(case=world.objection_case)

    return prepare


def new_complaint(world, reference: str = "WEB-2") -> Complaint:
    complaint, _created = complaint_intake.receive(channel=Channel.objects.get(code="website"), data={
        "reference": reference, "complainant_name": "李经理", "complainant_phone": "", "enterprise_name": "甲公司",
        "enterprise_uscc": world.user("a").id_number, "respondent": "区某局", "subject": "arrears",
        "facts": "货款未付。", "amount_claimed": None, "complainant": world.user("a"),
    })  # fmt: skip
    return complaint


def registered_complaint(world) -> Complaint:
    complaint = new_complaint(world)
    complaints.register(actor=world.user("clerk"), complaint_id=complaint.pk, subject="arrears", respondent="区某局")
    return complaint


def complaint_in(state: str, **fields):
    def prepare(world) -> Complaint:
        complaint = _complaint(world)
        _set_state(complaint.case, state)
        if fields:
            Complaint.objects.filter(pk=complaint.pk).update(**fields)
        return complaint

    return prepare


def extension_requested(world) -> Complaint:
    complaint = complaint_in("extension_requested", extension_days=5, extension_reason="需现场核查")(world)
    Case.objects.filter(pk=complaint.case_id).update(assignee=world.user("x"))
    return complaint


def answered(world) -> Complaint:
    """Answered (unsubstantiated) by the department: the complainant's turn."""
    complaint = _complaint(world)
    complaints.start_work(actor=world.user("x"), complaint_id=complaint.pk)
    complaints.answer(actor=world.user("x"), complaint_id=complaint.pk, finding="unsubstantiated", text="经核查不属实")
    return complaint


def rectifying(world) -> Complaint:
    """Found substantiated by the department: the body must rectify."""
    complaint = _complaint(world)
    complaints.start_work(actor=world.user("x"), complaint_id=complaint.pk)
    complaints.answer(actor=world.user("x"), complaint_id=complaint.pk, finding="substantiated", text="确属违约")
    return complaint


def rectification_reported(world) -> Complaint:
    complaint = rectifying(world)
    rectification.report_rectified(actor=world.user("x"), complaint_id=complaint.pk, evidence="付款凭证")
    return complaint


def refused(world) -> Complaint:
    complaint = rectifying(world)
    rectification.report_refusal(actor=world.user("x"), complaint_id=complaint.pk, statement="拒不履行")
    return complaint


def breach_entry(world) -> IntegrityEntry:
    complaint = refused(world)
    rectification.confirm_breach(actor=world.user("clerk"), complaint_id=complaint.pk, finding="拒不整改")
    return IntegrityEntry.objects.get(complaint=complaint)


def amount_confirmed(world) -> Complaint:
    complaint = _complaint(world)
    Complaint.objects.filter(pk=complaint.pk).update(amount_confirmed=1000)
    return complaint


def claimed_by_x(world) -> Case:
    services.claim_case(case_id=world.repair_case.pk, actor=world.user("x"))
    return world.repair_case


def task_claimed_by_x(world):
    task = world.repair_task
    workflow_services.claim_task(task_id=task.pk, actor=world.user("x"))
    return task


def filter_of_x(world):
    return staff_speed.save_filter(actor=world.user("x"), list_key="repair-queue", name="mine", query="holder=mine")


def phrase_of_x(world):
    """A reply phrase of department X, kept by its head."""
    return staff_speed.add_phrase(actor=world.user("head"), title="核实", text="经核实，情况属实。")


def walk_in_applicant(world):
    return ApplicantFactory(username="walk-in", id_number=valid_uscc("91620702MA71CCCC0"), verified=False)


def _record_data(number: str) -> dict:
    return {"party_kind": "enterprise", "party_name": "丙公司", "party_id_number": valid_uscc("91620702MA71DDDD0"),
            "record_type": "penalty", "decision_number": number, "decided_on": date(2026, 3, 2),
            "severity": "general", "summary": "罚款"}  # fmt: skip


def record_sheet(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = ",".join(record_import.TEMPLATE_HEADER[:-1])
    row = f"企业,丙公司,{valid_uscc('91620702MA71DDDD0')},行政处罚,甘市监罚〔2026〕99号,2026-03-02,一般,罚款"
    return SimpleUploadedFile("records.csv", f"{header}\n{row}\n".encode(), content_type="text/csv")


def a_report(world):
    return reports.build(Period.from_params({}))


def a_policy(world) -> Policy:
    return Policy.objects.get(case_type="complaint", key="reopen_limit")


def a_holiday(world) -> Holiday:
    return Holiday.objects.create(date=date(2027, 1, 1), name="元旦", is_working_day=False)


def _later(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


# Applicant steps: the case of someone else, or of nobody, is not shown to exist.
_APPLICANT = {"scope": APPLICANT_OWN, "refused": NotFound}
# The department's case claimed or released: other departments are told it does not exist.
_HIDDEN_FROM_OTHER_DEPARTMENTS = {"y": NotFound, "head_y": NotFound}

TABLE: list[Action] = [
    # Credit repair (cases/repair_services.py).
    Action(repair_services.start_application, roles("a"),
           lambda w, actor, _: repair_services.start_application(actor=actor, record_id=w.free_record.pk),
           scope=APPLICANT_OWN, refused_as={"b": NotFound}),
    Action(repair_services.add_material, roles("a"),
           lambda w, actor, app: repair_services.add_material(actor=actor, application_id=app.pk,
                                                              code=_first_material(app), upload=pdf_upload()),
           draft_application, **_APPLICANT),
    Action(repair_services.save_draft, roles("a"),
           lambda w, actor, app: repair_services.save_draft(actor=actor, application_id=app.pk, statement="罚款已缴清",
                                                            obligations_fulfilled=True, commitment_signed=False),
           draft_application, **_APPLICANT),
    Action(repair_services.submit, roles("a"),
           lambda w, actor, app: repair_services.submit(actor=actor, application_id=app.pk,
                                                        obligations_fulfilled=True, commitment_signed=True),
           draft_with_materials, **_APPLICANT),
    Action(repair_services.accept, roles("x head"),
           lambda w, actor, app: repair_services.accept(actor=actor, application_id=app.pk),
           submitted_application, scope=OWN_DEPARTMENT),
    Action(repair_services.issue_incomplete_notice, roles("x head"),
           lambda w, actor, app: repair_services.issue_incomplete_notice(
               actor=actor, application_id=app.pk, missing=[{"code": _first_material(app), "reason": "不清晰"}]),
           submitted_application, scope=OWN_DEPARTMENT),
    Action(repair_services.resubmit, roles("a"),
           lambda w, actor, app: repair_services.resubmit(actor=actor, application_id=app.pk),
           incomplete_answered, **_APPLICANT),
    Action(repair_services.refuse, roles("x head"),
           lambda w, actor, app: repair_services.refuse(actor=actor, application_id=app.pk, reason="不属于修复范围"),
           submitted_application, scope=OWN_DEPARTMENT),
    Action(repair_services.start_review, roles("x head"),
           lambda w, actor, app: repair_services.start_review(actor=actor, application_id=app.pk),
           application_in("accepted"), scope=OWN_DEPARTMENT),
    Action(repair_services.request_extension, roles("x head"),
           lambda w, actor, app: repair_services.request_extension(actor=actor, application_id=app.pk,
                                                                   reason="情况复杂"),
           application_in("under_review"), scope=OWN_DEPARTMENT),
    Action(repair_services.decide_extension, roles("head"),
           lambda w, actor, app: repair_services.decide_extension(actor=actor, application_id=app.pk, approve=True),
           extension_proposed, scope=OWN_DEPARTMENT, note="the department head approves an extension"),
    Action(repair_services.propose_decision, roles("x head"),
           lambda w, actor, app: repair_services.propose_decision(actor=actor, application_id=app.pk, approve=True,
                                                                  reason=""),
           application_in("under_review"), scope=OWN_DEPARTMENT),
    Action(repair_services.approve_decision, roles("head"),
           lambda w, actor, app: repair_services.approve_decision(actor=actor, application_id=app.pk),
           application_in("under_review", proposed_approval=True), scope=OWN_DEPARTMENT,
           note="the department head's approval: not the caseworker's"),
    Action(repair_services.send_back, roles("head"),
           lambda w, actor, app: repair_services.send_back(actor=actor, application_id=app.pk, reason="事实不清"),
           application_in("under_review", proposed_approval=True), scope=OWN_DEPARTMENT,
           note="the department head sends a proposal back for re-review"),
    Action(repair_services.withdraw, roles("a"),
           lambda w, actor, app: repair_services.withdraw(actor=actor, application_id=app.pk),
           submitted_application, **_APPLICANT),
    Action(repair_services.revoke, roles("head"),
           lambda w, actor, app: repair_services.revoke(actor=actor, application_id=app.pk, reason="材料造假"),
           repaired_application, scope=OWN_DEPARTMENT, note="the department head's decision"),
    # Credit information objections (cases/repair/objections.py).
    Action(objections.raise_objection, roles("a"),
           lambda w, actor, _: objections.raise_objection(actor=actor, record_id=w.free_record.pk, reasons="金额有误"),
           scope=APPLICANT_OWN, refused_as={"b": NotFound}),
    Action(objections.start_check, roles("x head"),
           lambda w, actor, o: objections.start_check(actor=actor, objection_id=o.pk),
           objection_in("submitted"), scope=OWN_DEPARTMENT),
    Action(objections.correct, roles("x head"),
           lambda w, actor, o: objections.correct(actor=actor, objection_id=o.pk, reason="录入错误",
                                                  changes={"summary": "罚款 2000 元"}),
           objection_in("under_check"), scope=OWN_DEPARTMENT),
    Action(objections.confirm, roles("x head"),
           lambda w, actor, o: objections.confirm(actor=actor, objection_id=o.pk, reason="信息无误"),
           objection_in("under_check"), scope=OWN_DEPARTMENT),
    Action(objections.withdraw_record, roles("x head"),
           lambda w, actor, o: objections.withdraw_record(actor=actor, objection_id=o.pk, reason="主体认定错误"),
           objection_in("under_check"), scope=OWN_DEPARTMENT),
    # Complaints (cases/complaint_services.py).
    Action(complaints.register, roles("clerk"),
           lambda w, actor, c: complaints.register(actor=actor, complaint_id=c.pk, subject="arrears",
                                                   respondent="区某局"),
           new_complaint),
    Action(complaints.reject, roles("clerk"),
           lambda w, actor, c: complaints.reject(actor=actor, complaint_id=c.pk, reason="不属于受理范围"),
           new_complaint),
    Action(complaints.assign, roles("clerk"),
           lambda w, actor, c: complaints.assign(actor=actor, complaint_id=c.pk,
                                                 department_id=Department.objects.get(code="scjg").pk),
           registered_complaint),
    Action(complaints.merge, roles("clerk"),
           lambda w, actor, c: complaints.merge(actor=actor, complaint_id=c.pk, into_id=_complaint(w).pk),
           new_complaint),
    Action(complaints.return_misrouted, roles("x head"),
           lambda w, actor, c: complaints.return_misrouted(actor=actor, complaint_id=c.pk, reason="非本部门职责"),
           complaint_in("assigned"), scope=OWN_DEPARTMENT),
    Action(complaints.start_work, roles("x head"),
           lambda w, actor, c: complaints.start_work(actor=actor, complaint_id=c.pk),
           complaint_in("assigned"), scope=OWN_DEPARTMENT),
    Action(complaints.request_extension, roles("x head"),
           lambda w, actor, c: complaints.request_extension(actor=actor, complaint_id=c.pk, working_days=5,
                                                            reason="需现场核查"),
           complaint_in("in_progress"), scope=OWN_DEPARTMENT),
    Action(complaints.decide_extension, roles("sup"),
           lambda w, actor, c: complaints.decide_extension(actor=actor, complaint_id=c.pk, approve=True),
           extension_requested),
    Action(complaints.answer, roles("x head"),
           lambda w, actor, c: complaints.answer(actor=actor, complaint_id=c.pk, finding="unsubstantiated",
                                                 text="经核查不属实"),
           complaint_in("in_progress"), scope=OWN_DEPARTMENT),
    Action(complaints.confirm, roles("a"),
           lambda w, actor, c: complaints.confirm(actor=actor, complaint_id=c.pk),
           answered, **_APPLICANT, note="the system (actor None) confirms too, when the window passes"),
    Action(complaints.add_evidence, roles("a"),
           lambda w, actor, c: complaints.add_evidence(actor=actor, complaint_id=c.pk, upload=pdf_upload()),
           complaint_in("in_progress"), **_APPLICANT),
    Action(complaints.object_to_answer, roles("a"),
           lambda w, actor, c: complaints.object_to_answer(actor=actor, complaint_id=c.pk, reason="未解决"),
           answered, **_APPLICANT),
    Action(complaints.close_after_review, roles("sup"),
           lambda w, actor, c: complaints.close_after_review(actor=actor, complaint_id=c.pk, conclusion="已复核"),
           complaint_in("reopened", reopen_count=3)),
    Action(complaints.confirm_amount, roles("x head"),
           lambda w, actor, c: complaints.confirm_amount(actor=actor, complaint_id=c.pk, amount="1000"),
           lambda w: _complaint(w), scope=OWN_DEPARTMENT),
    Action(complaints.record_payment, roles("x head"),
           lambda w, actor, c: complaints.record_payment(actor=actor, complaint_id=c.pk, amount="500",
                                                         paid_on=timezone.localdate(), proof="转账凭证001"),
           amount_confirmed, scope=OWN_DEPARTMENT),
    Action(complaints.agree_plan, roles("x head"),
           lambda w, actor, c: complaints.agree_plan(actor=actor, complaint_id=c.pk,
                                                     instalments=[(_later(30), "1000")]),
           amount_confirmed, scope=OWN_DEPARTMENT),
    Action(complaints.withdraw, roles("a clerk"),
           lambda w, actor, c: complaints.withdraw(actor=actor, complaint_id=c.pk, reason="已协商解决"),
           complaint_in("in_progress"), scope=APPLICANT_OWN, refused=NotFound,
           note="a clerk records the withdrawal of a complainant who called"),
    Action(complaints.request_return, roles("x head"),
           lambda w, actor, c: complaints.request_return(actor=actor, complaint_id=c.pk, reason="非本部门职责"),
           complaint_in("in_progress"), scope=OWN_DEPARTMENT),
    Action(complaints.decide_return, roles("clerk"),
           lambda w, actor, c: complaints.decide_return(actor=actor, complaint_id=c.pk, approve=True),
           complaint_in("return_requested")),
    Action(rectification.report_rectified, roles("x head"),
           lambda w, actor, c: rectification.report_rectified(actor=actor, complaint_id=c.pk, evidence="付款凭证"),
           rectifying, scope=OWN_DEPARTMENT),
    Action(rectification.report_refusal, roles("x head"),
           lambda w, actor, c: rectification.report_refusal(actor=actor, complaint_id=c.pk, statement="拒不履行"),
           rectifying, scope=OWN_DEPARTMENT),
    Action(rectification.verify, roles("clerk sup"),
           lambda w, actor, c: rectification.verify(actor=actor, complaint_id=c.pk), rectification_reported),
    Action(rectification.send_back, roles("clerk sup"),
           lambda w, actor, c: rectification.send_back(actor=actor, complaint_id=c.pk, reason="凭证不全"),
           rectification_reported),
    Action(rectification.confirm_breach, roles("clerk sup"),
           lambda w, actor, c: rectification.confirm_breach(actor=actor, complaint_id=c.pk, finding="拒不整改"),
           refused),
    Action(rectification.mark_repaired, roles("sup"),
           lambda w, actor, entry: rectification.mark_repaired(actor=actor, entry_id=entry.pk, note="已履约"),
           breach_entry),
    Action(complaint_callbacks.record, roles("clerk"),
           lambda w, actor, c: complaint_callbacks.record(actor=actor, complaint_id=c.pk, reached=False),
           answered),
    Action(complaints.flag_typical, roles("sup"),
           lambda w, actor, c: complaints.flag_typical(actor=actor, complaint_id=c.pk), lambda w: _complaint(w)),
    # Reference data (cases/services.py; the admin site's policy and holiday pages save through these).
    Action(services.change_policy, roles("admin"),
           lambda w, actor, policy: services.change_policy(policy_id=policy.pk, actor=actor, value=3), a_policy),
    Action(services.save_holiday, roles("admin"),
           lambda w, actor, _: services.save_holiday(actor=actor, day=date(2027, 1, 1), is_working_day=False,
                                                     name="元旦")),
    Action(services.remove_holiday, roles("admin"),
           lambda w, actor, holiday: services.remove_holiday(actor=actor, holiday_id=holiday.pk), a_holiday),
    # Supervision (cases/services.py).
    Action(supervision_services.issue_supervision_order, roles("sup"),
           lambda w, actor, _: supervision_services.issue_supervision_order(case_id=w.complaint_case.pk, actor=actor,
                                                                reason="请尽快办理", respond_within=3),
           note="the complaint case: the repair case's open order allows only an escalation"),
    Action(supervision_services.respond_to_supervision_order, roles("x head"),
           lambda w, actor, _: supervision_services.respond_to_supervision_order(order_id=w.order.pk, actor=actor,
                                                                     response="已受理"),
           scope=OWN_DEPARTMENT),
    # Credit records (cases/services.py, cases/record_import.py; the API registers through the former).
    Action(record_services.register_credit_record, roles("x y head head_y"),
           lambda w, actor, _: record_services.register_credit_record(
               actor=actor, data=_record_data("甘罚〔2026〕98号")),
           note="any department's staff register their department's records"),
    Action(record_import.import_records, roles("x y head head_y"),
           lambda w, actor, sheet: record_import.import_records(actor=actor, upload=sheet), record_sheet),
    Action(record_services.mark_not_repairable, roles("x head"),
           lambda w, actor, _: record_services.mark_not_repairable(
               actor=actor, record_id=w.free_record.pk, not_repairable=True, basis="《某条例》第十条"),
           scope=OWN_DEPARTMENT, refused_as=_HIDDEN_FROM_OTHER_DEPARTMENTS),
    # Claiming work (cases/services.py, workflows/services.py).
    Action(services.claim_case, roles("x head"),
           lambda w, actor, _: services.claim_case(case_id=w.repair_case.pk, actor=actor),
           scope=OWN_DEPARTMENT, refused_as=_HIDDEN_FROM_OTHER_DEPARTMENTS),
    Action(services.release_case, roles("x head"),
           lambda w, actor, case: services.release_case(case_id=case.pk, actor=actor),
           claimed_by_x, scope="its holder or the department's head", refused_as=_HIDDEN_FROM_OTHER_DEPARTMENTS),
    Action(services.hand_case, roles("head"),
           lambda w, actor, _: services.hand_case(case_id=w.repair_case.pk, actor=actor, assignee_id=w.user("x").pk),
           scope=OWN_DEPARTMENT, refused_as={"head_y": NotFound}),
    Action(workflow_services.claim_task, roles("x head"),
           lambda w, actor, _: workflow_services.claim_task(task_id=w.repair_task.pk, actor=actor),
           scope=OWN_DEPARTMENT, refused_as={"anon": NotFound}),
    Action(workflow_services.release_task, roles("x"),
           lambda w, actor, task: workflow_services.release_task(task_id=task.pk, actor=actor),
           task_claimed_by_x, scope="its holder only", refused_as={"anon": NotFound}),
    # Reports (cases/reports.py).
    Action(reports.record_export, roles("sup"),
           lambda w, actor, report: reports.record_export(actor=actor, report=report, fmt="xlsx"), a_report),
    # Identity (cases/identity_services.py).
    Action(identity_services.bind_at_counter, roles("clerk"),
           lambda w, actor, user: identity_services.bind_at_counter(
               actor=actor, username=user.username, kind="enterprise", id_number=user.id_number, name="丙公司",
               role="legal_representative"),
           walk_in_applicant),
    Action(identity_services.revoke_binding, roles("a"),
           lambda w, actor, _: identity_services.revoke_binding(actor=actor, binding_id=w.agent_binding_of_a.pk),
           scope="the agent themself or the enterprise's legal representative", refused=NotFound),
    # Staff accounts (cases/staff_accounts.py; the admin site's user actions run these).
    Action(staff_accounts.change_roles, roles("sec"),
           lambda w, actor, _: staff_accounts.change_roles(actor=actor, user_id=w.user("y").pk,
                                                           roles={"caseworker", "department_head"})),
    Action(staff_accounts.set_active, roles("sec"),
           lambda w, actor, _: staff_accounts.set_active(actor=actor, user_id=w.user("y").pk, active=False)),
    Action(staff_accounts.unlock_sign_in, roles("sec"),
           lambda w, actor, _: staff_accounts.unlock_sign_in(actor=actor, user_id=w.user("y").pk)),
    Action(staff_accounts.reset_second_factor, roles("sec"),
           lambda w, actor, _: staff_accounts.reset_second_factor(actor=actor, user_id=w.user("y").pk)),
    # Several complaints at once (cases/complaints/bulk.py): each through claim_case / assign.
    Action(complaint_bulk.claim_selected, roles("x head"),
           lambda w, actor, _: complaint_bulk.claim_selected(actor=actor, case_ids=[w.complaint_case.pk]),
           scope=OWN_DEPARTMENT, refused_as={"y": NotFound, "head_y": NotFound},
           note="another department's complaints are not in the queue: none of them is shown to exist"),
    Action(complaint_bulk.assign_selected, roles("clerk"),
           lambda w, actor, c: complaint_bulk.assign_selected(
               actor=actor, case_ids=[c.case_id], department_id=Department.objects.get(code="scjg").pk),
           registered_complaint),
    Action(complaint_bulk.hand_selected, roles("head"),
           lambda w, actor, _: complaint_bulk.hand_selected(actor=actor, case_ids=[w.complaint_case.pk],
                                                            assignee_id=w.user("x").pk),
           scope=OWN_DEPARTMENT, refused_as={"head_y": InvalidInput},
           note="another department's head: the person chosen is not of their department"),
    # Staff shortcuts (cases/core/staff_speed.py): a person's saved filters, a department's phrases.
    Action(staff_speed.save_filter, roles("x y head clerk sup head_y"),
           lambda w, actor, _: staff_speed.save_filter(actor=actor, list_key="records", name="甲", query="q=甲"),
           scope="staff with a department"),
    Action(staff_speed.set_default_filter, roles("x"),
           lambda w, actor, f: staff_speed.set_default_filter(actor=actor, filter_id=f.pk), filter_of_x,
           scope="its owner only", refused=NotFound, refused_as=dict.fromkeys(("anon", "a", "b", "admin", "sec",
                                                                               "audit"), NotPermitted)),
    Action(staff_speed.delete_filter, roles("x"),
           lambda w, actor, f: staff_speed.delete_filter(actor=actor, filter_id=f.pk), filter_of_x,
           scope="its owner only", refused=NotFound, refused_as=dict.fromkeys(("anon", "a", "b", "admin", "sec",
                                                                               "audit"), NotPermitted)),
    Action(staff_speed.add_phrase, roles("head head_y"),
           lambda w, actor, _: staff_speed.add_phrase(actor=actor, title="核实", text="经核实。"),
           scope="a department's head, for their department"),
    Action(staff_speed.edit_phrase, roles("head"),
           lambda w, actor, p: staff_speed.edit_phrase(actor=actor, phrase_id=p.pk, title="核实", text="经核实。"),
           phrase_of_x, scope=OWN_DEPARTMENT, refused_as={"head_y": NotFound}),
    Action(staff_speed.delete_phrase, roles("head"),
           lambda w, actor, p: staff_speed.delete_phrase(actor=actor, phrase_id=p.pk),
           phrase_of_x, scope=OWN_DEPARTMENT, refused_as={"head_y": NotFound}),
]  # fmt: skip
