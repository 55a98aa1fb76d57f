"""What a repair application or an objection keeps of the people in it, anonymised when its
retention period has passed (cases/core/retention.py): the applicant's name and contact as a
platform pushed them, ID numbers and phone numbers written into the statement or the reasons, and
the materials and evidence files (deleted; their rows stay as the trace that a file was given).
The credit record and its party are the record's own data, kept by the record's rules."""

from cases.core.masking import ANONYMISED, scrub_text
from cases.core.retention import StoredFile, files_of
from cases.repair.models import Material, Objection, ObjectionEvidence, RepairApplication


def _scrub(model, field: str, rows) -> None:
    for row in rows.only("id", field):
        scrubbed = scrub_text(getattr(row, field))
        if scrubbed != getattr(row, field):
            model.objects.filter(pk=row.pk).update(**{field: scrubbed})


def anonymise_applications(case_ids: list[int]) -> list[StoredFile]:
    applications = RepairApplication.objects.filter(case_id__in=case_ids)
    _scrub(RepairApplication, "statement", applications)
    applications.exclude(applicant_name="").update(applicant_name=ANONYMISED)
    applications.exclude(applicant_contact="").update(applicant_contact=ANONYMISED)
    return files_of(Material.objects.filter(application__case_id__in=case_ids))


def anonymise_objections(case_ids: list[int]) -> list[StoredFile]:
    _scrub(Objection, "reasons", Objection.objects.filter(case_id__in=case_ids))
    return files_of(ObjectionEvidence.objects.filter(objection__case_id__in=case_ids))
