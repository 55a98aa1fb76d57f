"""What a complaint case keeps of the people in it, anonymised when its retention period has
passed (cases/core/retention.py): the complainant's name, phone and e-mail on the complaint and
in the work order it was opened from, ID numbers and phone numbers written into the facts, the
reason for a withdrawal and the notes of call-backs, and the evidence files (deleted; their rows
stay as the trace that evidence was given). The enterprise, its credit code and the respondent
body are not a person's data and stay."""

from cases.complaints.models import CallBack, Complaint, ComplaintEvidence, WorkOrder
from cases.core.masking import ANONYMISED, scrub_text
from cases.core.retention import StoredFile, files_of, scrub_free_text

# The keys of a work order's payload that name or reach the complainant.
_WORK_ORDER_KEYS = ("complainant_name", "complainant_phone", "complainant_email")


def anonymise(case_ids: list[int]) -> list[StoredFile]:
    complaints = Complaint.objects.filter(case_id__in=case_ids)
    scrub_free_text(complaints, "facts", "withdrawal_reason")
    scrub_free_text(CallBack.objects.filter(complaint__case_id__in=case_ids), "note")
    complaints.update(complainant_name=ANONYMISED, complainant_email="")
    complaints.exclude(complainant_phone="").update(complainant_phone=ANONYMISED)
    for order in WorkOrder.objects.filter(complaint__case_id__in=case_ids).only("id", "payload"):
        payload = {key: ANONYMISED if key in _WORK_ORDER_KEYS and value else value
                   for key, value in order.payload.items()}  # fmt: skip
        if "facts" in payload:
            payload["facts"] = scrub_text(payload["facts"])
        if payload != order.payload:
            WorkOrder.objects.filter(pk=order.pk).update(payload=payload)
    return files_of(ComplaintEvidence.objects.filter(complaint__case_id__in=case_ids))
