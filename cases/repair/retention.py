"""What a repair application or an objection keeps of the people in it, anonymised when its
retention period has passed (cases/core/retention.py): the applicant's name and contact as a
platform pushed them, ID numbers and phone numbers written into the statement or the reasons, and
the materials and evidence files (deleted; their rows stay as the trace that a file was given).
The credit record and its party are the record's own data, kept by the record's rules."""

from cases.core.masking import ANONYMISED
from cases.core.retention import StoredFile, files_of, scrub_free_text
from cases.repair.models import Material, Objection, ObjectionEvidence, RepairApplication


def anonymise_applications(case_ids: list[int]) -> list[StoredFile]:
    applications = RepairApplication.objects.filter(case_id__in=case_ids)
    scrub_free_text(applications, "statement")
    applications.exclude(applicant_name="").update(applicant_name=ANONYMISED)
    applications.exclude(applicant_contact="").update(applicant_contact=ANONYMISED)
    return files_of(Material.objects.filter(application__case_id__in=case_ids))


def anonymise_objections(case_ids: list[int]) -> list[StoredFile]:
    scrub_free_text(Objection.objects.filter(case_id__in=case_ids), "reasons")
    return files_of(ObjectionEvidence.objects.filter(objection__case_id__in=case_ids))
