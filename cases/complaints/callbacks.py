"""Call-backs (回访): a clerk calls the complainant back while the answer or the rectification
awaits their confirmation, and records what they said. Satisfied or no opinion closes the loop
(recorded as a call-back's answer, apart from "deemed satisfied"); not satisfied reopens it (or,
past the policy's limit, goes to the supervisors); not reached is an attempt on record, which a
telephone or counter complaint needs before it may be deemed satisfied."""

from django.db import transaction
from django.utils.translation import gettext as _

from cases.complaints import common
from cases.complaints import services as complaints
from cases.complaints.models import CallBack, Complaint, SatisfactionSource
from cases.core import transitions
from cases.core.event_types import EventType
from cases.core.exceptions import Conflict, InvalidInput
from cases.core.states import ComplaintStatus

AWAITING_CONFIRMATION = (ComplaintStatus.ANSWERED, ComplaintStatus.RECTIFIED)
NOTE_MAX = 2000


@transaction.atomic
def record(*, actor, complaint_id: int, reached: bool, opinion: str = "", note: str = "") -> Complaint:
    common.require_clerk(actor)
    complaint = common.locked(complaint_id)
    if complaint.case.state not in AWAITING_CONFIRMATION:
        raise Conflict(_("A call-back is recorded while the complainant's confirmation is awaited."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(details={"note": [_("The note is too long.")]})
    if reached and opinion not in CallBack.Opinion.values:
        raise InvalidInput(details={"opinion": [_("Choose what the complainant said.")]})
    if reached and opinion == CallBack.Opinion.NOT_SATISFIED and not note:
        raise InvalidInput(details={"note": [_("Write down what the complainant says is not resolved.")]})
    opinion = opinion if reached else ""
    CallBack.objects.create(complaint=complaint, made_by=actor, reached=reached, opinion=opinion, note=note)
    transitions.record(complaint.case, EventType.COMPLAINT_CALLBACK, actor=actor, reached=reached, opinion=opinion)
    if opinion == CallBack.Opinion.SATISFIED:
        complaints.close_satisfied(complaint, actor, source=SatisfactionSource.CALLBACK, satisfied=True)
    elif opinion == CallBack.Opinion.NO_OPINION:
        complaints.close_satisfied(complaint, actor, source=SatisfactionSource.CALLBACK, satisfied=None)
    elif opinion == CallBack.Opinion.NOT_SATISFIED:
        complaints.reopen(complaint, actor, reason=note, callback=True)
    return complaint


def awaiting_callback(complaints_qs):
    """Complaints whose confirmation is awaited and whose channel needs a call-back: the clerks' list."""
    return complaints_qs.filter(case__state__in=AWAITING_CONFIRMATION, channel__callback_required=True)
