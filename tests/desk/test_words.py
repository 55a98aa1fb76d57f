"""The words people read: event and state labels from their enums, deadlines in the page's
language, amounts in 元, readable references, the right labels on buttons and fields, and no
Chinese left in the English pages' own words."""

import ast
import re
import uuid
from decimal import Decimal
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from cases.complaints import intake as complaint_intake
from cases.complaints.models import Channel, Complaint
from cases.core import event_types, policies
from cases.core.event_types import DeadlineStep, EventType
from cases.core.models import Case, Deadline

ROOT = Path(__file__).resolve().parent.parent.parent
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def page(client, url: str, language: str = "zh-hans") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))


@pytest.fixture
def demo(db):
    with translation.override("zh-hans"):
        call_command("seed_demo", stdout=StringIO())
    return {user.username: user for user in get_user_model().objects.all()}


# --- event and state labels --------------------------------------------------------------------


@pytest.mark.parametrize("member", list(EventType), ids=lambda m: m.value)
def test_every_event_reads_as_words_in_both_languages(member):
    with translation.override("en"):
        english = event_types.label(member.value)
    with translation.override("zh-hans"):
        chinese = event_types.label(member.value)
    assert english != member.value and "." not in english.split()[0]
    assert CJK.search(chinese), f"{member.value} has no Chinese label: {chinese!r}"


def test_an_event_name_outside_the_enum_reads_as_a_recorded_step_not_as_its_key():
    with translation.override("zh-hans"):
        assert event_types.label("complaint.some_future_step") == "已记录办理环节"
    with translation.override("en"):
        assert event_types.label("complaint.some_future_step") == "Step recorded"


def test_the_case_timeline_shows_the_states_labels_not_their_codes(client, demo):
    client.force_login(demo["banli"])
    number = Case.objects.get(title="区某单位拖欠工程款 86 万元").number
    text = visible(page(client, f"/cases/{number}/"))
    assert "in_progress" not in text and "received" not in text
    assert "办理中" in text or "生成工单" in text


def test_the_public_tracking_page_lists_events_by_their_labels(client, demo):
    complaint = Complaint.objects.filter(channel_reference__startswith="DEMO-").select_related("case").first()
    case = complaint.case
    text = visible(page(client, f"/track/?number={case.number}&code={case.verification_code}"))
    assert not re.search(r"\bcomplaint\.[a-z_]+", text)
    assert "投诉已办结" in text


# --- deadlines in the page's language -------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "stored", "english", "chinese"),
    [
        (DeadlineStep.COMPLAINT_ANSWER, "部门答复", "Department's answer", "部门答复"),
        (DeadlineStep.REPAIR_ACCEPT, "Acceptance", "Acceptance", "受理审查"),
        ("arrears.instalment.2", "第2期", "Instalment 2", "2"),
    ],
)
def test_a_deadline_reads_by_its_step_in_the_pages_language_whatever_language_it_was_stored_in(
    step, stored, english, chinese
):
    deadline = Deadline(step=step, label=stored)
    with translation.override("en"):
        assert deadline.step_name == english
    with translation.override("zh-hans"):
        name = deadline.step_name
        assert chinese in name and (step.startswith("arrears") or not re.search("[A-Za-z]", name))


# --- amounts ------------------------------------------------------------------------------------


def render(template: str, **context) -> str:
    return Template("{% load words %}" + template).render(Context(context))


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [("zh-hans", Decimal("860000"), "860,000.00 元"), ("en", Decimal("860000"), "860,000.00 yuan"),
     ("zh-hans", None, "—"), ("zh-hans", Decimal("1234567.5"), "1,234,567.50 元")],
)  # fmt: skip
def test_an_amount_reads_in_yuan_with_thousands_grouped(language, value, expected):
    with translation.override(language):
        assert render("{{ v|yuan }}", v=value) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [("zh-hans", Decimal("860000"), "86 万元"), ("zh-hans", Decimal("865000"), "86.5 万元"),
     ("zh-hans", Decimal("12345678"), "1,234.57 万元"), ("en", Decimal("860000"), "860,000 yuan")],
)  # fmt: skip
def test_a_summary_figure_reads_in_wan_yuan_where_the_office_writes_so(language, value, expected):
    with translation.override(language):
        assert render("{{ v|wan_yuan }}", v=value) == expected


def test_the_arrears_on_a_complaint_page_read_in_yuan_with_grouping(client, demo):
    client.force_login(demo["banli"])
    complaint = Complaint.objects.get(case__title="区某单位拖欠工程款 86 万元")
    html = page(client, f"/complaints/{complaint.case.number}/")
    assert "860,000.00 元" in html
    assert "860000.00" not in html


# --- references ---------------------------------------------------------------------------------


@pytest.fixture
def web_complaint(demo):
    token = uuid.uuid4().hex
    with translation.override("zh-hans"):
        complaint, _created = complaint_intake.receive(
            channel=Channel.objects.get(code="website"),
            data={
                "reference": f"WEB-{token}", "complainant_name": "张经理", "complainant_phone": "13800001234",
                "enterprise_name": demo["qiye"].entity_name, "enterprise_uscc": demo["qiye"].id_number,
                "respondent": "区某镇人民政府", "subject": "arrears", "facts": "工程款未付。",
                "amount_claimed": Decimal("860000"), "complainant": demo["qiye"],
            },
        )  # fmt: skip
    return complaint, token


def test_staff_read_a_website_reference_short_with_the_full_one_kept_for_matching(client, demo, web_complaint):
    complaint, token = web_complaint
    client.force_login(demo["dengji"])
    html = page(client, f"/complaints/{complaint.case.number}/")
    assert f"WEB-{token[:8].upper()}" in visible(html)
    assert f"WEB-{token}" not in visible(html)
    assert f'title="WEB-{token}"' in html


def test_the_complainant_does_not_see_the_internal_reference(client, demo, web_complaint):
    complaint, _token = web_complaint
    client.force_login(demo["qiye"])
    html = page(client, f"/complaints/{complaint.case.number}/")
    assert "WEB-" not in html
    assert "信用网站投诉专栏" in visible(html)


def test_a_channel_reads_by_its_english_name_on_the_english_pages(client, demo, web_complaint):
    complaint, _token = web_complaint
    client.force_login(demo["dengji"])
    text = visible(page(client, f"/complaints/{complaint.case.number}/", "en"))
    assert "Complaints page of the credit website" in text
    assert "信用网站投诉专栏" not in text


# --- labels -------------------------------------------------------------------------------------


def test_the_public_footer_has_no_health_check_link(client, db):
    html = page(client, "/")
    assert "healthz" not in html


def test_the_confirm_amount_button_says_so(client, demo):
    client.force_login(demo["banli"])
    complaint = Complaint.objects.get(case__title="区某单位拖欠工程款 86 万元")
    html = page(client, f"/complaints/{complaint.case.number}/")
    form = re.search(r'confirm-amount/".*?</form>', html, re.S).group(0)
    assert "确认金额</button>" in form
    assert "信用记录" not in form


def test_the_one_time_notice_asks_for_the_reason_to_complete_not_a_supervision_reason(client, demo):
    client.force_login(demo["banli"])
    html = page(client, "/repair/XF2026000001/")
    assert 'placeholder="补正理由"' in html
    assert "督办事由" not in html


def test_a_supervision_order_keeps_its_reason_label(client, demo):
    with translation.override("zh-hans"):
        rendered = Template('{% load i18n %}{% translate "Reason" context "supervision order" %}').render(Context())
        plain = Template('{% load i18n %}{% translate "Reason" %}').render(Context())
    assert (rendered, plain) == ("督办事由", "理由")


def test_the_release_button_reads_as_putting_back_in_the_queue_never_as_a_return(client, demo):
    with translation.override("zh-hans"):
        label = Template('{% load i18n %}{% translate "Release" %}').render(Context())
    assert "放回待认领" in label and "退回" not in label


def test_a_link_styled_button_is_not_white_on_a_white_card():
    css = (ROOT / "static" / "css" / "chengxin.css").read_text(encoding="utf-8")
    rule = re.search(r"^button\.link \{([^}]*)\}", css, re.M).group(1)
    assert re.search(r"(^|;)\s*color:\s*(?!#fff\b)", rule), rule


def test_the_overview_says_not_accepted_yet_before_acceptance(client, demo):
    client.force_login(demo["banli"])
    text = visible(page(client, "/cases/XF2026000001/"))
    assert "尚未受理" in text


# --- English pages: the office's own words in English -------------------------------------------


@pytest.mark.django_db
def test_complaint_subjects_and_materials_read_in_english_on_the_switch():
    with translation.override("en"):
        names = [item["name"] for item in policies.named_choices("complaint", "subjects")]
    assert "Unpaid accounts" in names
    assert not [name for name in names if CJK.search(name)]
    with translation.override("en"):
        rendered = render("{{ n|choice_name }}", n="履行义务证明（缴款凭证、整改报告等）")
    assert rendered.startswith("Proof of obligations fulfilled")


@pytest.mark.django_db
def test_complaint_subjects_keep_the_office_names_in_chinese():
    with translation.override("zh-hans"):
        names = [item["name"] for item in policies.named_choices("complaint", "subjects")]
    assert "拖欠账款（清欠）" in names


def test_notification_settings_name_the_ways_in_the_pages_language(client, demo):
    client.force_login(demo["banli"])
    text = visible(page(client, "/notifications/preferences/", "en"))
    assert "By e-mail" in text and "电子邮件" not in text


def _msgids_in_code():
    for folder in ("cases", "notifications", "workflows", "templates"):
        for path in (ROOT / folder).rglob("*"):
            if "migrations" in path.parts or "notices" in path.parts or "reports" in path.parts:
                continue
            if path.suffix == ".html":
                for match in re.finditer(r'\{%\s*translate\s+"([^"]*)"', path.read_text(encoding="utf-8")):
                    yield path, match.group(1)
            elif path.suffix == ".py":
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                    if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"_", "gettext_lazy", "_lazy"}:
                        for arg in node.args:
                            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                                yield path, arg.value


# A code the office writes as it is, in an administrator's hint.
CHINESE_ALLOWED_IN_MSGIDS = {
    "The unit's abbreviation in its document numbers, e.g. 甘州市监. Empty: the full name is used.",
}


def test_no_english_msgid_carries_chinese_words():
    found = [f"{path.relative_to(ROOT)}: {msgid}" for path, msgid in _msgids_in_code()
             if CJK.search(msgid) and msgid not in CHINESE_ALLOWED_IN_MSGIDS]  # fmt: skip
    assert found == []


def test_full_width_punctuation_is_in_the_chinese_translation_not_in_the_templates():
    translated = re.compile(
        r'\{%\s*translate\s+"[^"]*"[^%]*%\}|\{%\s*blocktranslate\b.*?\{%\s*endblocktranslate\s*%\}', re.S
    )
    found = []
    for folder in ("cases", "templates", "notifications", "workflows"):
        for path in (ROOT / folder).rglob("*.html"):
            if "notices" in path.parts or "reports" in path.parts:  # the formal Chinese documents
                continue
            text = translated.sub("", path.read_text(encoding="utf-8")).replace(">中文<", "><")
            lines = [line.strip()[:80] for line in text.splitlines() if CJK.search(line)]
            found += [f"{path.relative_to(ROOT)}: {line}" for line in lines]
    assert found == []


def test_the_punctuation_is_full_width_in_chinese():
    po = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    marks = {entry.msgid: entry.msgstr for entry in po if entry.msgctxt == "punctuation"}
    assert marks == {": ": "：", " (": "（", ")": "）", ", ": "，", "; ": "；"}


def test_the_complainant_is_told_a_payment_with_the_amounts_grouped(demo):
    from datetime import date

    from cases.complaints import services as complaints
    from notifications.models import Notification

    complaint = Complaint.objects.get(case__title="区某单位拖欠工程款 86 万元")
    with translation.override("zh-hans"):
        complaints.record_payment(actor=demo["banli"], complaint_id=complaint.pk, amount="200000",
                                  paid_on=date(2026, 11, 30), proof="回单 1")  # fmt: skip
    body = Notification.objects.filter(case=complaint.case).latest("pk").body
    assert "200,000.00" in body and "660,000.00" in body
