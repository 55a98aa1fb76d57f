"""What the repair application asks for and keeps: the applicant's statement saved with the draft,
free items in the one-time notice (each with its reason), and replaced materials kept as history
but never listed as current."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.core import documents
from cases.core.models import Case, NoticeKind
from cases.repair.models import Material, NationalSync
from tests.factories import ApplicantFactory, repair_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]


@pytest.fixture
def world(db):
    return repair_world()


def pdf(name="proof.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 test", content_type="application/pdf")


def as_user(client, user):
    client.force_login(user)
    return client


def draft(client, world) -> str:
    as_user(client, world["entity"])
    client.post(f"/repair/start/{world['record'].pk}/")
    return Case.objects.get().number


def submitted(client, world, statement="罚款已于 2026 年 4 月缴清，整改报告附后。") -> str:
    number = draft(client, world)
    client.post(f"/repair/{number}/upload/", {"code": "obligation_proof", "file": pdf("receipt.pdf")})
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("commitment.pdf")})
    response = client.post(f"/repair/{number}/submit/",
                           {"obligations": "on", "commitment": "on", "statement": statement})  # fmt: skip
    assert response.status_code == 302
    return number


# --- the statement ------------------------------------------------------------------------------


def test_the_draft_has_a_statement_field(client, world):
    number = draft(client, world)
    page = client.get(f"/repair/{number}/").content.decode()
    assert 'name="statement"' in page and "申请说明" in page and "保存草稿" in page


def test_the_statement_is_saved_with_the_draft_and_shown_again(client, world):
    number = draft(client, world)
    response = client.post(f"/repair/{number}/save/", {"statement": "已缴清罚款", "obligations": "on"})
    assert response.status_code == 302
    page = client.get(f"/repair/{number}/").content.decode()
    assert "草稿已保存" in page
    assert ">已缴清罚款</textarea>" in page
    application = Case.objects.get().repair
    assert application.statement == "已缴清罚款" and application.obligations_fulfilled
    assert not application.commitment_signed


def test_the_caseworker_reads_the_statement(client, world):
    number = submitted(client, world)
    as_user(client, world["worker"])
    assert "罚款已于 2026 年 4 月缴清，整改报告附后。" in client.get(f"/repair/{number}/").content.decode()


def test_a_submitted_application_statement_cannot_be_changed(client, world):
    number = submitted(client, world)
    response = client.post(f"/repair/{number}/save/", {"statement": "改了"})
    assert response.status_code == 409
    assert Case.objects.get().repair.statement == "罚款已于 2026 年 4 月缴清，整改报告附后。"


def test_an_overlong_statement_is_refused(client, world):
    number = draft(client, world)
    response = client.post(f"/repair/{number}/save/", {"statement": "字" * 5001})
    assert response.status_code == 400
    assert Case.objects.get().repair.statement == ""


def test_no_one_else_saves_the_draft(client, world):
    number = draft(client, world)
    as_user(client, world["worker"])
    assert client.post(f"/repair/{number}/save/", {"statement": "代写"}).status_code == 404
    as_user(client, ApplicantFactory(username="stranger"))
    assert client.post(f"/repair/{number}/save/", {"statement": "代写"}).status_code == 404
    assert Case.objects.get().repair.statement == ""


# --- free items in the one-time notice ----------------------------------------------------------


def notice(client, world, number, **extra):
    as_user(client, world["worker"])
    data = {"missing": ["commitment"], "reason_commitment": "未签字", "free_name_1": "营业执照副本",
            "free_reason_1": "核对主体资格", **extra}  # fmt: skip
    return client.post(f"/repair/{number}/notice/", data)


def test_the_notice_form_offers_free_items(client, world):
    number = submitted(client, world)
    as_user(client, world["worker"])
    page = client.get(f"/repair/{number}/").content.decode()
    assert 'name="free_name_1"' in page and 'name="free_reason_1"' in page


def test_a_free_item_is_listed_with_its_reason_for_the_applicant_and_in_the_notice(client, world):
    number = submitted(client, world)
    assert notice(client, world, number).status_code == 302
    application = Case.objects.get().repair
    assert [item["name"] for item in application.missing_items] == ["信用承诺书", "营业执照副本"]
    as_user(client, world["entity"])
    page = client.get(f"/repair/{number}/").content.decode()
    assert "营业执照副本" in page and "核对主体资格" in page
    correction = application.case.notices.get(kind=NoticeKind.CORRECTION)
    html = documents.render_html(correction)
    assert "营业执照副本" in html and "核对主体资格" in html
    sync = NationalSync.objects.get(action=NationalSync.Action.NOTICE)
    assert {"营业执照副本"} <= {item["name"] for item in sync.payload["missing"]}


def test_the_applicant_uploads_against_a_free_item_and_resubmits(client, world):
    number = submitted(client, world)
    notice(client, world, number)
    free_code = Case.objects.get().repair.missing_items[1]["code"]
    as_user(client, world["entity"])
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("signed.pdf")})
    assert client.post(f"/repair/{number}/upload/", {"code": free_code, "file": pdf("licence.pdf")}).status_code == 302
    assert client.post(f"/repair/{number}/resubmit/").status_code == 302
    assert Case.objects.get().state == "resubmitted"


def test_the_applicant_cannot_resubmit_before_uploading_the_free_item(client, world):
    number = submitted(client, world)
    notice(client, world, number)
    as_user(client, world["entity"])
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("signed.pdf")})
    response = client.post(f"/repair/{number}/resubmit/")
    assert response.status_code == 400
    assert Case.objects.get().state == "incomplete"


def test_a_free_item_without_a_reason_is_refused_and_no_notice_is_issued(client, world):
    number = submitted(client, world)
    response = notice(client, world, number, free_reason_1="")
    assert response.status_code == 400
    assert "名称和理由" in response.content.decode()
    assert Case.objects.get().state == "submitted"


def test_a_notice_of_free_items_only_is_taken(client, world):
    number = submitted(client, world)
    as_user(client, world["worker"])
    response = client.post(f"/repair/{number}/notice/", {"free_name_2": "股东会决议", "free_reason_2": "变更事项"})
    assert response.status_code == 302
    assert [item["name"] for item in Case.objects.get().repair.missing_items] == ["股东会决议"]


def without_messages(html: str) -> str:
    """The page without its messages: they name the files and cases the last steps touched."""
    return re.sub(r'<ul class="messages">.*?</ul>', "", html, flags=re.S)


# --- replaced files -----------------------------------------------------------------------------


def test_a_replaced_file_is_not_listed_as_current_for_the_applicant(client, world):
    number = draft(client, world)
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("first-try.pdf")})
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("second-try.pdf")})
    page = without_messages(client.get(f"/repair/{number}/").content.decode())
    assert "second-try.pdf" in page
    assert "first-try.pdf" not in page
    old = Material.objects.get(original_name="first-try.pdf")
    assert old.replaced_at is not None
    assert list(Material.objects.current().values_list("original_name", flat=True)) == ["second-try.pdf"]


def test_staff_see_replaced_files_in_a_collapsed_history_only(client, world):
    number = draft(client, world)
    client.post(f"/repair/{number}/upload/", {"code": "obligation_proof", "file": pdf("old-receipt.pdf")})
    client.post(f"/repair/{number}/upload/", {"code": "obligation_proof", "file": pdf("receipt.pdf")})
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("commitment.pdf")})
    client.post(f"/repair/{number}/submit/", {"obligations": "on", "commitment": "on"})
    as_user(client, world["worker"])
    page = without_messages(client.get(f"/repair/{number}/").content.decode())
    current, history = page.split('<details class="material-history">', 1)
    assert "receipt.pdf" in current and "old-receipt.pdf" not in current
    assert "old-receipt.pdf" in history.split("</details>", 1)[0]
    assert "已更换的文件（1）" in history
    old = Material.objects.get(original_name="old-receipt.pdf")
    assert client.get(f"/repair/materials/{old.pk}/").status_code == 200  # still there to open


def test_a_file_replaced_in_answer_to_the_notice_leaves_the_current_list(client, world):
    number = submitted(client, world)
    notice(client, world, number)
    as_user(client, world["entity"])
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("signed.pdf")})
    assert set(Material.objects.current().filter(code="commitment").values_list("original_name", flat=True)) == {
        "signed.pdf"
    }
    page = without_messages(client.get(f"/repair/{number}/").content.decode())
    assert "signed.pdf" in page and "commitment.pdf" not in page


def test_a_replacement_is_on_the_timeline(client, world):
    number = draft(client, world)
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("a.pdf")})
    client.post(f"/repair/{number}/upload/", {"code": "commitment", "file": pdf("b.pdf")})
    assert "材料已更换为新文件" in client.get(f"/repair/{number}/").content.decode()
