"""Every write of the complaint workflow (docs/domain.md, "Complaints"): one function per user action.

Each locks the case, checks who may act and whether the state machine allows the step, writes
the audit event and leaves deliveries to after commit (the Outbox)."""

from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.fsm import TransitionNotAllowed

from cases.complaints import arrears, common, rectification
from cases.complaints.models import (
    ArrearsPayment,
    Complaint,
    ComplaintEvidence,
    Finding,
    Instalment,
    Outcome,
    Remedy,
    RespondentBody,
    SatisfactionSource,
)
from cases.core import permissions, policies, scaffold, services, transitions, uploads
from cases.core.event_types import DeadlineStep, EventType, instalment_step
from cases.core.exceptions import Conflict, InvalidInput, NotFound
from cases.core.models import Department
from cases.core.roles import Role
from cases.core.states import ComplaintMachine, ComplaintStatus
from notifications.phrases import Phrase

REGISTER, ANSWER, CONFIRM = (
    DeadlineStep.COMPLAINT_REGISTER,
    DeadlineStep.COMPLAINT_ANSWER,
    DeadlineStep.COMPLAINT_CONFIRM,
)
ASSIGN = DeadlineStep.COMPLAINT_ASSIGN


# The shared helpers under the names this module has always used.
_locked, _transition, _tell, _tell_complainant = common.locked, common.transition, common.tell, common.tell_complainant
_require_clerk, _require_department = common.require_clerk, common.require_department


@transaction.atomic
def register(*, actor, complaint_id: int, subject: str, respondent: str = "",
             respondent_body_id: int | None = None) -> Complaint:  # fmt: skip
    """The clerk classifies the subject and identifies the respondent body (登记): a body of the
    registry (`respondent_body_id`), or a name, matched to an active body of the registry when one
    bears it. The clock of the assignment (交办) then runs for the clerks' unit."""
    _require_clerk(actor)
    complaint = _locked(complaint_id)
    if subject not in {item["code"] for item in policies.choices("complaint", "subjects")}:
        raise InvalidInput(details={"subject": [_("Choose a subject from the list.")]})
    if respondent_body_id:
        body = RespondentBody.objects.filter(pk=respondent_body_id, active=True).first()
        if body is None:
            raise InvalidInput(details={"respondent_body": [
                _("The body chosen is not in the registry or is no longer active.")]})  # fmt: skip
        respondent = body.name
    else:
        if not (respondent or "").strip():
            raise InvalidInput(details={"respondent": [_("Name the respondent body.")]})
        body = matching_body(respondent)
    if len(respondent.strip()) > Complaint._meta.get_field("respondent").max_length:
        raise InvalidInput(details={"respondent": [_("The respondent's name is too long.")]})
    complaint.subject, complaint.respondent, complaint.respondent_body = subject, respondent.strip(), body
    complaint.save(update_fields=["subject", "respondent", "respondent_body"])
    services.copy_complaint_facts(complaint)
    _transition(complaint, ComplaintMachine.register, actor, complaint_subject=subject, respondent=complaint.respondent,
                **({"respondent_body": body.pk} if body else {}))  # fmt: skip
    services.close_deadline(case=complaint.case, step=REGISTER, actor=actor)
    _start_assignment_clock(complaint)
    return complaint


def matching_body(name: str) -> RespondentBody | None:
    """The active body of the registry that bears this name, spaces and case aside."""
    wanted = _normalised(name or "")
    if not wanted:
        return None
    return next((body for body in RespondentBody.objects.filter(active=True).select_related("supervising_department")
                 if _normalised(body.name) == wanted), None)  # fmt: skip


def proposed_department(complaint: Complaint) -> Department | None:
    """The department routing proposes: the supervising body (主管部门) of the respondent body,
    when it is one a complaint can be assigned to."""
    body = complaint.respondent_body or matching_body(complaint.respondent)
    department = body.supervising_department if body else None
    if department is None or not department.active or department.is_supervising_unit:
        return None
    return department


def _start_assignment_clock(complaint: Complaint) -> None:
    """Registered (or returned as misrouted): the clerks' unit has the policy's days to assign it."""
    services.start_deadline(case=complaint.case, step=ASSIGN, label=_("Assignment to a department"),
                            policy_key="assign_within", department=complaint.case.department)  # fmt: skip


def _close_if_open(complaint: Complaint, step: str, actor) -> None:
    """Close the step's clock; a complaint registered before the step had one has none to close."""
    if complaint.case.deadlines.filter(step=step, closed_at__isnull=True).exists():
        services.close_deadline(case=complaint.case, step=step, actor=actor)


@transaction.atomic
def reject(*, actor, complaint_id: int, reason: str) -> Complaint:
    """Out of scope: rejected with the reason the complainant reads."""
    _require_clerk(actor)
    complaint = _locked(complaint_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(details={"reason": [_("Give the reason the complainant will read.")]})
    complaint.case.closed_at = timezone.now()
    _transition(complaint, ComplaintMachine.reject, actor, reason=reason)
    complaint.rejection_reason = reason
    complaint.outcome = Outcome.REJECTED
    complaint.save(update_fields=["rejection_reason", "outcome"])
    services.close_open_deadlines(case=complaint.case, actor=actor)
    _tell_complainant(complaint, Phrase("Complaint %(number)s not registered", number=complaint.case.number), reason)
    return complaint


@transaction.atomic
def assign(*, actor, complaint_id: int, department_id: int) -> Complaint:
    """Route the complaint to the department that verifies it; its answer clock starts."""
    _require_clerk(actor)
    complaint = _locked(complaint_id)
    department = Department.objects.filter(pk=department_id, active=True, is_supervising_unit=False).first()
    if department is None:
        raise InvalidInput(details={"department": [_("Choose a department.")]})
    complaint.case.department = department
    complaint.case.assignee = None
    complaint.case.save(update_fields=["assignee"])
    _transition(complaint, ComplaintMachine.assign, actor, department=department.code)
    _close_if_open(complaint, ASSIGN, actor)
    services.start_deadline(case=complaint.case, step=ANSWER, label=_("Department's answer"),
                            policy_key="answer_within", department=department)  # fmt: skip
    staff = services.users_with_role(Role.CASEWORKER, department.pk)
    staff += services.users_with_role(Role.DEPARTMENT_HEAD, department.pk)
    _tell(staff, complaint, Phrase("Complaint %(number)s assigned to your department", number=complaint.case.number),
          complaint.case.title)  # fmt: skip
    return complaint


@transaction.atomic
def return_misrouted(*, actor, complaint_id: int, reason: str) -> Complaint:
    """The department sends a misrouted complaint back to the clerks, with a reason."""
    complaint = _locked(complaint_id)
    _require_department(complaint, actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(details={"reason": [_("Say why the complaint is not yours.")]})
    _transition(complaint, ComplaintMachine.return_misrouted, actor, reason=reason)
    services.close_deadline(case=complaint.case, step=ANSWER, actor=actor)
    _back_to_routing(complaint, actor)
    _tell(services.users_with_role(Role.INTAKE_CLERK), complaint,
          Phrase("Complaint %(number)s returned as misrouted", number=complaint.case.number), reason)  # fmt: skip
    return complaint


def _back_to_routing(complaint: Complaint, actor) -> None:
    """A returned complaint goes back to the clerks, registered, to be routed again."""
    complaint.case.department = Department.objects.filter(is_supervising_unit=True).first()
    complaint.case.assignee = None
    complaint.case.save(update_fields=["department", "assignee"])
    _transition(complaint, ComplaintMachine.reregister, actor)
    _start_assignment_clock(complaint)


@transaction.atomic
def request_return(*, actor, complaint_id: int, reason: str) -> Complaint:
    """After starting, the department finds the matter is not its duty (非本部门职责) and asks to
    return it (退单); the clerks decide. Its answer deadline runs on meanwhile."""
    complaint = _locked(complaint_id)
    _require_department(complaint, actor)
    reason = common.required_text(reason, "reason", _("Say why the complaint is not your department's duty."))
    services.ensure_claimed_by(complaint.case, actor)
    complaint.return_reason = reason
    complaint.save(update_fields=["return_reason"])
    _transition(complaint, ComplaintMachine.request_return, actor, reason=reason)
    common.tell_clerks(complaint, Phrase("Complaint %(number)s: the department asks to return it",
                                         number=complaint.case.number), reason)  # fmt: skip
    return complaint


@transaction.atomic
def decide_return(*, actor, complaint_id: int, approve: bool, note: str = "") -> Complaint:
    """A clerk approves the return (the complaint is routed again) or refuses it with a reason
    (the department carries on)."""
    _require_clerk(actor)
    complaint = _locked(complaint_id)
    note = (note or "").strip()
    if not approve and not note:
        raise InvalidInput(details={"note": [_("Say why the department keeps the complaint.")]})
    if approve:
        _transition(complaint, ComplaintMachine.approve_return, actor, note=note)
        title = Phrase("Return of complaint %(number)s approved", number=complaint.case.number)
        common.tell_department(complaint, title, note or complaint.return_reason)
        _close_if_open(complaint, ANSWER, actor)
        _back_to_routing(complaint, actor)
        return complaint
    _transition(complaint, ComplaintMachine.refuse_return, actor, note=note)
    common.tell_department(
        complaint, Phrase("Return of complaint %(number)s refused", number=complaint.case.number), note
    )
    return complaint


@transaction.atomic
def withdraw(*, actor, complaint_id: int, reason: str, relayed_by: str = "", relayed_from: str = "") -> Complaint:
    """The complainant withdraws the complaint (撤回), with a reason: the loop ends, the channel is
    told. A clerk may record it for a complainant who called (no account)."""
    complaint = _locked(complaint_id)
    if actor is not None and actor.has_perm("cases.register_complaints") and actor.pk != complaint.complainant_id:
        on_behalf = True
    else:
        _complainant_or_system(complaint, actor)
        on_behalf = False
    reason = common.required_text(reason, "reason", _("Say why the complaint is withdrawn."))
    if len(reason) > 2000:
        raise InvalidInput(details={"reason": [_("The reason is too long.")]})
    complaint.case.closed_at = timezone.now()
    _transition(complaint, ComplaintMachine.withdraw, actor, reason=reason, recorded_by_clerk=on_behalf,
                **_relayed(relayed_by, relayed_from))  # fmt: skip
    complaint.withdrawal_reason, complaint.outcome = reason, Outcome.WITHDRAWN
    complaint.save(update_fields=["withdrawal_reason", "outcome"])
    services.close_open_deadlines(case=complaint.case, actor=actor)
    title = Phrase("Complaint %(number)s withdrawn", number=complaint.case.number)
    if complaint.case.department_id and not complaint.case.department.is_supervising_unit:
        common.tell_department(complaint, title, reason)
    if on_behalf:
        _tell_complainant(complaint, title, reason)
    return complaint


@transaction.atomic
def start_work(*, actor, complaint_id: int) -> Complaint:
    """A caseworker of the department claims the complaint and starts verifying it."""
    complaint = _locked(complaint_id)
    _require_department(complaint, actor)
    services.ensure_claimed_by(complaint.case, actor)
    _transition(complaint, ComplaintMachine.start_work, actor)
    return complaint


@transaction.atomic
def request_extension(*, actor, complaint_id: int, working_days: int, reason: str) -> Complaint:
    complaint = _locked(complaint_id)
    _require_department(complaint, actor)
    services.ensure_claimed_by(complaint.case, actor)
    if complaint.extensions_granted >= policies.count("complaint", "extensions_allowed"):
        raise Conflict(_("The answer has already been extended as often as the policy allows."))
    limit = policies.working_days("complaint", "extension_max")
    if not 1 <= int(working_days) <= limit or not (reason or "").strip():
        raise InvalidInput(details={"working_days": [_("Between 1 and %(max)d working days, with a reason.")
                                                     % {"max": limit}]})  # fmt: skip
    complaint.extension_days, complaint.extension_reason = int(working_days), reason.strip()
    complaint.save(update_fields=["extension_days", "extension_reason"])
    _transition(
        complaint, ComplaintMachine.request_extension, actor, working_days=complaint.extension_days, reason=reason
    )
    _tell(services.users_with_role(Role.SUPERVISOR), complaint,
          Phrase("Extension requested on complaint %(number)s", number=complaint.case.number),
          complaint.extension_reason)  # fmt: skip
    return complaint


@transaction.atomic
def decide_extension(*, actor, complaint_id: int, approve: bool) -> Complaint:
    """The supervisor approves or refuses the department's request for more time."""
    permissions.require(actor, "cases.supervise_all_cases")
    complaint = _locked(complaint_id)
    _transition(complaint, ComplaintMachine.decide_extension, actor, approved=approve)
    if approve:
        services.extend_deadline(case=complaint.case, step=ANSWER, working_days=complaint.extension_days,
                                 actor=actor, reason=complaint.extension_reason)  # fmt: skip
        complaint.extensions_granted += 1
        complaint.save(update_fields=["extensions_granted"])
    verdict = Phrase("approved") if approve else Phrase("refused")
    _tell([complaint.case.assignee_id], complaint,
          Phrase("Extension on complaint %(number)s %(verdict)s", number=complaint.case.number, verdict=verdict),
          complaint.extension_reason)  # fmt: skip
    return complaint


# What a substantiated answer orders when the department does not say: by the complaint's subject.
DEFAULT_REMEDY = {"arrears": Remedy.PAY, "government_debt": Remedy.PAY, "policy_not_honoured": Remedy.HONOUR_POLICY}


@transaction.atomic
def answer(*, actor, complaint_id: int, finding: str, text: str, remedy: str = "",
           rectify_days: int | None = None) -> Complaint:  # fmt: skip
    """The department's answer with its finding. Unsubstantiated: the complainant then has the
    policy's days to confirm. Substantiated: the body must rectify (`remedy`: what it must do) within
    `rectify_days` working days (else the policy's); the complaint stays open in rectification."""
    complaint = _locked(complaint_id)
    _require_department(complaint, actor)
    services.ensure_claimed_by(complaint.case, actor)
    if finding not in Finding.values or not (text or "").strip():
        raise InvalidInput(details={"answer": [_("Give the finding and the reasoned answer.")]})
    substantiated = finding == Finding.SUBSTANTIATED
    if substantiated:
        remedy = remedy or DEFAULT_REMEDY.get(complaint.subject, Remedy.PERFORM)
        if remedy not in Remedy.values:
            raise InvalidInput(details={"remedy": [_("Say what the body must do to rectify.")]})
        limit = policies.working_days("complaint", "rectify_max")
        if rectify_days is not None and not 1 <= rectify_days <= limit:
            raise InvalidInput(details={"rectify_days": [_("Between 1 and %(max)d working days.") % {"max": limit}]})
    complaint.finding, complaint.answer, complaint.answered_at = finding, text.strip(), timezone.now()
    complaint.remedy = remedy if substantiated else ""
    complaint.save(update_fields=["finding", "answer", "answered_at", "remedy"])
    services.close_deadline(case=complaint.case, step=ANSWER, actor=actor)
    if substantiated:
        rectification.order(complaint, actor, rectify_days)
        return complaint
    _transition(complaint, ComplaintMachine.answer, actor, finding=finding)
    start_confirmation_window(complaint)
    _tell_complainant(complaint, Phrase("Complaint %(number)s answered", number=complaint.case.number),
                      complaint.answer)  # fmt: skip
    return complaint


start_confirmation_window = common.start_confirmation_window


def _relayed(channel_code: str, address: str = "") -> dict:
    """The audit payload's note of a channel relaying the complainant's word, and from where
    (the address cases.infra.client_address.client_ip gave)."""
    if not channel_code:
        return {}
    return {"relayed_by": channel_code, **({"relayed_from": address} if address else {})}


# How many evidence files one complaint takes, all uploads together.
MAX_EVIDENCE_FILES = 20


@transaction.atomic
def add_evidence(*, actor, complaint_id: int, upload) -> ComplaintEvidence:
    """The complainant adds one evidence file (with the complaint, or later while it is open),
    checked as repair materials are (size, type by content); the department holding it is told."""
    complaint = _locked(complaint_id)
    if actor is None:
        raise NotFound()
    _complainant_or_system(complaint, actor)
    if complaint.case.closed_at is not None:
        raise Conflict(_("The complaint is closed: evidence can no longer be added."))
    if complaint.evidence.count() >= MAX_EVIDENCE_FILES:
        raise InvalidInput(details={"evidence": [
            _("At most %(count)d evidence files per complaint.") % {"count": MAX_EVIDENCE_FILES}]})  # fmt: skip
    [(upload, content_type)] = evidence_checked([upload])
    evidence = _keep_evidence(complaint, upload, content_type, actor=actor)
    if complaint.case.department_id and not complaint.case.department.is_supervising_unit:
        common.tell_department(complaint, Phrase("New evidence on complaint %(number)s", number=complaint.case.number),
                               evidence.original_name)  # fmt: skip
    return evidence


def evidence_checked(files) -> list[tuple[object, str]]:
    """Evidence files given together, checked as the web form checks them (at most
    MAX_EVIDENCE_FILES, each by the upload rules); InvalidInput on the field "evidence"."""
    try:
        return uploads.check_materials(list(files), most=MAX_EVIDENCE_FILES)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, details={"evidence": exc.details["files"]}) from exc


@transaction.atomic
def attach_sent_evidence(*, complaint_id: int, checked, channel_code: str) -> list[ComplaintEvidence]:
    """The evidence a channel sent with its work order (evidence_checked), kept with the complaint
    the work order just opened; the audit event names the channel."""
    complaint = _locked(complaint_id)
    kept = []
    try:
        for upload, content_type in checked:
            kept.append(_keep_evidence(complaint, upload, content_type, actor=None, relayed_by=channel_code))
    except Exception:
        forget_files(kept)
        raise
    return kept


def forget_files(kept) -> None:
    """Remove the stored files of evidence rows a rollback undoes (a file is written when its row
    is created, and a rollback does not unwrite it)."""
    for evidence in kept:
        evidence.file.delete(save=False)


def _keep_evidence(complaint: Complaint, upload, content_type: str, *, actor, **noted) -> ComplaintEvidence:
    evidence = ComplaintEvidence.keep(upload, content_type, uploaded_by=actor, complaint=complaint)
    transitions.record(complaint.case, EventType.COMPLAINT_EVIDENCE_ADDED, actor=actor, file=evidence.original_name,
                       **noted)  # fmt: skip
    return evidence


def _complainant_or_system(complaint: Complaint, actor) -> None:
    """The complainant's own step: taken by the system (a window passing, a channel relaying) or by
    the complainant while they still act, verified, for the enterprise complained for."""
    if actor is None:
        return
    scaffold.require_filer(actor, filer_id=complaint.complainant_id, entity_kind="enterprise",
                           id_number=complaint.enterprise_uscc)  # fmt: skip


@transaction.atomic
def confirm(*, actor, complaint_id: int, by_default: bool = False, relayed_by: str = "",
            relayed_from: str = "") -> Complaint:  # fmt: skip
    """The complainant is satisfied with the answer or the rectification (or, with no answer in
    time, is taken to be): the loop closes. `relayed_by`: the code of the channel that called the
    complainant back and relays this; `relayed_from`: the address its request came from."""
    complaint = _locked(complaint_id)
    _complainant_or_system(complaint, actor)
    if by_default:
        source = SatisfactionSource.DEEMED
    else:
        source = SatisfactionSource.CHANNEL if relayed_by else SatisfactionSource.COMPLAINANT
    close_satisfied(complaint, actor, source=source, satisfied=True, by_default=by_default,
                    **_relayed(relayed_by, relayed_from))  # fmt: skip
    return complaint


def close_satisfied(complaint: Complaint, actor, *, source: str, satisfied: bool | None, by_default: bool = False,
                    **payload) -> None:  # fmt: skip
    """The loop closes on the complainant's word (or a call-back's, or the window's): a substantiated
    default closes cured, an unsubstantiated complaint closes explained. On a locked complaint."""
    _require_settled_if_arrears(complaint)
    complaint.satisfied, complaint.confirmed_by_default = satisfied, by_default
    complaint.satisfaction_source = source
    substantiated = complaint.finding == Finding.SUBSTANTIATED
    complaint.outcome = Outcome.CURED if substantiated else Outcome.UNSUBSTANTIATED
    complaint.save(update_fields=["satisfied", "confirmed_by_default", "satisfaction_source", "outcome"])
    _transition(complaint, ComplaintMachine.confirm, actor, by_default=by_default, source=source, **payload)
    services.close_deadline(case=complaint.case, step=CONFIRM, actor=actor)
    complaint.case.closed_at = timezone.now()
    _transition(complaint, ComplaintMachine.close, actor)
    if substantiated:
        rectification.note_cured(complaint)


@transaction.atomic
def object_to_answer(*, actor, complaint_id: int, reason: str, relayed_by: str = "",
                     relayed_from: str = "") -> Complaint:  # fmt: skip
    """The complainant is not satisfied: the case is reopened, at most the policy's number of
    times; after that the supervisors review it. `relayed_by` and `relayed_from` as for confirm."""
    complaint = _locked(complaint_id)
    _complainant_or_system(complaint, actor)
    reason = common.required_text(reason, "reason", _("Say what is not resolved."))
    reopen(complaint, actor, reason=reason, **_relayed(relayed_by, relayed_from))
    return complaint


def reopen(complaint: Complaint, actor, *, reason: str, **payload) -> None:
    """Not satisfied (said by the complainant, relayed, or heard on a call-back): the department
    answers again, at most the policy's number of times; after that the supervisors review it."""
    complaint.satisfied = False
    complaint.reopen_count += 1
    complaint.save(update_fields=["satisfied", "reopen_count"])
    _transition(complaint, ComplaintMachine.reopen, actor, reason=reason, times=complaint.reopen_count, **payload)
    services.close_deadline(case=complaint.case, step=CONFIRM, actor=actor)
    if complaint.reopen_count > policies.count("complaint", "reopen_limit"):
        _tell(services.users_with_role(Role.SUPERVISOR), complaint,
              Phrase("Complaint %(number)s needs your review", number=complaint.case.number), reason)  # fmt: skip
        return
    _transition(complaint, ComplaintMachine.resume, actor)
    services.start_deadline(case=complaint.case, step=ANSWER, label=_("Department's answer"),
                            policy_key="answer_within", assignee=complaint.case.assignee)  # fmt: skip
    common.tell_department(complaint, Phrase("Complaint %(number)s reopened", number=complaint.case.number), reason)


@transaction.atomic
def close_after_review(*, actor, complaint_id: int, conclusion: str) -> Complaint:
    """A supervisor closes a complaint reopened more often than the policy allows."""
    permissions.require(actor, "cases.supervise_all_cases")
    complaint = _locked(complaint_id)
    if not (conclusion or "").strip():
        raise InvalidInput(details={"conclusion": [_("Write the review's conclusion.")]})
    _require_settled_if_arrears(complaint)
    complaint.case.closed_at = timezone.now()
    complaint.outcome = Outcome.CLOSED_AFTER_REVIEW
    complaint.save(update_fields=["outcome"])
    _transition(complaint, ComplaintMachine.close, actor, conclusion=conclusion.strip())
    _tell_complainant(complaint, Phrase("Complaint %(number)s closed after review", number=complaint.case.number),
                      conclusion)  # fmt: skip
    return complaint


def may_deem_satisfied(complaint_id: int) -> bool:
    """A complaint that came by telephone, the counter or the hotline is deemed satisfied only after
    the policy's number of call-backs that did not reach the complainant (回访未果)."""
    complaint = Complaint.objects.select_related("channel").get(pk=complaint_id)
    if not complaint.channel.callback_required:
        return True
    failed = complaint.callbacks_made.filter(reached=False).count()
    return failed >= policies.count("complaint", "callback_attempts")


def confirm_overdue_answers(now=None) -> int:
    """A complainant who has not answered within the policy's days is taken to be satisfied
    (docs/domain.md, "Complaints"); each such complaint is confirmed once, by the system, on the record."""
    now = now or timezone.now()
    overdue = (
        Complaint.objects.filter(
            case__state__in=(ComplaintStatus.ANSWERED, ComplaintStatus.RECTIFIED),
            case__deadlines__step=CONFIRM,
            case__deadlines__closed_at__isnull=True,
            case__deadlines__due_at__lte=now,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    confirmed = 0
    for complaint_id in list(overdue):
        if not may_deem_satisfied(complaint_id):
            continue  # a telephone or counter complainant is called back first (回访)
        try:
            confirm(actor=None, complaint_id=complaint_id, by_default=True)
            confirmed += 1
        except (TransitionNotAllowed, Conflict):  # answered in the meantime, or arrears still unpaid
            continue
    return confirmed


# --- arrears (清欠) ------------------------------------------------------------------------------


paid_total, owed, arrears_settled = arrears.paid_total, arrears.owed, arrears.arrears_settled
_require_settled_if_arrears = arrears.require_settled_if_arrears


CENT = Decimal("0.01")
MAX_YUAN = Decimal(10) ** 12  # the ledger's columns: 14 digits, 2 of them after the point


def _money(value, field: str) -> Decimal:
    """An amount in yuan as the ledger keeps it: a finite number below 10¹² with at most two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(details={field: [_("Enter an amount in yuan.")]}) from exc
    if not amount.is_finite() or abs(amount) >= MAX_YUAN or amount != amount.quantize(CENT):
        raise InvalidInput(details={field: [_("Enter an amount in yuan.")]})
    return amount.quantize(CENT)


def _require_arrears_work(complaint: Complaint, actor) -> None:
    _require_department(complaint, actor)
    if complaint.subject != "arrears":
        raise Conflict(_("Only an arrears complaint has amounts and payments."))


@transaction.atomic
def confirm_amount(*, actor, complaint_id: int, amount) -> Complaint:
    """The amount the respondent acknowledges owing."""
    complaint = _locked(complaint_id)
    _require_arrears_work(complaint, actor)
    amount = _money(amount, "amount")
    if amount < 0:
        raise InvalidInput(details={"amount": [_("Enter an amount of zero or more.")]})
    complaint.amount_confirmed = amount
    complaint.save(update_fields=["amount_confirmed"])
    transitions.record(complaint.case, EventType.ARREARS_AMOUNT_CONFIRMED, actor=actor, amount=str(amount))
    return complaint


@transaction.atomic
def record_payment(*, actor, complaint_id: int, amount, paid_on, proof: str) -> Complaint:
    complaint = _locked(complaint_id)
    _require_arrears_work(complaint, actor)
    amount = _money(amount, "amount")
    if amount <= 0 or paid_on > timezone.localdate() or not (proof or "").strip():
        raise InvalidInput(details={"payment": [_("A positive amount, a date not in the future and the voucher.")]})
    if len(proof.strip()) > ArrearsPayment._meta.get_field("proof").max_length:
        raise InvalidInput(details={"proof": [_("The voucher number is too long.")]})
    ArrearsPayment.objects.create(complaint=complaint, amount=amount, paid_on=paid_on, proof=proof.strip(),
                                  recorded_by=actor)  # fmt: skip
    transitions.record(complaint.case, EventType.ARREARS_PAYMENT, actor=actor, amount=str(amount),
                       paid_on=paid_on.isoformat())  # fmt: skip
    _close_paid_instalments(complaint, actor)
    _tell_complainant(complaint, Phrase("Payment recorded on complaint %(number)s", number=complaint.case.number),
                      Phrase("%(amount)s yuan paid on %(day)s; still owed: %(owed)s yuan.", amount=f"{amount:,.2f}",
                             day=paid_on.isoformat(), owed=f"{owed(complaint):,.2f}"))  # fmt: skip
    return complaint


@transaction.atomic
def agree_plan(*, actor, complaint_id: int, instalments: list[tuple]) -> Complaint:
    """An agreed repayment plan: instalments (due date, amount) that add up to what is owed; each
    due date is watched like any deadline."""
    complaint = _locked(complaint_id)
    _require_arrears_work(complaint, actor)
    if complaint.plan_agreed_at is not None:
        raise Conflict(_("A repayment plan is already agreed."))
    if complaint.amount_confirmed is None:
        raise Conflict(_("Record the amount the respondent confirms first."))
    instalments = [(due_on, _money(amount, "instalments")) for due_on, amount in instalments]
    dates = [due_on for due_on, _amount in instalments]
    if any(amount <= 0 for _due, amount in instalments):
        raise InvalidInput(details={"instalments": [_("Each instalment must be more than zero yuan.")]})
    total = sum((amount for _due, amount in instalments), Decimal("0"))
    if (not instalments or dates != sorted(set(dates)) or dates[0] <= timezone.localdate()
            or total != owed(complaint)):  # fmt: skip
        raise InvalidInput(details={"instalments": [
            _("Future due dates in order, with amounts that add up to what is owed (%(owed)s yuan).")
            % {"owed": f"{owed(complaint):,.2f}"}]})  # fmt: skip
    for number, (due_on, amount) in enumerate(instalments, start=1):
        Instalment.objects.create(complaint=complaint, number=number, due_on=due_on, amount=Decimal(str(amount)))
        services.start_deadline_on(case=complaint.case, step=instalment_step(number),
                                   label=_("Instalment %(number)d") % {"number": number}, due_on=due_on)  # fmt: skip
    complaint.plan_agreed_at = timezone.now()
    complaint.save(update_fields=["plan_agreed_at"])
    transitions.record(complaint.case, EventType.ARREARS_PLAN_AGREED, actor=actor,
                       instalments=[[d.isoformat(), str(a)] for d, a in instalments])  # fmt: skip
    return complaint


def _close_paid_instalments(complaint: Complaint, actor) -> None:
    paid, covered = paid_total(complaint), Decimal("0")
    for instalment in complaint.instalments.all():
        covered += instalment.amount
        if covered > paid:
            break
        step = instalment_step(instalment.number)
        if complaint.case.deadlines.filter(step=step, closed_at__isnull=True).exists():
            services.close_deadline(case=complaint.case, step=step, actor=actor)


# --- closing the loop ------------------------------------------------------------------------


@transaction.atomic
def flag_typical(*, actor, complaint_id: int, typical: bool = True) -> Complaint:
    """A supervisor marks a case as typical, for public reporting (典型案例通报)."""
    permissions.require(actor, "cases.supervise_all_cases")
    complaint = _locked(complaint_id)
    complaint.typical = typical
    complaint.save(update_fields=["typical"])
    transitions.record(complaint.case, EventType.COMPLAINT_FLAGGED_TYPICAL, actor=actor, typical=typical)
    return complaint


# --- duplicates ------------------------------------------------------------------------------


def possible_duplicates(complaint: Complaint, similarity: float = 0.5) -> list[Complaint]:
    """Open complaints from the same enterprise about the same body within the policy's window,
    whose facts read alike: shown to the clerk at registration."""
    window = policies.calendar_days("complaint", "duplicate_window")
    since = complaint.received_at - timezone.timedelta(days=window)
    candidates = (
        Complaint.objects.select_related("case")
        .filter(enterprise_uscc=complaint.enterprise_uscc, received_at__gte=since, case__closed_at__isnull=True)
        .exclude(pk=complaint.pk)
    )
    respondent = _normalised(complaint.respondent)
    return [
        other
        for other in candidates
        if _normalised(other.respondent) == respondent
        and SequenceMatcher(None, other.facts, complaint.facts).ratio() >= similarity
    ]


def _normalised(text: str) -> str:
    return "".join(text.split()).lower()


@transaction.atomic
def merge(*, actor, complaint_id: int, into_id: int) -> Complaint:
    """The clerk merges a duplicate into the complaint that carries on; the duplicate is closed."""
    _require_clerk(actor)
    if complaint_id == into_id:
        raise InvalidInput(details={"into": [_("A complaint cannot be merged into itself.")]})
    complaint = _locked(complaint_id)
    target = Complaint.objects.select_related("case").filter(pk=into_id, case__closed_at__isnull=True).first()
    if target is None:
        raise NotFound()
    reason = _("Merged into %(number)s.") % {"number": target.case.number}
    complaint.case.closed_at = timezone.now()
    complaint.merged_into = target
    complaint.rejection_reason = reason
    complaint.outcome = Outcome.MERGED
    complaint.save(update_fields=["merged_into", "rejection_reason", "outcome"])
    _transition(complaint, ComplaintMachine.reject, actor, reason=reason, merged_into=target.case.number)
    services.close_open_deadlines(case=complaint.case, actor=actor)
    transitions.record(target.case, EventType.COMPLAINT_MERGED, actor=actor, duplicate=complaint.case.number)
    _tell_complainant(complaint, Phrase("Complaint %(number)s merged", number=complaint.case.number),
                      Phrase("Merged into %(number)s.", number=target.case.number))  # fmt: skip
    return complaint
