"""Feedback on every action (#17): after each step the person reads what it did, with the case
number; a refused upload or step is explained on the same page, next to its form, with nothing
lost; no red error shows before the person has done anything."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cases.core import policies, services
from cases.core.models import Case
from cases.repair.models import Material
from cases.supervision import services as supervision_services
from tests.factories import CaseFactory, repair_world
from tests.feedback import step, told

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]


@pytest.fixture
def world(db):
    return repair_world()


def pdf(name="proof.pdf", size=0):
    return SimpleUploadedFile(name, b"%PDF-1.7 test" + b"0" * size, content_type="application/pdf")


def draft(client, world) -> str:
    client.force_login(world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    return Case.objects.get().number


def submitted(client, world) -> str:
    """Submitted through the pages (each message read, as a person reading the pages would)."""
    number = draft(client, world)
    for code in ("obligation_proof", "commitment"):
        client.post(f"/repair/{number}/upload/", {"code": code, "file": pdf()}, follow=True)
    client.post(f"/repair/{number}/submit/", {"obligations": "on", "commitment": "on"}, follow=True)
    return number


# --- a specific message after each step ---------------------------------------------------------


def test_uploading_and_submitting_say_what_was_done_to_which_application(client, world):
    number = draft(client, world)
    response = step(client, world["entity"], f"/repair/{number}/upload/", {"code": "commitment", "file": pdf()})
    assert told(response) == [f"“proof.pdf”已上传至申请 {number}。"]
    client.post(f"/repair/{number}/upload/", {"code": "obligation_proof", "file": pdf()}, follow=True)
    response = step(client, world["entity"], f"/repair/{number}/submit/", {"obligations": "on", "commitment": "on"})
    days = policies.working_days("repair", "accept_within")
    assert told(response) == [f"申请 {number} 已提交。部门将在 {days} 个工作日内决定是否受理。"]


def test_the_department_is_told_each_step_with_the_number(client, world):
    number = submitted(client, world)
    worker, head = world["worker"], world["head"]
    assert told(step(client, worker, f"/repair/{number}/accept/")) == [
        f"已受理申请 {number}，已通知申请人并出具受理通知书。"
    ]
    assert told(step(client, worker, f"/repair/{number}/review/")) == [f"已开始审查申请 {number}。"]
    response = step(client, worker, f"/repair/{number}/propose/", {"approve": "no", "reason": "义务未履行完毕"})
    assert told(response) == [f"已就申请 {number} 提出不予修复的拟办意见，等待部门负责人审批。"]
    response = step(client, head, f"/repair/{number}/send-back/", {"reason": "请核实缴款凭证"})
    assert told(response) == [f"申请 {number} 已发回办案人员重新审查。"]
    response = step(client, worker, f"/repair/{number}/propose/", {"approve": "yes", "reason": ""})
    assert told(response) == [f"已就申请 {number} 提出予以修复的拟办意见，等待部门负责人审批。"]
    response = step(client, head, f"/repair/{number}/approve/")
    assert told(response) == [
        f"已批准申请 {number} 的信用修复：该记录停止公示，已通知申请人，结果将同步至“信用中国”网站。"
    ]
    assert "已办理" not in response.content.decode()


def test_the_one_time_notice_and_the_resubmission_are_confirmed(client, world):
    number = submitted(client, world)
    response = step(client, world["worker"], f"/repair/{number}/notice/",
                    {"missing": ["commitment"], "reason_commitment": "未盖公章"})  # fmt: skip
    assert told(response) == [f"已就申请 {number} 出具一次性告知书（补正材料），已通知申请人补正，办理时限暂停计算。"]
    client.force_login(world["entity"])
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("盖章承诺书.pdf")}, follow=True)
    response = step(client, world["entity"], f"/repair/{number}/resubmit/")
    assert told(response) == [f"申请 {number} 已补正材料并重新提交，部门将继续办理受理。"]


def test_claiming_and_releasing_a_case_name_it(client, world):
    number = submitted(client, world)
    case = Case.objects.get()
    assert told(step(client, world["worker"], f"/cases/{case.pk}/claim/")) == [f"已认领案件 {number}。"]
    assert told(step(client, world["worker"], f"/cases/{case.pk}/release/")) == [
        f"案件 {number} 已释放，回到部门待办。"
    ]


def test_the_english_page_says_it_in_english(client, world):
    number = submitted(client, world)
    client.cookies["django_language"] = "en"
    response = step(client, world["worker"], f"/repair/{number}/accept/")
    assert told(response) == [
        f"Application {number} is accepted; the applicant is told and the acceptance notice is issued."
    ]


# --- refused uploads on the same page ---------------------------------------------------------


def field_error(page: str, code: str) -> str:
    found = re.search(rf'<span class="field-error" id="file-{code}-error" role="alert">(.*?)</span>', page, re.S)
    return found.group(1) if found else ""


@override_settings(MAX_MATERIAL_BYTES=1024 * 1024)
def test_an_oversized_file_is_explained_next_to_its_field_on_the_same_page(client, world):
    number = draft(client, world)
    big = pdf("缴款凭证.pdf", size=1024 * 1024)
    response = client.post(f"/repair/{number}/upload/", {"code": "obligation_proof", "file": big})
    page = response.content.decode()
    assert response.status_code == 400
    assert f"{number} · 信用修复" in page  # the application's own page, not an error page
    assert "history.back()" not in page
    assert field_error(page, "obligation_proof") == "“缴款凭证.pdf”未上传： 文件超过 1 MB。 请另选文件。"
    assert 'id="file-obligation_proof" accept=".pdf,.jpg,.jpeg,.png" required aria-invalid="true"' in page
    assert field_error(page, "commitment") == ""  # the other material's field is untouched
    assert 'action="/repair/' + number + '/submit/"' in page  # everything else is still there
    assert not Material.objects.exists()


def test_a_wrong_type_is_explained_next_to_its_field(client, world):
    number = draft(client, world)
    word = SimpleUploadedFile("承诺书.docx", b"PK\x03\x04 word", content_type="application/msword")
    response = client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": word})
    page = response.content.decode()
    assert response.status_code == 400
    assert "请上传 PDF、JPG 或 PNG 文件。" in field_error(page, "commitment")
    assert not Material.objects.exists()


def test_a_renamed_executable_is_explained_next_to_its_field(client, world):
    number = draft(client, world)
    fake = SimpleUploadedFile("proof.pdf", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/pdf")
    response = client.post(f"/repair/{number}/upload/", {"code": "obligation_proof", "file": fake})
    assert response.status_code == 400
    assert "PDF" in field_error(response.content.decode(), "obligation_proof")


def test_a_refused_upload_after_a_one_time_notice_stays_on_the_notice(client, world):
    number = submitted(client, world)
    step(
        client, world["worker"], f"/repair/{number}/notice/", {"missing": ["commitment"], "reason_commitment": "未盖章"}
    )
    client.force_login(world["entity"])
    word = SimpleUploadedFile("承诺书.doc", b"\xd0\xcf\x11\xe0", content_type="application/msword")
    page = client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": word}).content.decode()
    assert "未盖章" in page and "请上传 PDF、JPG 或 PNG 文件。" in field_error(page, "commitment")


# --- errors only after the person acted -------------------------------------------------------


def test_a_fresh_draft_shows_what_is_left_to_do_without_red_errors(client, world):
    number = draft(client, world)
    page = client.get(f"/repair/{number}/").content.decode()
    assert "提交前还需：" in page and "缺少材料" in page
    assert 'class="error"' not in page and "form-errors" not in page and "aria-invalid" not in page


def test_a_refused_submission_shows_why_on_the_same_page_and_keeps_the_ticks(client, world):
    number = draft(client, world)
    response = client.post(f"/repair/{number}/submit/", {"obligations": "on"})
    page = response.content.decode()
    assert response.status_code == 400
    assert '<div class="form-errors" role="alert"><p>此步骤未办理：</p>' in page
    assert "缺少材料" in page and "签署信用承诺书" in page
    assert '<input type="checkbox" name="obligations" checked>' in page
    assert '<input type="checkbox" name="commitment">' in page
    assert Case.objects.get().state == "draft"


def test_a_refusal_without_a_reason_is_shown_on_the_page_and_nothing_happens(client, world):
    number = submitted(client, world)
    client.force_login(world["worker"])
    response = client.post(f"/repair/{number}/refuse/", {"reason": "  "})
    page = response.content.decode()
    assert response.status_code == 400
    assert "此步骤未办理" in page and f'action="/repair/{number}/refuse/"' in page
    assert Case.objects.get().state == "submitted"


def test_a_rejected_notice_keeps_the_items_and_reasons_typed(client, world):
    number = submitted(client, world)
    client.force_login(world["worker"])
    typed = {
        "missing": ["commitment", "obligation_proof"],
        "reason_commitment": "未盖公章",
        "reason_obligation_proof": "",
    }
    response = client.post(f"/repair/{number}/notice/", typed)
    page = response.content.decode()
    assert response.status_code == 400 and "此步骤未办理" in page
    assert re.search(r'<input type="checkbox" name="missing" value="commitment"[^>]* checked>', page)
    assert re.search(r'name="reason_commitment" [^>]*value="未盖公章"', page)
    assert "每项需补正材料须为规定材料并说明理由。" in page and "<li>obligation_proof</li>" not in page


def test_the_tracking_form_opened_with_a_number_shows_no_error(client, world):
    page = client.get("/track/", {"number": "XF2026000001"}).content.decode()
    assert 'value="XF2026000001"' in page
    assert "errorlist" not in page


def test_the_tracking_form_sent_empty_says_what_is_missing(client, world):
    page = client.get("/track/", {"number": "", "code": ""}).content.decode()
    assert "errorlist" in page


def test_every_page_loads_the_inline_checks(client, world):
    assert "/static/js/forms.js" in client.get("/track/").content.decode()


def test_answering_a_supervision_order_names_the_case(client, caseworker, supervisor):
    case = CaseFactory(assignee=caseworker)
    services.start_deadline(case=case, step="complaint.answer", label="部门答复", policy_key="answer_within",
                            start=date(2026, 11, 2))  # fmt: skip
    order = supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="请答复")
    response = step(client, caseworker, f"/supervision/orders/{order.pk}/", {"response": "已与企业沟通，本周付款"})
    assert told(response) == [f"您对案件 {case.number} 督办单的答复已发送给督办人员。"]


def test_the_refused_form_is_opened_with_the_reason_typed(client, world):
    number = submitted(client, world)
    client.force_login(world["worker"])
    page = client.post(f"/repair/{number}/notice/", {"missing": ["commitment"]}).content.decode()
    assert re.search(
        r'<details open><summary>[^<]*</summary>\s*<form method="post" action="/repair/[^/]+/notice/"', page
    )
    assert "<details open>" not in client.get(f"/repair/{number}/").content.decode()
