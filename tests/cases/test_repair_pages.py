"""The credit-repair story through the pages, as the applicant, the caseworker and the head see it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.core.models import Case, CreditRecord
from tests.factories import ApplicantFactory, StaffFactory, repair_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]


@pytest.fixture
def world(db):
    return repair_world()


def pdf():
    return SimpleUploadedFile("proof.pdf", b"%PDF-1.7 test", content_type="application/pdf")


def as_user(client, user):
    client.force_login(user)
    return client


def test_applicant_applies_caseworker_accepts_head_approves(client, world):
    as_user(client, world["entity"])
    assert "现在可以申请" in client.get("/my/records/").content.decode()
    response = client.post(f"/repair/start/{world['record'].pk}/")
    number = Case.objects.get().number
    assert response["Location"] == f"/repair/{number}/"
    for code in ("obligation_proof", "commitment"):
        client.post(f"/repair/{number}/upload/", {"code": code, "file": pdf()})
    client.post(f"/repair/{number}/submit/", {"obligations": "on", "commitment": "on"})
    assert "已提交" in client.get(f"/repair/{number}/").content.decode()

    as_user(client, world["worker"])
    assert number in client.get("/repair/queue/").content.decode()
    client.post(f"/repair/{number}/accept/")
    client.post(f"/repair/{number}/review/")
    client.post(f"/repair/{number}/propose/", {"approve": "yes", "reason": ""})

    as_user(client, world["head"])
    client.post(f"/repair/{number}/approve/")
    assert CreditRecord.objects.get().status == "repaired"
    as_user(client, world["entity"])
    assert "已修复" in client.get(f"/repair/{number}/").content.decode()


def test_the_applicant_cannot_submit_without_materials_and_is_told_why(client, world):
    as_user(client, world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    number = Case.objects.get().number
    response = client.post(f"/repair/{number}/submit/", {"obligations": "on", "commitment": "on"})
    assert response.status_code == 400
    assert "缺少材料" in response.content.decode()


def test_a_caseworker_cannot_act_for_the_applicant_or_vice_versa(client, world):
    as_user(client, world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    number = Case.objects.get().number
    assert client.post(f"/repair/{number}/accept/").status_code == 403
    as_user(client, world["worker"])
    assert client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf()}).status_code == 404


def test_another_applicant_cannot_see_the_application(client, world):
    as_user(client, world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    number = Case.objects.get().number
    as_user(client, ApplicantFactory(username="stranger"))
    assert client.get(f"/repair/{number}/").status_code == 404


def test_an_illegal_step_is_a_409_page(client, world):
    as_user(client, world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    number = Case.objects.get().number
    for code in ("obligation_proof", "commitment"):
        client.post(f"/repair/{number}/upload/", {"code": code, "file": pdf()})
    client.post(f"/repair/{number}/submit/", {"obligations": "on", "commitment": "on"})
    as_user(client, world["worker"])
    response = client.post(f"/repair/{number}/review/")  # not accepted yet
    assert response.status_code == 409
    page = response.content.decode()  # the application's page again, the reason in an alert
    assert "当前状态下不能进行此操作" in page and 'role="alert"' in page and number in page
    assert Case.objects.get().state == "submitted"


def test_materials_download_only_for_those_who_see_the_case(client, world):
    as_user(client, world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    number = Case.objects.get().number
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf()})
    material = Case.objects.get().repair.materials.get()
    assert client.get(f"/repair/materials/{material.pk}/").status_code == 200
    as_user(client, ApplicantFactory(username="stranger"))
    assert client.get(f"/repair/materials/{material.pk}/").status_code == 404


def test_the_records_page_links_the_open_application_instead_of_offering_a_new_one(client, world):
    as_user(client, world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    page = client.get("/my/records/").content.decode()
    number = Case.objects.get().number
    assert f"申请 {number} 办理中" in page
    assert f"/repair/start/{world['record'].pk}/" not in page


def test_the_applicant_reads_the_timeline_in_words_without_internal_steps(client, world):
    as_user(client, world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    number = Case.objects.get().number
    for code in ("obligation_proof", "commitment"):
        client.post(f"/repair/{number}/upload/", {"code": code, "file": pdf()})
    client.post(f"/repair/{number}/submit/", {"obligations": "on", "commitment": "on"})
    as_user(client, world["worker"])
    client.post(f"/repair/{number}/accept/")
    as_user(client, world["entity"])
    page = client.get(f"/repair/{number}/").content.decode()
    assert "提交申请" in page and "已受理" in page
    assert "承办人认领" not in page


def test_a_refused_start_goes_back_to_the_records_page_with_why(client, world):
    as_user(client, world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    response = client.post(f"/repair/start/{world['record'].pk}/", follow=True)
    assert response.redirect_chain == [("/my/records/", 302)]
    page = response.content.decode()
    assert 'role="alert"' in page and "该记录已有办理中的修复申请" in page
    assert Case.objects.count() == 1


def test_claiming_a_case_someone_holds_goes_back_to_the_queue_with_who_holds_it(client, world):
    as_user(client, world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    case = Case.objects.get()
    for code in ("obligation_proof", "commitment"):
        client.post(f"/repair/{case.number}/upload/", {"code": code, "file": pdf()})
    client.post(f"/repair/{case.number}/submit/", {"obligations": "on", "commitment": "on"})
    as_user(client, world["worker"]).post(f"/cases/{case.pk}/claim/")
    colleague = StaffFactory(username="colleague", department=world["worker"].department)
    response = as_user(client, colleague).post(f"/cases/{case.pk}/claim/", follow=True)
    assert response.redirect_chain == [("/repair/queue/", 302)]
    assert f"{world['worker']} 正在办理此案件。" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee == world["worker"]
