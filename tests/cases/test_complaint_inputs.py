"""What the complaint form asks for: evidence files (checked as repair materials are, kept
privately, opened only by the complainant and the staff who see the complaint), the contact
(person, phone, e-mail) shown to the department, and the amount of an arrears complaint."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cases.complaints.models import Channel, Complaint, ComplaintEvidence
from cases.core import identifiers
from cases.core.models import Department
from cases.core.roles import Role
from tests.factories import ApplicantFactory, StaffFactory, valid_uscc

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def world(db):
    Channel.objects.create(code="website", name="信用网站投诉专栏", secret="s")
    return {
        "firm": ApplicantFactory(username="firm", phone="13912345678", full_name="张经理"),
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "worker": StaffFactory(username="worker", department__code="czj"),
        "other_worker": StaffFactory(username="other-worker", department__code="fgj"),
    }


def pdf(name="contract.pdf", content=b"%PDF-1.7 the contract"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form(**changes):
    data = {"token": "t-1", "respondent": "区某街道办事处", "subject": "arrears", "facts": "工程款 86 万元至今未付",
            "amount_claimed": "860000.00", "contact_name": "王会计", "contact_phone": "13812345678",
            "contact_email": "wang@example.com"}  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def file(client, firm, **changes):
    client.force_login(firm)
    return client.post("/complaints/new/", form(**changes))


def routed(client, world) -> Complaint:
    """Filed with a contract as evidence, registered and assigned to the worker's department."""
    assert file(client, world["firm"], evidence=[pdf()]).status_code == 302
    complaint = Complaint.objects.get()
    client.force_login(world["clerk"])
    number = complaint.case.number
    client.post(f"/complaints/{number}/register/", {"subject": "arrears", "respondent": "区某街道办事处"})
    client.post(f"/complaints/{number}/assign/", {"department": Department.objects.get(code="czj").pk})
    return complaint


# --- evidence -----------------------------------------------------------------------------------


def test_the_form_takes_evidence_files_with_the_complaint(client, world):
    response = file(client, world["firm"], evidence=[pdf(), SimpleUploadedFile("invoice.png", PNG, "image/png")])
    assert response.status_code == 302
    names = set(ComplaintEvidence.objects.values_list("original_name", flat=True))
    assert names == {"contract.pdf", "invoice.png"}
    assert "/receipt/" in response["Location"]  # the receipt first, then the complaint lists its files
    number = ComplaintEvidence.objects.first().complaint.case.number
    page = client.get(f"/complaints/{number}/").content.decode()
    assert "contract.pdf" in page and "invoice.png" in page


def test_evidence_is_stored_privately_never_under_media(client, world):
    file(client, world["firm"], evidence=[pdf()])
    evidence = ComplaintEvidence.objects.get()
    assert Path(evidence.file.path).is_relative_to(settings.PRIVATE_ROOT)
    assert not Path(evidence.file.path).is_relative_to(settings.MEDIA_ROOT)
    assert "contract" not in evidence.file.name  # stored under a random name
    with pytest.raises(ValueError):
        evidence.file.url  # noqa: B018 - a private file has no URL


@override_settings(MAX_MATERIAL_BYTES=1024)
def test_an_oversized_evidence_file_is_refused_on_the_form_and_nothing_is_filed(client, world):
    response = file(client, world["firm"], evidence=[pdf(content=b"%PDF-1.7" + b"0" * 2048)])
    assert response.status_code == 400
    page = response.content.decode()
    assert "contract.pdf" in page and "MB" in page
    assert "工程款 86 万元至今未付" in page  # what was typed is kept
    assert not Complaint.objects.exists()


def test_an_evidence_file_whose_content_is_not_its_type_is_refused(client, world):
    response = file(client, world["firm"], evidence=[pdf("invoice.pdf", b"MZ\x90\x00 an executable")])
    assert response.status_code == 400
    assert "invoice.pdf" in response.content.decode()
    assert not Complaint.objects.exists()


def test_an_evidence_file_of_another_type_is_refused(client, world):
    response = file(client, world["firm"], evidence=[SimpleUploadedFile("notes.docx", b"PK\x03\x04", "text/plain")])
    assert response.status_code == 400
    assert "notes.docx" in response.content.decode()
    assert not ComplaintEvidence.objects.exists()


def test_the_complainant_and_the_department_open_the_evidence(client, world):
    complaint = routed(client, world)
    evidence = complaint.evidence.get()
    for person in (world["firm"], world["worker"], world["clerk"]):
        client.force_login(person)
        response = client.get(f"/complaints/evidence/{evidence.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.7 the contract"


def test_someone_elses_evidence_is_refused(client, world):
    complaint = routed(client, world)
    url = f"/complaints/evidence/{complaint.evidence.get().pk}/"
    client.force_login(ApplicantFactory(username="other-firm", id_number=valid_uscc("91620702MA71WXYY0")))
    assert client.get(url).status_code == 404
    client.force_login(world["other_worker"])  # a department the complaint was not routed to
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_complainant_adds_evidence_later_on_the_complaint_page(client, world):
    complaint = routed(client, world)
    client.force_login(world["firm"])
    number = complaint.case.number
    assert "补充证据材料" in client.get(f"/complaints/{number}/").content.decode()
    response = client.post(f"/complaints/{number}/evidence/", {"evidence": [pdf("receipt.pdf")]})
    assert response.status_code == 302
    assert "receipt.pdf" in client.get(f"/complaints/{number}/").content.decode()
    client.force_login(world["worker"])
    assert "receipt.pdf" in client.get(f"/complaints/{number}/").content.decode()


def test_staff_cannot_add_evidence_for_the_complainant(client, world):
    complaint = routed(client, world)
    client.force_login(world["worker"])
    response = client.post(f"/complaints/{complaint.case.number}/evidence/", {"evidence": [pdf("mine.pdf")]})
    assert response.status_code == 404
    assert complaint.evidence.count() == 1


def test_a_later_wrong_type_evidence_file_is_refused_with_its_reason(client, world):
    complaint = routed(client, world)
    client.force_login(world["firm"])
    response = client.post(f"/complaints/{complaint.case.number}/evidence/",
                           {"evidence": [pdf("scan.pdf", b"not a pdf")]})  # fmt: skip
    assert response.status_code == 400
    assert "scan.pdf" in response.content.decode()
    assert complaint.evidence.count() == 1


# --- contact ------------------------------------------------------------------------------------


def test_the_contact_is_shown_to_the_handling_department(client, world):
    complaint = routed(client, world)
    client.force_login(world["worker"])
    page = client.get(f"/complaints/{complaint.case.number}/").content.decode()
    assert "联系方式" in page
    assert "王会计" in page and "13812345678" in page and "wang@example.com" in page


def test_the_form_starts_with_the_account_holders_name_and_phone(client, world):
    client.force_login(world["firm"])
    page = client.get("/complaints/new/").content.decode()
    assert 'value="张经理"' in page and 'value="13912345678"' in page


@pytest.mark.parametrize("phone", ["12345", "1381234567", "23812345678", "0936-12345", "电话"])
def test_a_phone_that_is_not_a_mainland_number_is_refused(client, world, phone):
    response = file(client, world["firm"], contact_phone=phone)
    assert response.status_code == 400
    assert "请填写 11 位手机号码" in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_landline_with_its_area_code_is_taken(client, world):
    assert file(client, world["firm"], contact_phone="0936-8212345").status_code == 302
    assert Complaint.objects.get().complainant_phone == "0936-8212345"


def test_the_contact_person_is_required(client, world):
    response = file(client, world["firm"], contact_name="")
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_the_e_mail_is_optional_but_checked(client, world):
    assert file(client, world["firm"], contact_email="not-an-address").status_code == 400
    assert not Complaint.objects.exists()
    assert file(client, world["firm"], contact_email="").status_code == 302


@pytest.mark.parametrize(
    ("value", "expected"),
    [("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("0936-8212345", "0936-8212345"),
     ("(0936)8212345", "0936-8212345"), ("010-62345678", "010-62345678"), ("0936-8212345-801", "0936-8212345-801")],
)  # fmt: skip
def test_phone_numbers_people_write(value, expected):
    assert identifiers.validate_phone(value) == expected


@pytest.mark.parametrize("value", ["", "110", "1381234567x", "0000-1234567", "19912345"])
def test_phone_numbers_refused(value):
    with pytest.raises(ValidationError):
        identifiers.validate_phone(value)


# --- the arrears amount -------------------------------------------------------------------------


def test_an_arrears_complaint_without_an_amount_is_refused_with_a_clear_message(client, world):
    response = file(client, world["firm"], amount_claimed="")
    assert response.status_code == 400
    assert "拖欠账款投诉须填写欠款金额" in response.content.decode()
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "欠款金额须大于 0 元"), ("-5", "欠款金额须大于 0 元"), ("20000000000", "不能超过 100 亿元"),
     ("12.345", "2")],
)  # fmt: skip
def test_an_arrears_amount_out_of_bounds_is_refused(client, world, amount, message):
    response = file(client, world["firm"], amount_claimed=amount)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_arrears_amount_is_kept_to_the_fen(client, world):
    file(client, world["firm"], amount_claimed="860000.50")
    assert str(Complaint.objects.get().amount_claimed) == "860000.50"


def test_another_subject_needs_no_amount(client, world):
    assert file(client, world["firm"], subject="policy_not_honoured", amount_claimed="").status_code == 302
    assert Complaint.objects.get().amount_claimed is None


def test_the_counter_form_also_requires_the_arrears_amount(client, world):
    client.force_login(world["clerk"])
    response = client.post("/complaints/register/", {
        "token": "c-1", "how": "phone", "complainant_name": "李四", "complainant_phone": "0936-8212345",
        "enterprise_name": "甲公司", "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某局",
        "subject": "arrears", "facts": "货款未付", "amount_claimed": "",
    })  # fmt: skip
    assert response.status_code == 400
    assert "拖欠账款投诉须填写欠款金额" in response.content.decode()
    assert not Complaint.objects.exists()
