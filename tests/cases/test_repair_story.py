"""The whole credit-repair story through HTTP, as the department, the applicant and the head do it."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.core.models import AuditEvent, Case, CreditRecord, Notice
from cases.core.roles import Role
from cases.repair.models import Material, NationalSync
from notifications.models import Notification
from tests.factories import StaffFactory, valid_uscc
from tests.identity import verify_by_text_message

pytestmark = pytest.mark.django_db

USCC = valid_uscc("91620702MA71ABCD0")


def pdf(name="proof.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 proof", content_type="application/pdf")


@pytest.fixture
def staff(db):
    return {"worker": StaffFactory(username="worker"), "head": StaffFactory(username="head", role=Role.DEPARTMENT_HEAD)}


def register_penalty(client, staff):
    client.force_login(staff["worker"])
    client.post("/records/new/", {
        "party_kind": "enterprise", "party_name": "甘州区示范商贸有限公司", "party_id_number": USCC,
        "record_type": "penalty", "decision_number": "甘市监罚〔2026〕12号", "decided_on": "2026-03-02",
        "severity": "general", "summary": "未按规定公示年度报告，罚款 2000 元", "party_phone": "13900001111",
    })  # fmt: skip
    return CreditRecord.objects.get()


def sign_up(client):
    client.logout()
    client.post("/accounts/signup/", {
        "username": "company", "full_name": "张经理", "phone": "13912345678", "entity_kind": "enterprise",
        "entity_name": "甘州区示范商贸有限公司", "id_number": USCC, "password1": "a-Long-pass-2026",
        "password2": "a-Long-pass-2026",
    })  # fmt: skip
    verify_by_text_message(client, "13900001111")  # 实名认证: a code to the number on record


def repaired_case(client, staff, django_capture_on_commit_callbacks) -> Case:
    record = register_penalty(client, staff)
    assert Notice.objects.get(record=record).kind == "repair_advice"  # 两书同达
    sign_up(client)  # sessions are dated now: sign up before travelling in time
    with time_machine.travel(date(2026, 3, 5)):
        client.post(f"/repair/start/{record.pk}/")
        number = Case.objects.get().number
        for code in ("obligation_proof", "commitment"):
            client.post(f"/repair/{number}/upload/", {"code": code, "file": pdf()})
        early = client.post(f"/repair/{number}/submit/", {"obligations": "on", "commitment": "on"})
        assert early.status_code == 400 and "2026-06-02" in early.content.decode()

    with time_machine.travel(date(2026, 6, 8)):
        client.post(f"/repair/{number}/submit/", {"obligations": "on", "commitment": "on"})
        client.force_login(staff["worker"])
        client.post(f"/repair/{number}/notice/", {"missing": ["commitment"], "reason_commitment": "承诺书未盖章"})
        second = client.post(f"/repair/{number}/notice/", {"missing": ["obligation_proof"],
                                                            "reason_obligation_proof": "再补"})  # fmt: skip
        assert second.status_code == 409

        client.force_login(client_user("company"))
        assert "承诺书未盖章" in client.get(f"/repair/{number}/").content.decode()
        client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("stamped.pdf")})
        client.post(f"/repair/{number}/resubmit/")

        client.force_login(staff["worker"])
        assert client.post(f"/repair/{number}/notice/", {"missing": ["commitment"],
                                                         "reason_commitment": "again"}).status_code == 409  # fmt: skip
        client.post(f"/repair/{number}/accept/")
        client.post(f"/repair/{number}/review/")
        client.post(f"/repair/{number}/propose/", {"approve": "yes", "reason": ""})
        client.force_login(staff["head"])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/repair/{number}/approve/")
    return Case.objects.get(number=number)


def client_user(username):
    from cases.core.models import User

    return User.objects.get(username=username)


def test_the_whole_story(client, staff, django_capture_on_commit_callbacks):
    case = repaired_case(client, staff, django_capture_on_commit_callbacks)
    assert case.state == "synced" and case.closed_at is not None
    record = CreditRecord.objects.get()
    assert record.status == "repaired"
    assert NationalSync.objects.get(action="repair").receipt.startswith("LOCAL-")
    steps = list(AuditEvent.objects.for_subject(case).values_list("event_type", flat=True))
    for step in ("case.opened", "repair.submit", "repair.request_materials", "repair.resubmit", "repair.accept",
                 "repair.start_review", "repair.decision_proposed", "repair.approve", "repair.repair_record",
                 "repair.mark_synced"):  # fmt: skip
        assert step in steps, step
    told = Notification.objects.filter(recipient__username="company").values_list("title", flat=True)
    assert any("请补正" in title for title in told) and any("已受理" in title for title in told)
    assert any("已准予" in title for title in told)
    assert list(Notice.objects.filter(case=case).values_list("kind", flat=True)) == [
        "correction",
        "acceptance",
        "repair_decision",
    ]
    client.force_login(client_user("company"))
    page = client.get("/my/records/").content.decode()
    assert "已修复，停止公示" in page


def test_the_head_revokes_a_repair_obtained_by_fraud(client, staff, django_capture_on_commit_callbacks):
    case = repaired_case(client, staff, django_capture_on_commit_callbacks)
    client.force_login(staff["head"])
    client.post(f"/repair/{case.number}/revoke/", {"reason": "缴款凭证系伪造"})
    case.refresh_from_db()
    assert case.state == "revoked"
    assert CreditRecord.objects.get().status == "published"
    assert Notification.objects.filter(recipient__username="company", title__contains="已撤销").exists()


# --- refusals ------------------------------------------------------------------------------


@pytest.fixture
def draft_number(client, staff):
    record = register_penalty(client, staff)
    sign_up(client)
    client.post(f"/repair/start/{record.pk}/")
    return Case.objects.get().number


def test_a_double_click_on_apply_makes_one_application(client, staff):
    record = register_penalty(client, staff)
    sign_up(client)
    client.post(f"/repair/start/{record.pk}/")
    second = client.post(f"/repair/start/{record.pk}/")
    assert second.status_code == 302 and second["Location"] == "/my/records/"  # back, with the reason said
    assert Case.objects.count() == 1


def test_a_double_click_on_submit_submits_once(client, draft_number):
    for code in ("obligation_proof", "commitment"):
        client.post(f"/repair/{draft_number}/upload/", {"code": code, "file": pdf()})
    client.post(f"/repair/{draft_number}/submit/", {"obligations": "on", "commitment": "on"})
    again = client.post(f"/repair/{draft_number}/submit/", {"obligations": "on", "commitment": "on"})
    assert again.status_code == 409
    assert AuditEvent.objects.filter(event_type="repair.submit").count() == 1


def test_a_50_mb_upload_is_refused_and_nothing_stored(client, draft_number):
    big = SimpleUploadedFile("proof.pdf", b"%PDF-" + b"0" * (50 * 1024 * 1024), content_type="application/pdf")
    response = client.post(f"/repair/{draft_number}/upload/", {"code": "obligation_proof", "file": big})
    assert response.status_code == 400 and "10 MB" in response.content.decode()
    assert not Material.objects.exists()


def test_an_exe_renamed_pdf_is_refused_and_nothing_stored(client, draft_number):
    fake = SimpleUploadedFile("proof.pdf", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/pdf")
    response = client.post(f"/repair/{draft_number}/upload/", {"code": "obligation_proof", "file": fake})
    assert response.status_code == 400
    assert not Material.objects.exists()
