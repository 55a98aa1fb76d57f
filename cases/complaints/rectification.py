"""The rectification stage of a substantiated complaint (整改, docs/domain.md, "Complaints"), and
the government-integrity record (政务诚信记录) it feeds.

Found substantiated, the body must rectify by a date: the department shows it cured (evidence,
verified by a clerk or supervisor) and the complainant confirms the outcome; or the body refuses
or lets the date pass, and a clerk or supervisor confirms the breach (确认违约失信). Only a confirmed
breach is a breach entry on the body's record; a cured default is noted as cured.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.complaints import arrears, common
from cases.complaints.models import Complaint, EntryKind, IntegrityEntry, Outcome, RespondentBody
from cases.core import permissions, services, transitions
from cases.core.event_types import DeadlineStep, EventType
from cases.core.exceptions import Conflict, NotFound
from cases.core.models import AuditEvent, Deadline
from cases.core.states import ComplaintMachine, ComplaintStatus
from notifications.phrases import Phrase

RECTIFY = DeadlineStep.COMPLAINT_RECTIFY


def order(complaint: Complaint, actor, working_days: int | None) -> None:
    """The substantiated answer's order: the rectification period starts, supervised like any
    department deadline. On a locked complaint, in the answer's transaction."""
    common.transition(complaint, ComplaintMachine.order_rectification, actor, finding=complaint.finding,
                      remedy=complaint.remedy, **({"working_days": working_days} if working_days else {}))  # fmt: skip
    deadline = services.start_deadline(case=complaint.case, step=RECTIFY, label=_("Rectification"),
                                       policy_key="rectify_within", working_days=working_days)  # fmt: skip
    common.tell_complainant(
        complaint,
        Phrase(
            "Complaint %(number)s found substantiated: rectification by %(day)s",
            number=complaint.case.number,
            day=deadline.due_on.isoformat(),
        ),
        complaint.answer,
    )


def rectification_deadline(complaint: Complaint) -> Deadline | None:
    """The latest rectification period of the complaint (open or not)."""
    return complaint.case.deadlines.filter(step=RECTIFY).order_by("-started_on", "-id").first()


@transaction.atomic
def report_rectified(*, actor, complaint_id: int, evidence: str) -> Complaint:
    """The department shows the default cured, with its evidence (payment vouchers, the contract
    performed, the policy honoured); a clerk or supervisor then verifies it. Whoever of the
    department reports it (the caseworker or the head): it is the body's act, not the caseworker's."""
    complaint = common.locked(complaint_id)
    common.require_department(complaint, actor)
    evidence = common.required_text(evidence, "evidence", _("Describe the evidence that the default is cured."))
    if complaint.subject == "arrears" and not arrears.arrears_settled(complaint):
        raise Conflict(_("An arrears default is cured when the amount is paid in full or a repayment plan is "
                         "agreed: record the payments first."))  # fmt: skip
    complaint.rectification_evidence, complaint.rectification_reported_at = evidence, timezone.now()
    complaint.save(update_fields=["rectification_evidence", "rectification_reported_at"])
    common.transition(complaint, ComplaintMachine.report_rectification, actor, evidence=evidence)
    services.close_deadline(case=complaint.case, step=RECTIFY, actor=actor)
    common.tell_clerks(complaint, Phrase("Rectification of complaint %(number)s to verify",
                                         number=complaint.case.number), evidence)  # fmt: skip
    return complaint


@transaction.atomic
def verify(*, actor, complaint_id: int, note: str = "") -> Complaint:
    """A clerk or supervisor accepts the evidence: the default is cured (已整改). The complainant
    then confirms the outcome within the policy's days."""
    common.require_clerk_or_supervisor(actor)
    complaint = common.locked(complaint_id)
    if not complaint.rectification_evidence:
        raise Conflict(_("There is no evidence of rectification to verify."))
    complaint.rectified_at = timezone.now()
    complaint.save(update_fields=["rectified_at"])
    common.transition(complaint, ComplaintMachine.verify_rectification, actor, note=(note or "").strip())
    common.start_confirmation_window(complaint)
    title = Phrase("Complaint %(number)s: the default is rectified", number=complaint.case.number)
    common.tell_complainant(complaint, title, complaint.rectification_evidence)
    return complaint


@transaction.atomic
def send_back(*, actor, complaint_id: int, reason: str) -> Complaint:
    """The evidence does not show the default cured: the department carries on rectifying, by the
    date already set (the body does not gain time by reporting too early)."""
    common.require_clerk_or_supervisor(actor)
    complaint = common.locked(complaint_id)
    reason = common.required_text(reason, "reason", _("Say what the evidence does not show."))
    common.transition(complaint, ComplaintMachine.reject_rectification, actor, reason=reason)
    previous = rectification_deadline(complaint)
    due_on = max(previous.due_on, timezone.localdate()) if previous else timezone.localdate()
    services.start_deadline_on(case=complaint.case, step=RECTIFY, label=_("Rectification"), due_on=due_on)
    common.tell_department(complaint, Phrase("Rectification of complaint %(number)s not accepted",
                                             number=complaint.case.number), reason)  # fmt: skip
    return complaint


@transaction.atomic
def report_refusal(*, actor, complaint_id: int, statement: str) -> Complaint:
    """The department reports that the body refuses to rectify (拒不整改); a clerk or supervisor
    then confirms the breach."""
    complaint = common.locked(complaint_id)
    common.require_department(complaint, actor)
    statement = common.required_text(statement, "statement", _("Record what the body said or did."))
    complaint.refusal_statement = statement
    complaint.save(update_fields=["refusal_statement"])
    common.transition(complaint, ComplaintMachine.report_refusal, actor, statement=statement)
    services.close_deadline(case=complaint.case, step=RECTIFY, actor=actor)
    common.tell_clerks(complaint, Phrase("The body refuses to rectify complaint %(number)s",
                                         number=complaint.case.number), statement)  # fmt: skip
    return complaint


@transaction.atomic
def confirm_breach(*, actor, complaint_id: int, finding: str) -> Complaint:
    """A clerk or supervisor confirms the breach (确认违约失信): the body refused (拒不整改), or the
    rectification period has passed without the default cured (逾期未整改). The breach goes on
    the body's government-integrity record and the complaint closes."""
    common.require_clerk_or_supervisor(actor)
    complaint = common.locked(complaint_id)
    finding = common.required_text(finding, "finding", _("Write the finding of the breach."))
    state = complaint.case.state
    deadline = rectification_deadline(complaint)
    if state == ComplaintStatus.RECTIFYING and (deadline is None or deadline.due_at > timezone.now()):
        raise Conflict(_("The rectification period has not ended: a breach is confirmed when the body refuses "
                         "or the period passes."))  # fmt: skip
    grounds = "refused" if state == ComplaintStatus.REFUSED else "overdue"
    common.transition(complaint, ComplaintMachine.confirm_breach, actor, grounds=grounds, finding=finding)
    services.close_open_deadlines(case=complaint.case, actor=actor)
    complaint.outcome = Outcome.BREACH
    complaint.save(update_fields=["outcome"])
    complaint.case.closed_at = timezone.now()
    common.transition(complaint, ComplaintMachine.close, actor)
    record_breach(complaint, actor, finding)
    title = Phrase("Complaint %(number)s: breach confirmed", number=complaint.case.number)
    common.tell_complainant(complaint, title, finding)
    common.tell_department(complaint, title, finding)
    return complaint


# --- the government-integrity record -------------------------------------------------------


def body_of(complaint: Complaint) -> RespondentBody:
    body = getattr(complaint, "respondent_body", None)
    if body is not None:
        return body
    body, _created = RespondentBody.objects.get_or_create(name=" ".join(complaint.respondent.split()))
    return body


def history(complaint: Complaint) -> list[dict]:
    """What was ordered and what happened, from the case's audit trail."""
    steps = {
        EventType.COMPLAINT_ORDER_RECTIFICATION, EventType.COMPLAINT_REPORT_RECTIFICATION,
        EventType.COMPLAINT_REJECT_RECTIFICATION, EventType.COMPLAINT_VERIFY_RECTIFICATION,
        EventType.COMPLAINT_REPORT_REFUSAL, EventType.COMPLAINT_CONFIRM_BREACH, EventType.ARREARS_PAYMENT,
        EventType.ARREARS_PLAN_AGREED, EventType.DEADLINE_SUPERVISED, EventType.DEADLINE_ESCALATED,
    }  # fmt: skip
    events = AuditEvent.objects.for_subject(complaint.case).filter(event_type__in=steps).order_by("created_at", "id")
    return [{"at": event.created_at.isoformat(), "event": event.event_type, "payload": event.payload}
            for event in events]  # fmt: skip


def record_breach(complaint: Complaint, actor, finding: str) -> IntegrityEntry:
    """The breach entry: only for a breach confirmed on the case (a refusal to rectify, or the
    period passed), with the finding, the rectification history and who confirmed it."""
    if complaint.outcome != Outcome.BREACH:
        raise Conflict(_("Only a confirmed breach is entered on the integrity record as a breach."))
    body = body_of(complaint)
    entry, _created = IntegrityEntry.objects.update_or_create(complaint=complaint, defaults={
        "body": body, "kind": EntryKind.BREACH, "finding": finding, "history": history(complaint),
        "confirmed_by": actor, "summary": f"{complaint.case.title}：{complaint.answer}"[:2000],
    })  # fmt: skip
    transitions.record(complaint.case, EventType.COMPLAINT_INTEGRITY_RECORDED, actor=actor, body=body.name,
                       kind=EntryKind.BREACH)  # fmt: skip
    return entry


def note_cured(complaint: Complaint) -> IntegrityEntry:
    """A substantiated default the body cured: on the record as cured, never as a breach."""
    body = body_of(complaint)
    entry, _created = IntegrityEntry.objects.get_or_create(complaint=complaint, defaults={
        "body": body, "kind": EntryKind.CURED, "finding": complaint.answer, "history": history(complaint),
        "summary": f"{complaint.case.title}：{complaint.answer}"[:2000],
    })  # fmt: skip
    transitions.record(complaint.case, EventType.COMPLAINT_INTEGRITY_RECORDED, body=body.name, kind=EntryKind.CURED)
    return entry


@transaction.atomic
def mark_repaired(*, actor, entry_id: int, note: str) -> IntegrityEntry:
    """A breach entry is marked repaired when the body later performs (its own repair path):
    the entry stays on the record, shown as repaired; the step is on the complaint's audit trail."""
    permissions.require(actor, "cases.supervise_all_cases")
    entry = IntegrityEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    note = common.required_text(note, "note", _("Say how the body performed."))
    if entry.kind != EntryKind.BREACH:
        raise Conflict(_("Only a breach entry is repaired; a cured default is not a breach."))
    if entry.repaired_at is not None:
        raise Conflict(_("This entry is already marked repaired."))
    entry.repaired_at, entry.repaired_by, entry.repair_note = timezone.now(), actor, note
    entry.save(update_fields=["repaired_at", "repaired_by", "repair_note"])
    transitions.record(entry.complaint.case, EventType.INTEGRITY_ENTRY_REPAIRED, actor=actor, note=note)
    return entry
