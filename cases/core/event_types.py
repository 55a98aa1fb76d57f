"""The names of what the audit trail records (EventType) and of the deadlines a case's steps run
against (DeadlineStep). Their values are the strings stored in the trail and in the deadlines
table, and hashed into the audit chain: they never change; a new event gets a new member.

Each event's label is how it reads on a case's timeline; an event without a translated label
reads as its own name there (as the office's staff know it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    CASE_OPENED = "case.opened", _("Case opened")
    CASE_CLAIMED = "case.claimed", _("Claimed by a caseworker")
    CASE_RELEASED = "case.released", _("Returned to the department's queue")
    TASK_CLAIMED = "task.claimed", "task.claimed"
    TASK_RELEASED = "task.released", "task.released"

    DEADLINE_STARTED = "deadline.started", _("Deadline set")
    DEADLINE_PAUSED = "deadline.paused", _("Clock stopped")
    DEADLINE_RESUMED = "deadline.resumed", _("Clock restarted")
    DEADLINE_EXTENDED = "deadline.extended", _("Deadline extended")
    DEADLINE_CLOSED = "deadline.closed", _("Step completed")
    DEADLINE_REMINDED = "deadline.reminded", _("Reminder sent (催办)")
    DEADLINE_SUPERVISED = "deadline.supervised", _("Supervision order issued (督办单)")
    DEADLINE_ESCALATED = "deadline.escalated", _("Escalated to the district (挂牌督办)")
    SUPERVISION_ISSUED = "supervision.issued", _("Supervision order issued by a supervisor")
    SUPERVISION_ANSWERED = "supervision.answered", _("Department answered the supervision order")

    REPAIR_MATERIAL_ADDED = "repair.material_added", _("Material uploaded")
    OBJECTION_RAISED = "objection.raised", _("Credit information objection raised")
    OBJECTION_START_CHECK = "objection.start_check", _("Check of the objection started")
    OBJECTION_CORRECT = "objection.correct", _("Record corrected after the objection")
    OBJECTION_CONFIRM = "objection.confirm", _("Record confirmed after the objection")
    OBJECTION_WITHDRAW_RECORD = "objection.withdraw_record", _("Publication withdrawn after the objection")
    REPAIR_SUBMIT = "repair.submit", _("Application submitted")
    REPAIR_REQUEST_MATERIALS = "repair.request_materials", _("One-time notice of materials to complete")
    REPAIR_RESUBMIT = "repair.resubmit", _("Materials completed and resubmitted")
    REPAIR_ACCEPT = "repair.accept", _("Accepted")
    REPAIR_REFUSE = "repair.refuse", _("Not accepted")
    REPAIR_START_REVIEW = "repair.start_review", _("Review started")
    REPAIR_DECISION_PROPOSED = "repair.decision_proposed", _("Decision proposed")
    REPAIR_APPROVE = "repair.approve", _("Repair approved")
    REPAIR_REJECT = "repair.reject", _("Repair refused")
    REPAIR_REPAIR_RECORD = "repair.repair_record", _("Record no longer displayed")
    REPAIR_MARK_SYNCED = "repair.mark_synced", _("Synced to the national credit site")
    REPAIR_WITHDRAW = "repair.withdraw", _("Withdrawn by the applicant")
    REPAIR_REVOKE = "repair.revoke", _("Repair revoked")
    REPAIR_LAPSE = "repair.lapse", _("Ended: materials not completed within the correction period")
    REPAIR_TERMINATE = "repair.terminate", _("Ended: the record is no longer displayed")
    REPAIR_SENT_BACK = "repair.sent_back", _("Sent back for re-review (发回重审)")
    REPAIR_EXTENSION_REQUESTED = "repair.extension_requested", _("Extension proposed")
    REPAIR_EXTENSION_APPROVED = "repair.extension_approved", _("Extension approved")
    REPAIR_EXTENSION_REFUSED = "repair.extension_refused", _("Extension refused")

    COMPLAINT_RECEIVED = "complaint.received", "complaint.received"
    COMPLAINT_REGISTER = "complaint.register", "complaint.register"
    COMPLAINT_REREGISTER = "complaint.reregister", "complaint.reregister"
    COMPLAINT_REJECT = "complaint.reject", "complaint.reject"
    COMPLAINT_ASSIGN = "complaint.assign", "complaint.assign"
    COMPLAINT_RETURN_MISROUTED = "complaint.return_misrouted", "complaint.return_misrouted"
    COMPLAINT_START_WORK = "complaint.start_work", "complaint.start_work"
    COMPLAINT_REQUEST_EXTENSION = "complaint.request_extension", "complaint.request_extension"
    COMPLAINT_DECIDE_EXTENSION = "complaint.decide_extension", "complaint.decide_extension"
    COMPLAINT_ANSWER = "complaint.answer", "complaint.answer"
    COMPLAINT_CONFIRM = "complaint.confirm", "complaint.confirm"
    COMPLAINT_REOPEN = "complaint.reopen", "complaint.reopen"
    COMPLAINT_RESUME = "complaint.resume", "complaint.resume"
    COMPLAINT_CLOSE = "complaint.close", "complaint.close"
    COMPLAINT_INTEGRITY_RECORDED = "complaint.integrity_recorded", "complaint.integrity_recorded"
    COMPLAINT_FLAGGED_TYPICAL = "complaint.flagged_typical", "complaint.flagged_typical"
    COMPLAINT_MERGED = "complaint.merged", "complaint.merged"
    COMPLAINT_REQUEST_RETURN = "complaint.request_return", _("The department asks to return the complaint")
    COMPLAINT_APPROVE_RETURN = "complaint.approve_return", _("Return approved: back to routing")
    COMPLAINT_REFUSE_RETURN = "complaint.refuse_return", _("Return refused: the department keeps the complaint")
    COMPLAINT_ORDER_RECTIFICATION = "complaint.order_rectification", _("Found substantiated: rectification ordered")
    COMPLAINT_REPORT_RECTIFICATION = "complaint.report_rectification", _("Rectification reported with evidence")
    COMPLAINT_VERIFY_RECTIFICATION = "complaint.verify_rectification", _("Rectification verified")
    COMPLAINT_REJECT_RECTIFICATION = "complaint.reject_rectification", _("Rectification not accepted")
    COMPLAINT_REPORT_REFUSAL = "complaint.report_refusal", _("The body refuses to rectify")
    COMPLAINT_CONFIRM_BREACH = "complaint.confirm_breach", _("Breach confirmed")
    COMPLAINT_WITHDRAW = "complaint.withdraw", _("Withdrawn by the complainant")
    COMPLAINT_CALLBACK = "complaint.callback", _("Call-back recorded")
    INTEGRITY_ENTRY_REPAIRED = "complaint.integrity_repaired", _("Integrity entry marked repaired")
    ARREARS_AMOUNT_CONFIRMED = "arrears.amount_confirmed", "arrears.amount_confirmed"
    ARREARS_PAYMENT = "arrears.payment", "arrears.payment"
    ARREARS_PLAN_AGREED = "arrears.plan_agreed", "arrears.plan_agreed"

    RECORD_REGISTERED = "record.registered", "record.registered"
    RECORD_DOCUMENTS_DELIVERED = "record.documents_delivered", "record.documents_delivered"
    RECORD_REPAIRABLE = "record.repairable", "record.repairable"
    RECORD_DISPLAY_ENDED = "record.display_ended", "record.display_ended"
    RECORD_NOT_REPAIRABLE = "record.not_repairable", "record.not_repairable"

    POLICY_CHANGED = "policy.changed", "policy.changed"
    DEPARTMENT_DOCUMENTS_CHANGED = "department.documents_changed", "department.documents_changed"
    CALENDAR_DAY_SAVED = "calendar.day_saved", "calendar.day_saved"
    CALENDAR_DAY_REMOVED = "calendar.day_removed", "calendar.day_removed"
    REPORT_EXPORTED = "report.exported", "report.exported"
    REPORT_REMINDED = "report.reminded", "report.reminded"

    USER_REGISTERED = "user.registered", "user.registered"
    USER_ROLE_GRANTED = "user.role_granted", "user.role_granted"
    USER_ROLE_REVOKED = "user.role_revoked", "user.role_revoked"
    USER_LOCKED = "user.locked", "user.locked"
    USER_UNLOCKED = "user.unlocked", "user.unlocked"
    USER_SIGN_IN_UNLOCKED = "user.sign_in_unlocked", "user.sign_in_unlocked"
    USER_SECOND_FACTOR_RESET = "user.second_factor_reset", "user.second_factor_reset"
    IDENTITY_BOUND = "identity.bound", "identity.bound"
    IDENTITY_UNBOUND = "identity.unbound", "identity.unbound"
    IDENTITY_CODE_SENT = "identity.code_sent", "identity.code_sent"
    IDENTITY_CODE_FAILED = "identity.code_failed", "identity.code_failed"
    PARTY_PHONE_SET = "party.phone_set", "party.phone_set"
    OUTBOX_RESENT = "outbox.resent", _("Dead letters sent again")
    USER_PASSWORD_CODE_SENT = "user.password_code_sent", _("Code to set a new password sent")
    USER_PASSWORD_RESET = "user.password_reset", _("New password set")


# Internal deliberation and supervision stay with the office.
HIDDEN_FROM_APPLICANT = frozenset(
    {
        EventType.CASE_CLAIMED,
        EventType.CASE_RELEASED,
        EventType.REPAIR_DECISION_PROPOSED,
        EventType.REPAIR_SENT_BACK,
        EventType.REPAIR_EXTENSION_REQUESTED,
        EventType.REPAIR_EXTENSION_REFUSED,
        EventType.DEADLINE_REMINDED,
        EventType.DEADLINE_SUPERVISED,
        EventType.DEADLINE_ESCALATED,
        EventType.SUPERVISION_ISSUED,
        EventType.SUPERVISION_ANSWERED,
        # The department and the clerks settling whose duty a complaint is.
        EventType.COMPLAINT_REQUEST_RETURN,
        EventType.COMPLAINT_REFUSE_RETURN,
    }
)


def label(event_type: str) -> str:
    """How an event reads on a case's timeline; a name no longer (or not yet) in the enum reads as itself."""
    return str(EventType(event_type).label) if event_type in EventType.values else event_type


class DeadlineStep(models.TextChoices):
    """The steps a deadline runs against (Deadline.step). Not events: `repair.accept` the deadline
    is the time allowed to accept, `repair.accept` the event is the acceptance."""

    REPAIR_ACCEPT = "repair.accept", _("Acceptance")
    REPAIR_DECIDE = "repair.decide", _("Repair decision")
    REPAIR_SYNC = "repair.sync", _("Sync to the national site")
    REPAIR_CORRECT = "repair.correct", _("Correction period (applicant)")
    OBJECTION_CHECK = "objection.check", _("Check of the objection")
    COMPLAINT_REGISTER = "complaint.register", _("Registration")
    COMPLAINT_ASSIGN = "complaint.assign", _("Assignment to a department")
    COMPLAINT_ANSWER = "complaint.answer", _("Department's answer")
    COMPLAINT_CONFIRM = "complaint.confirm", _("Complainant's confirmation")
    COMPLAINT_RECTIFY = "complaint.rectify", _("Rectification")


INSTALMENT_STEP = "arrears.instalment."


def instalment_step(number: int) -> str:
    """The deadline of the n-th instalment of a repayment plan (one per instalment, so not a member)."""
    return f"{INSTALMENT_STEP}{number}"
