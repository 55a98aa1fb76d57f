"""Formal notices: issued with their step, kept with the case, downloadable as PDF in Chinese."""

import re
import zlib
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.core import documents
from cases.core.models import AuditEvent, Notice
from cases.repair import services as repair
from tests.factories import ApplicantFactory, register_penalty, valid_uscc

pytestmark = pytest.mark.django_db

USCC = valid_uscc("91620702MA71ABCD0")


@pytest.fixture
def record(caseworker):
    with time_machine.travel(date(2026, 3, 5)):
        return register_penalty(caseworker)


def test_registering_a_penalty_issues_the_repair_notice_with_it(record):
    notice = Notice.objects.get(record=record)
    assert notice.kind == "repair_advice"
    assert notice.facts["repairable_from"] == "2026-06-02" and notice.facts["display_until"] == "2027-03-02"
    assert record.documents_delivered_at is not None
    assert AuditEvent.objects.filter(event_type="record.documents_delivered", reference=record.decision_number).exists()


def embedded_fonts(pdf: bytes) -> set[bytes]:
    names = set()
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            names |= set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-_]+)", zlib.decompress(stream.group(1))))
        except zlib.error:
            continue
    return names


def test_the_notice_is_a_pdf_with_an_embedded_chinese_font(record):
    pdf = documents.pdf_of(Notice.objects.get(record=record))
    assert pdf.startswith(b"%PDF")
    assert any(b"CJK-SC" in name for name in embedded_fonts(pdf))


def test_the_entity_downloads_its_notice_and_others_cannot(client, record):
    notice = Notice.objects.get(record=record)
    client.force_login(ApplicantFactory(username="entity", id_number=USCC))
    response = client.get(f"/notices/{notice.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(ApplicantFactory(username="stranger"))
    assert client.get(f"/notices/{notice.pk}/pdf/").status_code == 404


@time_machine.travel(date(2026, 11, 16))
def test_each_decision_issues_its_notice(record, caseworker):
    from cases.core.roles import Role
    from tests.factories import StaffFactory

    entity = ApplicantFactory(username="entity", id_number=USCC)
    head = StaffFactory(username="head", role=Role.DEPARTMENT_HEAD)
    application = repair.start_application(actor=entity, record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        repair.add_material(actor=entity, application_id=application.pk, code=code,
                            upload=SimpleUploadedFile("p.pdf", b"%PDF-1.7"))  # fmt: skip
    repair.submit(actor=entity, application_id=application.pk, obligations_fulfilled=True, commitment_signed=True)
    repair.issue_incomplete_notice(actor=caseworker, application_id=application.pk,
                                   missing=[{"code": "commitment", "reason": "未签字"}])  # fmt: skip
    repair.add_material(actor=entity, application_id=application.pk, code="commitment",
                        upload=SimpleUploadedFile("c.pdf", b"%PDF-1.7"))  # fmt: skip
    repair.resubmit(actor=entity, application_id=application.pk)
    repair.accept(actor=caseworker, application_id=application.pk)
    repair.start_review(actor=caseworker, application_id=application.pk)
    repair.propose_decision(actor=caseworker, application_id=application.pk, approve=True, reason="")
    repair.approve_decision(actor=head, application_id=application.pk)
    kinds = list(Notice.objects.filter(case=application.case).values_list("kind", flat=True))
    assert kinds == ["correction", "acceptance", "repair_decision"]
    correction = Notice.objects.get(case=application.case, kind="correction")
    assert correction.facts["missing"] == [{"code": "commitment", "name": "信用承诺书", "reason": "未签字"}]
    assert documents.pdf_of(correction).startswith(b"%PDF")
