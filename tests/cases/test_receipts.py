"""The receipt (回执) after filing: the case number and the verification code (查询码) that opens the
public tracking page, printable; both stay on the case's page for the applicant and for staff."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.complaints.models import Channel
from cases.core.models import Case
from cases.core.roles import Role
from cases.repair import services as repair
from tests.factories import ApplicantFactory, StaffFactory, register_penalty, valid_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    Channel.objects.create(code="website", name="信用网站投诉专栏", secret="s")
    return {
        "firm": ApplicantFactory(username="firm", phone="13912345678", id_number=valid_uscc("91620702MA71ABCD0")),
        "stranger": ApplicantFactory(username="stranger"),
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "worker": StaffFactory(username="worker"),
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def file_complaint(client):
    return client.post("/complaints/new/", {"token": "t-1", "respondent": "区某街道办事处", "subject": "arrears",
                                            "facts": "工程款 86 万元至今未付", "amount_claimed": "860000",
                                     "contact_name": "王经理", "contact_phone": "13812345678"},
                       follow=True)  # fmt: skip


def draft_application(world):
    record = register_penalty(world["worker"])
    application = repair.start_application(actor=world["firm"], record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        upload = SimpleUploadedFile("p.pdf", b"%PDF-1.7 x", content_type="application/pdf")
        repair.add_material(actor=world["firm"], application_id=application.pk, code=code, upload=upload)
    return application


def test_filing_a_complaint_ends_on_its_receipt_with_the_number_and_the_code(world):
    response = file_complaint(signed_in(world["firm"]))
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == f"/cases/{case.number}/receipt/"
    page = response.content.decode()
    assert "投诉受理回执" in page
    assert case.number in page and case.verification_code in page and "查询码" in page
    assert "data-print" in page and "js/print.js" in page  # a print button, no inline script
    assert f"/track/?number={case.number}&amp;code={case.verification_code}" in page
    assert f'href="/complaints/{case.number}/"' in page


def test_the_receipts_tracking_link_opens_the_case_without_signing_in(world):
    file_complaint(signed_in(world["firm"]))
    case = Case.objects.get()
    page = Client().get("/track/", {"number": case.number, "code": case.verification_code}).content.decode()
    assert case.number in page and "没有与该案件编号和查询码相符的案件" not in page


def test_submitting_a_repair_application_ends_on_its_receipt(world):
    application = draft_application(world)
    response = signed_in(world["firm"]).post(
        f"/repair/{application.case.number}/submit/", {"obligations": "on", "commitment": "on"}, follow=True
    )
    case = Case.objects.get(pk=application.case_id)
    assert case.state == "submitted"
    assert response.redirect_chain[-1][0] == f"/cases/{case.number}/receipt/"
    page = response.content.decode()
    assert "信用修复申请回执" in page and case.number in page and case.verification_code in page
    assert "受理" in page  # the next step and its date
    assert f'href="/repair/{case.number}/"' in page


def test_the_number_and_code_stay_on_the_complaint_page_for_the_complainant_and_the_clerk(world):
    file_complaint(signed_in(world["firm"]))
    case = Case.objects.get()
    for user in (world["firm"], world["clerk"]):
        page = signed_in(user).get(f"/complaints/{case.number}/").content.decode()
        assert case.verification_code in page and "查询码" in page
        assert f'href="/cases/{case.number}/receipt/"' in page and "打印回执" in page


def test_the_number_and_code_stay_on_the_application_page_for_the_applicant_and_the_caseworker(world):
    application = draft_application(world)
    repair.submit(actor=world["firm"], application_id=application.pk, obligations_fulfilled=True,
                  commitment_signed=True)  # fmt: skip
    case = application.case
    for user in (world["firm"], world["worker"]):
        page = signed_in(user).get(f"/repair/{case.number}/").content.decode()
        assert case.verification_code in page and "查询码" in page
        assert signed_in(user).get(f"/cases/{case.number}/receipt/").status_code == 200


def test_a_draft_has_no_code_shown_and_no_receipt(world):
    application = draft_application(world)
    client = signed_in(world["firm"])
    page = client.get(f"/repair/{application.case.number}/").content.decode()
    assert application.case.verification_code not in page
    assert client.get(f"/cases/{application.case.number}/receipt/").status_code == 404


def test_someone_elses_receipt_is_not_found(world):
    file_complaint(signed_in(world["firm"]))
    case = Case.objects.get()
    assert signed_in(world["stranger"]).get(f"/cases/{case.number}/receipt/").status_code == 404
