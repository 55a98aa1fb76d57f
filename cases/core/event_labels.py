"""How each audit event reads on a case's timeline, and which ones the applicant sees."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "case.opened": _("Case opened"),
    "case.claimed": _("Claimed by a caseworker"),
    "case.released": _("Returned to the department's queue"),
    "deadline.started": _("Deadline set"),
    "deadline.paused": _("Clock stopped"),
    "deadline.resumed": _("Clock restarted"),
    "deadline.extended": _("Deadline extended"),
    "deadline.closed": _("Step completed"),
    "deadline.reminded": _("Reminder sent (催办)"),
    "deadline.supervised": _("Supervision order issued (督办单)"),
    "deadline.escalated": _("Escalated to the district (挂牌督办)"),
    "supervision.issued": _("Supervision order issued by a supervisor"),
    "supervision.answered": _("Department answered the supervision order"),
    "repair.material_added": _("Material uploaded"),
    "repair.submit": _("Application submitted"),
    "repair.request_materials": _("One-time notice of materials to complete"),
    "repair.resubmit": _("Materials completed and resubmitted"),
    "repair.accept": _("Accepted"),
    "repair.refuse": _("Not accepted"),
    "repair.start_review": _("Review started"),
    "repair.decision_proposed": _("Decision proposed"),
    "repair.approve": _("Repair approved"),
    "repair.reject": _("Repair refused"),
    "repair.repair_record": _("Record no longer displayed"),
    "repair.mark_synced": _("Synced to the national credit site"),
    "repair.withdraw": _("Withdrawn by the applicant"),
    "repair.revoke": _("Repair revoked"),
}

# Internal deliberation and supervision stay with the office.
HIDDEN_FROM_APPLICANT = {
    "case.claimed",
    "case.released",
    "repair.decision_proposed",
    "deadline.reminded",
    "deadline.supervised",
    "deadline.escalated",
    "supervision.issued",
    "supervision.answered",
}


def label(event_type: str) -> str:
    return str(LABELS.get(event_type, event_type))
