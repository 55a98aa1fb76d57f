"""The complaint loop through the pages: file, register, route, answer, rectify, verify, confirm."""

import json

import pytest

from cases.complaints.models import Channel, Complaint
from cases.core.models import Case, Department
from tests.factories import ApplicantFactory, StaffFactory, valid_resident_id, website_filing

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return website_filing()


def file(client, firm, token="t-1"):
    client.force_login(firm)
    return client.post("/complaints/new/", {"token": token, "respondent": "区某街道办事处", "subject": "arrears",
                                            "facts": "工程款 86 万元至今未付", "amount_claimed": "860000",
                                            "contact_name": "王经理", "contact_phone": "13812345678"})  # fmt: skip


def test_the_loop_through_the_pages(client, world):
    response = file(client, world["firm"])
    number = Case.objects.get().number
    assert response["Location"] == f"/cases/{number}/receipt/"  # the receipt first

    client.force_login(world["clerk"])
    assert number in client.get("/complaints/").content.decode()
    client.post(f"/complaints/{number}/register/", {"subject": "policy_not_honoured", "respondent": "区某街道办事处"})
    client.post(f"/complaints/{number}/assign/", {"department": Department.objects.get(code="czj").pk})

    client.force_login(world["worker"])
    client.post(f"/complaints/{number}/start/")
    client.post(f"/complaints/{number}/answer/", {"finding": "substantiated", "text": "已责成街道办于本月底前付清",
                                                  "remedy": "honour_policy"})  # fmt: skip
    assert Case.objects.get().state == "rectifying"
    client.post(f"/complaints/{number}/report-rectified/", {"evidence": "奖励资金拨付凭证"})

    client.force_login(world["clerk"])
    client.post(f"/complaints/{number}/verify-rectification/", {"note": ""})

    client.force_login(world["firm"])
    page = client.get(f"/complaints/{number}/").content.decode()
    assert "已责成街道办于本月底前付清" in page and "奖励资金拨付凭证" in page and "满意，结案" in page
    client.post(f"/complaints/{number}/confirm/")
    assert Case.objects.get().state == "closed"
    assert number in client.get("/my/complaints/").content.decode()


def test_a_double_click_files_one_complaint(client, world):
    file(client, world["firm"], token="same")
    file(client, world["firm"], token="same")
    assert Complaint.objects.count() == 1


def test_a_person_cannot_file_an_enterprise_complaint(client, world):
    person = ApplicantFactory(username="person", entity_kind="person", id_number=valid_resident_id("62070219850612001"))
    client.force_login(person)
    assert client.get("/complaints/new/").status_code == 403


def test_another_complainant_cannot_see_it(client, world):
    file(client, world["firm"])
    number = Case.objects.get().number
    client.force_login(ApplicantFactory(username="other"))
    assert client.get(f"/complaints/{number}/").status_code == 404


def test_another_department_cannot_see_it(client, world):
    file(client, world["firm"])
    number = Case.objects.get().number
    client.force_login(StaffFactory(username="scjg-worker", department__code="scjg"))
    assert client.get(f"/complaints/{number}/").status_code == 404


def test_the_complainant_cannot_register_it(client, world):
    file(client, world["firm"])
    number = Case.objects.get().number
    response = client.post(f"/complaints/{number}/register/", {"subject": "arrears", "respondent": "x"})
    assert response.status_code == 403


def test_answering_before_assignment_is_a_409_page(client, world):
    file(client, world["firm"])
    number = Case.objects.get().number
    client.force_login(world["clerk"])
    client.post(f"/complaints/{number}/register/", {"subject": "arrears", "respondent": "区某街道办事处"})
    client.post(f"/complaints/{number}/assign/", {"department": Department.objects.get(code="czj").pk})
    client.force_login(world["worker"])
    response = client.post(f"/complaints/{number}/answer/", {"finding": "substantiated", "text": "答复草稿"})
    assert response.status_code == 409
    page = response.content.decode()  # the complaint's page again, not a dead end
    assert 'role="alert"' in page and number in page and '"action": "answer"' in page
    assert json.dumps("答复草稿") in page  # put back at the answer form by static/js/forms.js
    assert Case.objects.get().state == "assigned"


def test_an_applicant_has_no_complaint_queue(client, world):
    client.force_login(world["firm"])
    assert client.get("/complaints/").status_code == 403


def test_a_clerk_registers_a_telephone_complaint(client, world):
    client.force_login(world["clerk"])
    from tests.factories import valid_uscc

    response = client.post("/complaints/register/", {
        "token": "tok", "how": "phone", "complainant_name": "李先生", "complainant_phone": "13812345678",
        "enterprise_name": "乙公司", "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某局",
        "subject": "policy_not_honoured", "facts": "奖励资金未兑现"})  # fmt: skip
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/complaints/{complaint.case.number}/"
    assert complaint.channel.code == "phone"


def test_a_telephone_complaint_with_a_bad_uscc_is_refused(client, world):
    client.force_login(world["clerk"])
    page = client.post("/complaints/register/", {
        "token": "tok", "how": "phone", "complainant_name": "李先生", "enterprise_name": "乙公司",
        "enterprise_uscc": "123", "respondent": "区某局", "subject": "arrears", "facts": "x"})  # fmt: skip
    assert "18 位" in page.content.decode()
    assert not Complaint.objects.exists()


def test_a_caseworker_cannot_register_counter_complaints(client, world):
    client.force_login(world["worker"])
    assert client.get("/complaints/register/").status_code == 403


def test_the_department_records_arrears_on_the_page(client, world):
    file(client, world["firm"])
    number = Case.objects.get().number
    client.force_login(world["clerk"])
    client.post(f"/complaints/{number}/register/", {"subject": "arrears", "respondent": "区某街道办事处"})
    client.post(f"/complaints/{number}/assign/", {"department": Department.objects.get(code="czj").pk})
    client.force_login(world["worker"])
    client.post(f"/complaints/{number}/start/")
    client.post(f"/complaints/{number}/confirm-amount/", {"amount": "860000"})
    client.post(f"/complaints/{number}/payment/", {"amount": "200000", "paid_on": "2026-01-05", "proof": "回单 1"})
    page = client.get(f"/complaints/{number}/").content.decode()
    assert "660,000.00 元" in page
    bad = client.post(f"/complaints/{number}/plan/", {"plan": "2099-01-01 1"})
    assert bad.status_code == 400


def test_the_integrity_record_page_lists_bodies_with_defaults(client, world):
    from cases.complaints.models import IntegrityEntry, RespondentBody

    file(client, world["firm"])
    body = RespondentBody.objects.create(name="区某街道办事处")
    IntegrityEntry.objects.create(body=body, complaint=Complaint.objects.get(), summary="拖欠工程款")
    client.force_login(world["clerk"])
    page = client.get("/integrity/", {"body": body.pk}).content.decode()
    assert "区某街道办事处" in page and "拖欠工程款" in page
    client.force_login(world["worker"])
    assert client.get("/integrity/").status_code == 403


def test_filing_while_online_filing_is_not_open_keeps_what_was_typed(client, world):
    Channel.objects.filter(code="website").delete()
    response = file(client, world["firm"])
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "在线投诉暂未开通" in page
    assert "工程款 86 万元至今未付" in page and 'value="区某街道办事处"' in page
    assert not Complaint.objects.exists()


def test_an_upload_without_a_file_shows_the_complaint_again_with_why(client, world):
    file(client, world["firm"])
    number = Case.objects.get().number
    response = client.post(f"/complaints/{number}/evidence/", {})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "请选择要上传的文件。" in page and number in page
    assert '"action": "evidence"' in page
    assert not Complaint.objects.get().evidence.exists()
