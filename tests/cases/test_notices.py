"""Formal notices: issued with their step, kept with the case, downloadable as PDF in Chinese."""

import re
import zlib
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.core import documents
from cases.core.models import AuditEvent, Notice, NoticeKind
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


# Notices right for each record type, with the remedy clause and the contact line, laid out as
# GB/T 9704-2012 asks (issue #20, deliverable 7).


def html_of(notice) -> str:
    return documents.render_html(notice)


@pytest.fixture
def list_entry(caseworker):
    with time_machine.travel(date(2026, 3, 5)):
        return register_penalty(caseworker, record_type="serious_list", severity="serious",
                                decision_number="甘市监列〔2026〕1号")  # fmt: skip


@time_machine.travel(date(2026, 12, 2))
def test_the_repair_decision_for_a_penalty_stops_displaying_the_penalty(record):
    notice = documents.issue(NoticeKind.REPAIR_DECISION, record=record)
    html = html_of(notice)
    assert "<h1>信用修复决定书</h1>" in html
    assert "自2026年12月2日起停止公示该行政处罚信息" in html
    assert "移出" not in html


@time_machine.travel(date(2026, 12, 2))
def test_the_repair_decision_for_a_list_entry_removes_it_from_the_list(list_entry):
    notice = documents.issue(NoticeKind.REPAIR_DECISION, record=list_entry)
    html = html_of(notice)
    assert "<h1>严重失信主体名单移出决定书</h1>" in html
    assert "准予严重失信主体名单移出" in html and "移出严重失信主体名单" in html
    assert "行政处罚" not in html


@time_machine.travel(date(2026, 12, 2))
def test_the_refusal_for_a_list_entry_refuses_the_removal(list_entry):
    notice = documents.issue(NoticeKind.REFUSAL_DECISION, record=list_entry, reason="尚未履行义务")
    html = html_of(notice)
    assert "<h1>不予移出严重失信主体名单决定书</h1>" in html and "行政处罚" not in html


def test_the_repair_advice_for_a_list_entry_names_the_listing_not_a_penalty(list_entry):
    html = html_of(Notice.objects.get(record=list_entry, kind="repair_advice"))
    assert "作出将您列入严重失信主体名单的决定" in html and "行政处罚决定" not in html


@time_machine.travel(date(2026, 12, 2))
def test_a_decision_carries_the_remedy_clause_with_the_policys_reconsideration_body(record):
    notice = documents.issue(NoticeKind.REFUSAL_DECISION, record=record, reason="罚款未缴清")
    assert notice.facts["remedy_clause"] == (
        "申请人如不服本决定，可在收到本决定书之日起六十日内向甘州区人民政府申请行政复议，"
        "或者在六个月内依法向人民法院提起行政诉讼。"
    )
    assert notice.facts["remedy_clause"] in html_of(notice)


@time_machine.travel(date(2026, 12, 2))
def test_the_departments_own_reconsideration_body_comes_first(record):
    from cases.core.models import Department

    Department.objects.filter(code="scjg").update(reconsideration_body="张掖市市场监督管理局")
    record.department.refresh_from_db()
    notice = documents.issue(NoticeKind.NON_ACCEPTANCE, record=record, reason="不属于本机关认定的信息")
    assert "可在收到本通知书之日起六十日内向张掖市市场监督管理局申请行政复议" in html_of(notice)


def test_an_acceptance_carries_no_remedy_clause_but_the_contact_line(record):
    notice = documents.issue(NoticeKind.ACCEPTANCE, record=record, submitted_on="2026-06-03", decide_within=10)
    html = html_of(notice)
    assert "remedy_clause" not in notice.facts and "行政复议" not in html
    assert "（联系人：信用修复窗口　电话：12345　地址：甘州区政务服务中心）" in html


def test_the_contact_line_is_a_policy_row_the_admin_changes(record, admin_user):
    from cases.core import services
    from cases.core.models import Policy

    policy = Policy.objects.get(case_type="repair", key="notice_contact_line")
    assert policy.kind == "text"
    services.change_policy(
        policy_id=policy.pk, actor=admin_user, value="联系人：李四　电话：0936-8211234　地址：甘州区县府街1号"
    )
    notice = documents.issue(NoticeKind.ACCEPTANCE, record=record, submitted_on="2026-06-03", decide_within=10)
    assert "（联系人：李四　电话：0936-8211234　地址：甘州区县府街1号）" in html_of(notice)


def test_a_text_policy_takes_only_text(admin_user):
    from cases.core import services
    from cases.core.exceptions import InvalidInput
    from cases.core.models import Policy

    policy = Policy.objects.get(case_type="repair", key="notice_remedy_clause")
    with pytest.raises(InvalidInput):
        services.change_policy(policy_id=policy.pk, actor=admin_user, value=60)
    with pytest.raises(InvalidInput):
        services.change_policy(policy_id=policy.pk, actor=admin_user, value="  ")


def test_document_numbers_follow_the_unit_the_year_and_the_family(record):
    from cases.core.models import Department

    Department.objects.filter(code="scjg").update(document_prefix="甘州市监")
    record.department.refresh_from_db()
    with time_machine.travel(date(2026, 12, 2)):
        first = documents.issue(NoticeKind.REPAIR_DECISION, record=record)
        second = documents.issue(NoticeKind.REFUSAL_DECISION, record=record, reason="理由")
        acceptance = documents.issue(NoticeKind.ACCEPTANCE, record=record, submitted_on="2026-12-01", decide_within=10)
    with time_machine.travel(date(2027, 1, 4)):
        next_year = documents.issue(NoticeKind.REPAIR_DECISION, record=record)
    assert (first.number, second.number) == ("甘州市监信修〔2026〕1号", "甘州市监信修〔2026〕2号")
    assert acceptance.number == "甘州市监信受〔2026〕1号"
    assert next_year.number == "甘州市监信修〔2027〕1号"
    assert '<div class="number">甘州市监信修〔2026〕1号</div>' in html_of(first)


def test_a_unit_without_a_prefix_numbers_with_its_full_name(record):
    assert Notice.objects.get(record=record).number == "区市场监管局信告〔2026〕1号"


def test_a_kind_the_mapping_does_not_know_is_numbered_with_the_decisions():
    assert documents.family_of("revocation_decision") == "信修"
    assert documents.family_of("some_new_kind") == "信修"
    assert documents.carries_remedy_clause("revocation_decision")
    assert not documents.carries_remedy_clause("some_new_notice")


@time_machine.travel(date(2026, 12, 2))
def test_the_unit_is_over_the_date_written_as_the_standard_asks(record):
    html = html_of(documents.issue(NoticeKind.REPAIR_DECISION, record=record))
    assert '<div class="unit">区市场监管局</div>\n  <div class="date">2026年12月2日</div>' in html
    assert "2026-12-02" not in html


def test_the_layout_is_a4_with_the_standards_margins_and_page_numbers(record):
    html = html_of(Notice.objects.get(record=record))
    assert "size: A4; margin: 37mm 26mm 35mm 28mm;" in html
    assert 'content: "\\2014\\00a0" counter(page) "\\00a0\\2014"' in html  # — 1 —
    assert '"FangSong"' in html and '"Noto Sans CJK SC"' in html  # 仿宋, falling back to the installed font


def test_numbers_are_not_given_twice_when_the_sequence_is_locked(record):
    from cases.core.models import NoticeSequence

    numbers = {documents.next_number(record.department, NoticeKind.CORRECTION, date(2026, 5, 1)) for _ in range(5)}
    assert len(numbers) == 5
    assert NoticeSequence.objects.get(department=record.department, year=2026, family="信受").last == 5


# Words (issue #20, deliverable 8): one name for the national site and for the one-time notice;
# what the applicant is told reads as a sentence.

ROOT = Path(__file__).resolve().parent.parent.parent
NATIONAL_SITE = "“信用中国”网站"
OTHER_NAMES = re.compile(
    r"国家平台|国家信用网站|国家信用平台|国家信用信息平台|全国信用信息共享平台|(?<!“)信用中国网站|「信用中国」"
)


def wording_sources():
    yield (
        "django.po",
        "\n".join(entry.msgstr for entry in polib.pofile(str(ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"))),
    )
    for folder in ("cases", "notifications", "templates", "workflows"):
        for path in (ROOT / folder).rglob("*.html"):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def test_the_national_site_is_named_one_way_across_the_catalogue_and_the_templates():
    assert [(where, OTHER_NAMES.findall(text)) for where, text in wording_sources() if OTHER_NAMES.search(text)] == []
    named = [where for where, text in wording_sources() if NATIONAL_SITE in text]
    assert "django.po" in named and "cases/core/templates/notices/repair_decision.html" in named


def test_the_one_time_notice_has_one_name_on_the_pdf_the_kind_and_the_button(record):
    from django.utils.translation import gettext

    notice = documents.issue(NoticeKind.CORRECTION, record=record, missing=[])
    assert "<h1>一次性告知书（补正材料）</h1>" in documents.render_html(notice)
    assert notice.get_kind_display() == "一次性告知书（补正材料）"
    assert gettext("Issue the one-time notice") == "发出一次性告知书（补正材料）"
    assert not any("补正告知书" in text for _where, text in wording_sources())


def decide(record, caseworker, *, approve: bool = True):
    from cases.core.roles import Role
    from tests.factories import StaffFactory

    entity = ApplicantFactory(username="entity", id_number=USCC)
    head = StaffFactory(username="head", role=Role.DEPARTMENT_HEAD)
    application = repair.start_application(actor=entity, record_id=record.pk)
    for code in [item["code"] for item in repair.required_materials(record)]:
        repair.add_material(actor=entity, application_id=application.pk, code=code,
                            upload=SimpleUploadedFile("p.pdf", b"%PDF-1.7"))  # fmt: skip
    repair.submit(actor=entity, application_id=application.pk, obligations_fulfilled=True, commitment_signed=True)
    repair.accept(actor=caseworker, application_id=application.pk)
    repair.start_review(actor=caseworker, application_id=application.pk)
    repair.propose_decision(actor=caseworker, application_id=application.pk, approve=approve,
                            reason="" if approve else "罚款未缴清")  # fmt: skip
    repair.approve_decision(actor=head, application_id=application.pk)
    return entity, application


@time_machine.travel(date(2027, 4, 6))
def test_the_applicant_is_told_the_application_is_approved_in_a_sentence(record, caseworker):
    from notifications.models import Notification

    entity, application = decide(record, caseworker)
    told = Notification.objects.filter(recipient=entity).latest("id")
    assert told.title == f"信用修复申请 {application.case.number} 已准予修复"
    assert told.body == "失信信息 甘市监罚〔2026〕12号 已停止公示。"


@time_machine.travel(date(2027, 4, 6))
def test_the_applicant_is_told_the_list_entry_is_removed(list_entry, caseworker):
    from notifications.models import Notification

    entity, application = decide(list_entry, caseworker)
    told = Notification.objects.filter(recipient=entity).latest("id")
    assert told.body == "示范公司 已移出严重失信主体名单（甘市监列〔2026〕1号）。"
    decision = Notice.objects.get(case=application.case, kind="repair_decision")
    assert "<h1>严重失信主体名单移出决定书</h1>" in documents.render_html(decision)


@time_machine.travel(date(2027, 4, 6))
def test_my_applications_show_when_each_was_submitted(client, record, caseworker):
    entity, _application = decide(record, caseworker)
    client.force_login(entity)
    page = client.get("/my/applications/").content.decode()
    assert "提交时间" in page and "受理时间" not in page
    assert "2027-04-06" in page


def test_the_application_page_shows_submission_and_acceptance_apart(client, record, caseworker):
    with time_machine.travel(datetime(2027, 4, 6, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        entity, application = decide(record, caseworker)
    client.force_login(entity)
    page = client.get(f"/repair/{application.case.number}/").content.decode()
    assert "<dt>提交时间</dt><dd>2027-04-06 09:00</dd>" in page
    assert "<dt>受理时间</dt><dd>2027-04-06 09:00</dd>" in page


@time_machine.travel(date(2027, 4, 6))
def test_the_application_page_names_the_list_removal_and_says_which_notices_are_unsigned(client, list_entry,
                                                                                        caseworker):  # fmt: skip
    entity, application = decide(list_entry, caseworker)
    client.force_login(entity)
    decision = Notice.objects.get(case=application.case, kind="repair_decision")
    assert decision.title == "严重失信主体名单移出决定书"
    page = client.get(f"/repair/{application.case.number}/").content.decode()
    assert "严重失信主体名单移出决定书</a>" in page and "未经数字签名" not in page
    client.get(f"/notices/{decision.pk}/pdf/")  # drawn and kept: the unit has no signing key
    page = client.get(f"/repair/{application.case.number}/").content.decode()
    assert "未经数字签名" in page
