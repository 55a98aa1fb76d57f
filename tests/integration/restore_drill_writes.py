"""Complaints filed through the intake service, each with an evidence file, as the restore drill's
writes: `python -m tests.integration.restore_drill_writes LABEL COUNT` against DATABASE_URL,
MEDIA_ROOT and PRIVATE_ROOT. Prints the case numbers it opened, one a line."""

import sys

import django


def write(label: str, count: int) -> list[str]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from cases.complaints import intake
    from cases.complaints import services as complaint_services
    from cases.complaints.models import Channel
    from tests.factories import work_order_data

    channel = Channel.objects.get(code="12345")
    numbers = []
    for i in range(count):
        reference = f"DRILL-{label}-{i}"
        pdf = SimpleUploadedFile(f"{reference}.pdf", b"%PDF-1.7\n" + reference.encode() * 64, "application/pdf")
        with transaction.atomic():
            checked = complaint_services.evidence_checked([pdf])
            order, _created = intake.accept_with_evidence(
                channel=channel, data=work_order_data(reference), evidence=checked
            )
        numbers.append(order.complaint.case.number)
    return numbers


if __name__ == "__main__":
    django.setup()
    print("\n".join(write(sys.argv[1], int(sys.argv[2]))))
