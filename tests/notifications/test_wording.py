"""A notification says its words in its reader's language, whoever wrote it and in whatever
language: the inbox and the live toast in the reader's, e-mail and SMS in the office's."""

import ast
import html
from datetime import date
from pathlib import Path

import polib
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from cases.core import services as case_services
from cases.supervision import services as supervision_services
from cases.supervision import sweep as supervision
from notifications import services
from notifications.consumers import NotificationConsumer
from notifications.models import Notification, SmsMessage
from notifications.phrases import Joined, Named, Phrase, dump, load, said_in
from tests.factories import CaseFactory, StaffFactory

ROOT = Path(__file__).resolve().parent.parent.parent
ANSWERED = Phrase("Complaint %(number)s answered", number="TS-2026-000001")


def inbox(client, user, language: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return html.unescape(client.get("/notifications/").content.decode())


# --- the phrase itself ------------------------------------------------------------------------


def test_a_phrase_with_nested_labels_and_names_comes_back_from_its_json_as_it_went_in():
    phrase = Phrase(
        "New complaint %(number)s from %(channel)s",
        number="TS-1",
        channel=Named("市长热线", "Mayor's hotline"),
    )
    body = Joined(["typed by a person", Phrase(")", context="punctuation")], "")
    assert load(dump(phrase)) == phrase
    assert load(dump(body)) == body


def test_a_phrase_renders_in_the_active_language_with_its_labels_translated():
    phrase = Phrase("Extension on complaint %(number)s %(verdict)s", number="TS-1", verdict=Phrase("approved"))
    with translation.override("en"):
        assert phrase.render() == "Extension on complaint TS-1 approved"
    with translation.override("zh-hans"):
        assert phrase.render() == "投诉 TS-1 的延期申请已批准"


def test_phrases_said_together_in_one_language_read_as_each_would_alone():
    with translation.override("en"), said_in("zh-hans"):
        assert [ANSWERED.render(), ANSWERED.render()] == ["投诉 TS-2026-000001 已答复"] * 2
        with said_in("en"):
            assert ANSWERED.render() == "Complaint TS-2026-000001 answered"
        assert ANSWERED.render() == "投诉 TS-2026-000001 已答复"
    with translation.override("en"):
        assert ANSWERED.render() == "Complaint TS-2026-000001 answered"


def test_a_name_reads_in_english_only_where_it_has_an_english_one():
    with translation.override("en"):
        assert str(Named("市长热线", "Mayor's hotline")) == "Mayor's hotline"
        assert str(Named("某某热线")) == "某某热线"
    with translation.override("zh-hans"):
        assert str(Named("市长热线", "Mayor's hotline")) == "市长热线"


def test_a_lazy_label_given_as_a_param_is_kept_as_its_msgid():
    from cases.core.event_types import DeadlineStep

    phrase = Phrase(
        "Reminder: case %(number)s, %(step)s, is due on %(due)s",
        number="N",
        step=DeadlineStep.COMPLAINT_ANSWER.label,
        due=date(2026, 1, 5),
    )
    assert dump(phrase)["params"]["step"] == {"msgid": "Department's answer", "params": {}}
    assert dump(phrase)["params"]["due"] == "2026-01-05"


def test_every_phrase_said_in_the_code_has_its_chinese():
    catalogue = polib.pofile(str(ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"))
    translated = {(entry.msgctxt or "", entry.msgid) for entry in catalogue if entry.msgstr and not entry.obsolete}
    said = set()
    for path in [*ROOT.glob("cases/**/*.py"), *ROOT.glob("notifications/**/*.py"), *ROOT.glob("workflows/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Phrase" and node.args):
                continue
            if isinstance(node.args[0], ast.Constant):
                context = next((k.value.value for k in node.keywords if k.arg == "context"), "")
                said.add((context, node.args[0].value))
    for template in (msgid for pair in supervision._templates().values() for msgid in pair):
        said.add(("", template))
    assert said and said - translated == set()


# --- the inbox ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_written_while_english_is_active_it_reads_in_chinese_and_in_english_for_each_reader(client):
    reader = StaffFactory()
    with translation.override("en"):  # the actor's page was in English
        services.notify([reader], kind="complaint.progress", title=ANSWERED, body="我们已核实")
    note = Notification.objects.get()
    assert note.title == "投诉 TS-2026-000001 已答复"  # kept in the office's language for search and admin
    chinese, english = inbox(client, reader, "zh-hans"), inbox(client, reader, "en")
    assert "投诉 TS-2026-000001 已答复" in chinese
    assert "Complaint TS-2026-000001 answered" in english
    assert "已答复" not in english
    assert "我们已核实" in english  # what a person typed stays as typed


@pytest.mark.django_db
def test_a_supervision_order_issued_from_an_english_page_reads_in_chinese_for_the_department(client, supervisor):
    caseworker = StaffFactory()
    case = CaseFactory(assignee=caseworker)
    case_services.start_deadline(
        case=case, step="complaint.answer", label="部门答复", policy_key="answer_within", start=date(2025, 3, 3)
    )
    with translation.override("en"):
        supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="请于三日内答复企业")
    chinese = inbox(client, caseworker, "zh-hans")
    assert f"督办单：案件 {case.number}" in chinese
    assert "请于三日内答复企业" in chinese and "个工作日内）答复本督办单。" in chinese
    english = inbox(client, caseworker, "en")
    assert f"Supervision order on case {case.number}" in english
    assert "working days)." in english and "督办单" not in english


@pytest.mark.django_db
def test_a_reminder_written_by_the_sweep_reads_in_english_on_the_english_inbox(client):
    assignee = StaffFactory()
    case = CaseFactory(assignee=assignee)
    case_services.start_deadline(
        case=case, step="complaint.answer", label="部门答复", policy_key="answer_within", start=date(2025, 9, 26)
    )
    translation.deactivate_all()  # a worker: no request, no language of its own
    supervision.sweep(now=timezone.make_aware(timezone.datetime(2025, 10, 21, 9)))
    assert Notification.objects.filter(recipient=assignee, kind="deadline.reminder").exists()
    english = inbox(client, assignee, "en")
    assert f"Reminder: case {case.number}, Department's answer, is due on" in english
    assert "催办" not in english
    assert f"催办：案件 {case.number}（部门答复）" in inbox(client, assignee, "zh-hans")


@pytest.mark.django_db
def test_an_older_notification_without_its_wording_shows_its_stored_text(client):
    reader = StaffFactory()
    [note] = services.notify([reader], kind="deadline.reminder", title="旧的提醒", body="旧的正文")
    Notification.objects.filter(pk=note.pk).update(wording={})
    english = inbox(client, reader, "en")
    assert "<strong data-stored-text>旧的提醒</strong>" in english
    assert "旧的正文" in english


# --- e-mail and SMS ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_e_mail_and_sms_are_in_chinese_even_when_the_actor_was_reading_english(django_capture_on_commit_callbacks):
    reader = StaffFactory(email="head@example.org", phone="13800000000")
    title = Phrase("Supervision order on case %(number)s", number="TS-2026-000002")
    body = Phrase("Answer this order by %(date)s (within %(days)s working days).", date="2026-01-09", days=5)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.notify([reader], kind="deadline.escalated", title=title, body=body)
    [email] = mail.outbox
    assert email.subject == "督办单：案件 TS-2026-000002"
    assert "请于 2026-01-09 前（5 个工作日内）答复本督办单。" in email.body
    assert SmsMessage.objects.get().text.startswith("【诚信】督办单：案件 TS-2026-000002")


# --- the live toast ----------------------------------------------------------------------------


async def _socket(user, language: str | None):
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    communicator.scope["cookies"] = {settings.LANGUAGE_COOKIE_NAME: language} if language else {}
    connected, _code = await communicator.connect()
    assert connected
    return communicator, await communicator.receive_json_from(timeout=2)


@pytest.mark.django_db(transaction=True)
async def test_the_live_toast_is_said_in_the_language_of_each_socket_not_the_senders(settings):
    settings.NOTIFICATIONS_POLL_SECONDS = 0.1
    reader = await database_sync_to_async(StaffFactory)()
    english, _hello = await _socket(reader, "en")
    chinese, _hello = await _socket(reader, None)

    def write_in_english():
        with translation.override("en"):
            services.notify([reader], kind="complaint.progress", title=ANSWERED, body="我们已核实")

    await database_sync_to_async(write_in_english)()
    toast_en = await english.receive_json_from(timeout=2)
    toast_zh = await chinese.receive_json_from(timeout=2)
    assert (toast_en["title"], toast_en["body"]) == ("Complaint TS-2026-000001 answered", "我们已核实")
    assert toast_zh["title"] == "投诉 TS-2026-000001 已答复"
    assert "wording" not in toast_en
    await english.disconnect()
    await chinese.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_latest_items_on_connect_are_said_in_the_sockets_language():
    reader = await database_sync_to_async(StaffFactory)()

    def write_in_chinese():
        with translation.override("zh-hans"):
            services.notify([reader], kind="complaint.progress", title=ANSWERED, body="…")

    await database_sync_to_async(write_in_chinese)()
    communicator, hello = await _socket(reader, "en")
    assert [item["title"] for item in hello["latest"]] == ["Complaint TS-2026-000001 answered"]
    await communicator.disconnect()
