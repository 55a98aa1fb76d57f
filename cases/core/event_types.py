"""The names of what the audit trail records (EventType) and of the deadlines a case's steps run
against (DeadlineStep). Their values are the strings stored in the trail and in the deadlines
table, and hashed into the audit chain: they never change; a new event gets a new member.

Each event's label is how it reads on a case's timeline and on the public tracking page: every
member has a translated label, and a stored name that is not a member reads as "Step recorded"."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    CASE_OPENED = "case.opened", _("Case opened")
    CASE_CLAIMED = "case.claimed", _("Claimed by a caseworker")
    CASE_RELEASED = "case.released", _("Returned to the department's queue")
    CASE_HANDED = "case.handed", _("Handed to a caseworker by the department head")
    CASE_ANONYMISED = "case.anonymised", _("Personal data anonymised after the retention period")
    TASK_CLAIMED = "task.claimed", _("Task taken by a staff member")
    TASK_RELEASED = "task.released", _("Task put back for others to take")

    DEADLINE_STARTED = "deadline.started", _("Deadline set")
    DEADLINE_PAUSED = "deadline.paused", _("Clock stopped")
    DEADLINE_RESUMED = "deadline.resumed", _("Clock restarted")
    DEADLINE_EXTENDED = "deadline.extended", _("Deadline extended")
    DEADLINE_CLOSED = "deadline.closed", _("Step completed")
    DEADLINE_REMINDED = "deadline.reminded", _("Reminder sent")
    DEADLINE_SUPERVISED = "deadline.supervised", _("Supervision order issued")
    DEADLINE_ESCALATED = "deadline.escalated", _("Escalated to the district")
    SUPERVISION_ISSUED = "supervision.issued", _("Supervision order issued by a supervisor")
    SUPERVISION_ANSWERED = "supervision.answered", _("Department answered the supervision order")

    REPAIR_MATERIAL_ADDED = "repair.material_added", _("Material uploaded")
    REPAIR_MATERIAL_REPLACED = "repair.material_replaced", _("Material replaced by a new file")
    REPAIR_DRAFT_SAVED = "repair.draft_saved", _("Draft saved")
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
    REPAIR_SENT_BACK = "repair.sent_back", _("Sent back for re-review")
    REPAIR_EXTENSION_REQUESTED = "repair.extension_requested", _("Extension proposed")
    REPAIR_EXTENSION_APPROVED = "repair.extension_approved", _("Extension approved")
    REPAIR_EXTENSION_REFUSED = "repair.extension_refused", _("Extension refused")

    COMPLAINT_RECEIVED = "complaint.received", _("Complaint received")
    COMPLAINT_REGISTER = "complaint.register", _("Complaint registered")
    COMPLAINT_REREGISTER = "complaint.reregister", _("Registered again after the department's return")
    COMPLAINT_REJECT = "complaint.reject", _("Complaint not registered (out of scope)")
    COMPLAINT_ASSIGN = "complaint.assign", _("Assigned to a department")
    COMPLAINT_RETURN_MISROUTED = "complaint.return_misrouted", _("Returned by the department as not its duty")
    COMPLAINT_START_WORK = "complaint.start_work", _("The department started work")
    COMPLAINT_REQUEST_EXTENSION = "complaint.request_extension", _("Extension of the answer deadline requested")
    COMPLAINT_DECIDE_EXTENSION = "complaint.decide_extension", _("Extension request decided")
    COMPLAINT_ANSWER = "complaint.answer", _("The department answered")
    COMPLAINT_CONFIRM = "complaint.confirm", _("The complainant gave their verdict")
    COMPLAINT_REOPEN = "complaint.reopen", _("Reopened for further handling")
    COMPLAINT_RESUME = "complaint.resume", _("Handling resumed")
    COMPLAINT_CLOSE = "complaint.close", _("Complaint closed")
    COMPLAINT_INTEGRITY_RECORDED = "complaint.integrity_recorded", _("Entered in the government integrity record")
    COMPLAINT_FLAGGED_TYPICAL = "complaint.flagged_typical", _("Marked as a typical case")
    COMPLAINT_MERGED = "complaint.merged", _("Merged with another complaint")
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
    COMPLAINT_EVIDENCE_ADDED = "complaint.evidence_added", _("Evidence uploaded")
    INTEGRITY_ENTRY_REPAIRED = "complaint.integrity_repaired", _("Integrity entry marked repaired")
    ARREARS_AMOUNT_CONFIRMED = "arrears.amount_confirmed", _("Amount owed confirmed")
    ARREARS_PAYMENT = "arrears.payment", _("Payment recorded")
    ARREARS_PLAN_AGREED = "arrears.plan_agreed", _("Repayment plan agreed")

    RECORD_REGISTERED = "record.registered", _("Credit record registered")
    RECORD_DOCUMENTS_DELIVERED = "record.documents_delivered", _("Decision documents delivered")
    RECORD_REPAIRABLE = "record.repairable", _("Record became repairable")
    RECORD_DISPLAY_ENDED = "record.display_ended", _("Display period ended")
    RECORD_NOT_REPAIRABLE = "record.not_repairable", _("Record marked not repairable")

    POLICY_CHANGED = "policy.changed", _("Policy value changed")
    DEPARTMENT_DOCUMENTS_CHANGED = "department.documents_changed", _("Department's document settings changed")
    CALENDAR_DAY_SAVED = "calendar.day_saved", _("Calendar day saved")
    CALENDAR_DAY_REMOVED = "calendar.day_removed", _("Calendar day removed")
    REPORT_EXPORTED = "report.exported", _("Report exported")
    REPORT_REMINDED = "report.reminded", _("Report reminder sent")
    PHRASE_SAVED = "phrase.saved", _("Reply phrase saved")
    PHRASE_DELETED = "phrase.deleted", _("Reply phrase deleted")
    FILTER_SAVED = "filter.saved", _("Saved filter stored")
    FILTER_DEFAULT_SET = "filter.default_set", _("Default filter set")
    FILTER_DELETED = "filter.deleted", _("Saved filter deleted")

    USER_REGISTERED = "user.registered", _("Account registered")
    USER_ROLE_GRANTED = "user.role_granted", _("Role granted")
    USER_ROLE_REVOKED = "user.role_revoked", _("Role removed")
    USER_LOCKED = "user.locked", _("Account locked")
    USER_UNLOCKED = "user.unlocked", _("Account unlocked")
    USER_SIGN_IN_UNLOCKED = "user.sign_in_unlocked", _("Sign-in unlocked")
    USER_SECOND_FACTOR_RESET = "user.second_factor_reset", _("Second factor reset")
    IDENTITY_BOUND = "identity.bound", _("Identity verified and linked")
    IDENTITY_UNBOUND = "identity.unbound", _("Identity link removed")
    IDENTITY_CODE_SENT = "identity.code_sent", _("Verification code sent")
    IDENTITY_CODE_FAILED = "identity.code_failed", _("Verification code failed")
    PARTY_PHONE_SET = "party.phone_set", _("Mobile number on record set")
    OUTBOX_RESENT = "outbox.resent", _("Dead letters sent again")
    USER_PASSWORD_CODE_SENT = "user.password_code_sent", _("Code to set a new password sent")
    USER_PASSWORD_RESET = "user.password_reset", _("New password set")


# Internal deliberation and supervision stay with the office.
HIDDEN_FROM_APPLICANT = frozenset(
    {
        EventType.CASE_CLAIMED,
        EventType.CASE_RELEASED,
        EventType.CASE_HANDED,
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
    """How an event reads on a case's timeline; a name no longer (or not yet) in the enum reads as a
    step recorded, never as its stored name."""
    return str(EventType(event_type).label) if event_type in EventType.values else str(_("Step recorded"))


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
