"""One due date everywhere: a deadline shows the same day — its last day at the office (Asia/Shanghai)
— on the case page, the department's queue, the task inbox, the supervisor board, the public
/track/ page and in the reminder, for a case received just before and just after local midnight
(23:50 and 00:10 in Shanghai are 15:50 and 16:10 UTC, the same UTC day)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.complaints import intake as complaint_intake
from cases.complaints.models import Channel
from cases.core import deadlines, documents
from cases.core.models import Case, Deadline, Notice, NoticeKind
from cases.core.roles import Role
from cases.repair import objections
from cases.repair import services as repair
from cases.supervision import sweep as supervision
from notifications.models import Notification
from tests.factories import (
    ApplicantFactory,
    StaffFactory,
    answered_complaint,
    register_penalty,
    valid_uscc,
    work_order_data,
)
from workflows import engine

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE_MIDNIGHT = datetime(2026, 12, 1, 23, 50, tzinfo=SHANGHAI)  # Tuesday, 15:50 UTC
AFTER_MIDNIGHT = datetime(2026, 12, 2, 0, 10, tzinfo=SHANGHAI)  # Wednesday, 16:10 UTC
# The office's first step of each case, counted in working days from the office's date of receipt.
ACCEPT_BY = {BEFORE_MIDNIGHT: date(2026, 12, 4), AFTER_MIDNIGHT: date(2026, 12, 7)}  # 3 working days
REGISTER_BY = {BEFORE_MIDNIGHT: date(2026, 12, 2), AFTER_MIDNIGHT: date(2026, 12, 3)}  # 1 working day
CHECK_BY = {BEFORE_MIDNIGHT: date(2026, 12, 8), AFTER_MIDNIGHT: date(2026, 12, 9)}  # 5 working days
CORRECT_BY = {BEFORE_MIDNIGHT: date(2026, 12, 15), AFTER_MIDNIGHT: date(2026, 12, 16)}  # 10 working days

moments = pytest.mark.parametrize("moment", [BEFORE_MIDNIGHT, AFTER_MIDNIGHT], ids=["23:50", "00:10"])


@pytest.fixture
def people(db):
    return {
        "entity": ApplicantFactory(username="entity", id_number=valid_uscc("91620702MA71ABCD0")),
        "worker": StaffFactory(username="worker"),
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "supervisor": StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR),
    }


def submit_application(people, moment):
    record = register_penalty(people["worker"], decided_on=date(2026, 3, 2))
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        upload = SimpleUploadedFile("p.pdf", b"%PDF-1.7 x", content_type="application/pdf")
        repair.add_material(actor=people["entity"], application_id=application.pk, code=code, upload=upload)
    with time_machine.travel(moment, tick=False):
        repair.submit(actor=people["entity"], application_id=application.pk, obligations_fulfilled=True,
                      commitment_signed=True)  # fmt: skip
    return application.case


def raise_objection(people, moment):
    record = register_penalty(people["worker"], decided_on=date(2026, 3, 2))
    evidence = SimpleUploadedFile("proof.pdf", b"%PDF-1.7 x", content_type="application/pdf")
    with time_machine.travel(moment, tick=False):
        return objections.raise_objection(
            actor=people["entity"],
            record_id=record.pk,
            reasons="罚款金额应为 2000 元，决定书有误。",
            evidence=[evidence],
        )


def noticed_application(client, people, moment):
    """An application submitted an hour before `moment`, taken up, and sent the one-time notice at `moment`."""
    case = submit_application(people, moment - timedelta(hours=1))
    [task] = engine.active_tasks(case)
    client.force_login(people["worker"])
    client.post(f"/tasks/{task.pk}/claim/")
    with time_machine.travel(moment, tick=False):
        repair.issue_incomplete_notice(actor=people["worker"], application_id=case.repair.pk,
                                       missing=[{"code": "commitment", "reason": "未签字"}])  # fmt: skip
    return case


def receive_complaint(moment):
    channel = Channel.objects.create(code="counter", name="窗口", secret="s")
    with time_machine.travel(moment, tick=False):
        complaint, _created = complaint_intake.receive(channel=channel, data=work_order_data("C-1"))
    return complaint.case


def page(client, user, url, **query) -> str:
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    response = client.get(url, query)
    assert response.status_code == 200, url
    return response.content.decode()


def not_showing(pages: dict[str, str], day: date) -> list[str]:
    """The pages that do not give `day` as the due date."""
    return [name for name, text in pages.items() if not shows(text, day)]


def shows(text: str, day: date) -> bool:
    """The text gives `day` as the due date, and not the day after (the "overdue from" instant)."""
    return f"{day:%Y-%m-%d}" in text and f"{day + timedelta(days=1):%Y-%m-%d}" not in text


@moments
def test_a_repair_applications_first_deadline_is_counted_from_the_office_date_of_submission(people, moment):
    case = submit_application(people, moment)
    accept = case.deadlines.get(step="repair.accept")
    assert accept.started_on == timezone.localdate(moment) and accept.due_on == ACCEPT_BY[moment]


@moments
def test_the_repair_deadline_shows_the_same_date_on_every_page(client, people, moment):
    case = submit_application(people, moment)
    due = ACCEPT_BY[moment]
    with time_machine.travel(moment + timedelta(minutes=5), tick=False):
        pages = {
            "case page": page(client, people["worker"], f"/cases/{case.number}/"),
            "application page": page(client, people["worker"], f"/repair/{case.number}/"),
            "the applicant's application page": page(client, people["entity"], f"/repair/{case.number}/"),
            "repair queue": page(client, people["worker"], "/repair/queue/"),
            "task inbox, to claim": page(client, people["worker"], "/tasks/", tab="queue"),
            "supervisor board": page(client, people["supervisor"], "/supervision/"),
            "public tracking": page(client, None, "/track/", number=case.number, code=case.verification_code),
        }
        [task] = engine.active_tasks(case)
        client.force_login(people["worker"])
        client.post(f"/tasks/{task.pk}/claim/")
        pages["task inbox, mine"] = page(client, people["worker"], "/tasks/")
    assert {name: shows(text, due) for name, text in pages.items()} == dict.fromkeys(pages, True)


@moments
def test_the_complaint_deadline_shows_the_same_date_on_every_page(client, people, moment):
    case = receive_complaint(moment)
    due = REGISTER_BY[moment]
    assert case.deadlines.get().due_on == due
    with time_machine.travel(moment + timedelta(minutes=5), tick=False):
        pages = {
            "case page": page(client, people["clerk"], f"/cases/{case.number}/"),
            "complaint page": page(client, people["clerk"], f"/complaints/{case.number}/"),
            "complaint queue": page(client, people["clerk"], "/complaints/"),
            "task inbox": page(client, people["clerk"], "/tasks/", tab="queue"),
            "supervisor board": page(client, people["supervisor"], "/supervision/"),
            "public tracking": page(client, None, "/track/", number=case.number, code=case.verification_code),
        }
    assert {name: shows(text, due) for name, text in pages.items()} == dict.fromkeys(pages, True)


@moments
def test_the_objection_deadline_shows_the_same_date_on_every_page(client, people, moment):
    case = raise_objection(people, moment).case
    due = CHECK_BY[moment]
    with time_machine.travel(moment + timedelta(minutes=5), tick=False):
        pages = {
            "case page": page(client, people["worker"], f"/cases/{case.number}/"),
            "objection page": page(client, people["worker"], f"/objections/{case.number}/"),
            "objection queue": page(client, people["worker"], "/objections/queue/"),
            "supervisor board": page(client, people["supervisor"], "/supervision/"),
            "public tracking": page(client, None, "/track/", number=case.number, code=case.verification_code),
        }
    assert {name: shows(text, due) for name, text in pages.items()} == dict.fromkeys(pages, True)


@moments
def test_the_one_time_notice_gives_the_date_the_pages_and_the_message_give(client, people, moment):
    case = noticed_application(client, people, moment)
    with time_machine.travel(moment, tick=False):
        notice = Notice.objects.get(case=case, kind=NoticeKind.CORRECTION)
        message = Notification.objects.filter(recipient=people["entity"], case=case).latest("pk")
        texts = {
            "notice": documents.render_html(notice),
            "message to the applicant": message.body,
            "the applicant's application page": page(client, people["entity"], f"/repair/{case.number}/"),
            "case page": page(client, people["worker"], f"/cases/{case.number}/"),
        }
    assert {name: shows(text, CORRECT_BY[moment]) for name, text in texts.items()} == dict.fromkeys(texts, True)


@moments
def test_the_reminder_and_its_e_mail_give_the_date_the_pages_give(
    client, people, moment, mailoutbox, django_capture_on_commit_callbacks
):
    people["supervisor"].email = "sup@example.org"
    people["supervisor"].save(update_fields=["email"])
    case = submit_application(people, moment)
    accept = case.deadlines.get(step="repair.accept")
    with django_capture_on_commit_callbacks(execute=True):
        supervision.sweep(now=accept.next_action_at + timedelta(hours=1))
    texts = {
        "reminder": Notification.objects.get(recipient=people["supervisor"], case=case, kind="deadline.reminder").body,
        "e-mail": "".join(m.body for m in mailoutbox if m.to == ["sup@example.org"]),
        "repair queue": page(client, people["worker"], "/repair/queue/"),
        "supervisor board": page(client, people["supervisor"], "/supervision/"),
    }
    assert {name: shows(text, ACCEPT_BY[moment]) for name, text in texts.items()} == dict.fromkeys(texts, True)


@moments
def test_a_case_lists_its_due_date_in_the_office_time_zone_whatever_zone_is_active(client, people, moment):
    with timezone.override("UTC"):
        case = submit_application(people, moment)
        assert case.deadlines.get(step="repair.accept").due_on == ACCEPT_BY[moment]
        queue = page(client, people["worker"], "/repair/queue/")
    assert shows(queue, ACCEPT_BY[moment])


def test_the_due_date_of_an_overdue_from_instant_is_the_office_day_before_it():
    overdue_from = datetime.combine(date(2026, 12, 8), time.min, tzinfo=SHANGHAI)
    assert deadlines.due_date(overdue_from) == date(2026, 12, 7)
    assert deadlines.due_date(overdue_from.astimezone(ZoneInfo("UTC"))) == date(2026, 12, 7)
    assert deadlines.due_date(date(2026, 12, 7)) == date(2026, 12, 7)
    assert deadlines.due_date(None) is None


def test_a_deadline_falls_overdue_at_the_office_midnight_after_its_last_day(people):
    case = submit_application(people, AFTER_MIDNIGHT)
    accept = Deadline.objects.get(case=case, step="repair.accept")
    assert accept.due_at == datetime(2026, 12, 8, tzinfo=SHANGHAI)
    assert Case.objects.get(pk=case.pk).next_due_at == accept.due_at
    assert deadlines.due_date(accept.due_at) == deadlines.due_date(accept) == date(2026, 12, 7)


def test_the_case_page_of_an_objection_opens_from_the_board(client, people):
    record = register_penalty(people["worker"], decided_on=date(2026, 3, 2))
    evidence = SimpleUploadedFile("proof.pdf", b"%PDF-1.7 x", content_type="application/pdf")
    objection = objections.raise_objection(
        actor=people["entity"], record_id=record.pk, reasons="罚款金额应为 2000 元，决定书有误。", evidence=[evidence]
    )
    board = page(client, people["supervisor"], "/supervision/")
    assert f"/cases/{objection.case.number}/" in board
    assert objection.case.number in page(client, people["supervisor"], f"/cases/{objection.case.number}/")


def test_the_public_tracking_page_says_by_when_the_office_handles_the_step(client, people):
    case = submit_application(people, AFTER_MIDNIGHT)
    with time_machine.travel(AFTER_MIDNIGHT + timedelta(minutes=5), tick=False):
        text = page(client, None, "/track/", number=case.number, code=case.verification_code)
    assert "<dt>办理期限至</dt><dd>2026-12-07</dd>" in text


# The applicant's own lists: where each case stands, the date the office owes its next answer and,
# when the next move is theirs, what they must do by when — the dates the case page and receipt give.


def receive_own_complaint(people, moment):
    channel = Channel.objects.create(code="counter", name="窗口", secret="s")
    with time_machine.travel(moment, tick=False):
        complaint, _created = complaint_intake.receive(
            channel=channel, data=work_order_data("C-1", complainant=people["entity"])
        )
    return complaint


def own_application(people, moment):
    """A repair application the enterprise submitted at `moment`, its due date and its pages."""
    case = submit_application(people, moment)
    return case, ACCEPT_BY[moment], {
        "my applications": "/my/applications/", "my credit records": "/my/records/",
        "the applicant's application page": f"/repair/{case.number}/",
    }  # fmt: skip


def own_complaint(people, moment):
    case = receive_own_complaint(people, moment).case
    return case, REGISTER_BY[moment], {
        "my complaints": "/my/complaints/", "the complainant's complaint page": f"/complaints/{case.number}/",
    }  # fmt: skip


def own_objection(people, moment):
    case = raise_objection(people, moment).case
    return case, CHECK_BY[moment], {
        "my credit records": "/my/records/", "the applicant's objection page": f"/objections/{case.number}/",
    }  # fmt: skip


def applicants_pages(client, people, moment, case, paths: dict[str, str]) -> dict[str, str]:
    """The applicant's pages at `paths`, and the case's receipt, five minutes after `moment`."""
    with time_machine.travel(moment + timedelta(minutes=5), tick=False):
        pages = {name: page(client, people["entity"], path) for name, path in paths.items()}
        pages["receipt"] = page(client, people["entity"], f"/cases/{case.number}/receipt/")
    return pages


@moments
@pytest.mark.parametrize("own_case", [own_application, own_complaint, own_objection], ids=lambda f: f.__name__)
def test_the_applicants_lists_give_the_date_the_case_page_and_the_receipt_give(client, people, moment, own_case):
    case, due, paths = own_case(people, moment)
    assert not_showing(applicants_pages(client, people, moment, case, paths), due) == []


def test_the_applicants_lists_name_the_step_the_office_is_on(client, people):
    case, _due, paths = own_application(people, AFTER_MIDNIGHT)
    pages = applicants_pages(client, people, AFTER_MIDNIGHT, case, paths)
    assert '<span class="muted">受理审查</span>' in pages["my applications"]
    assert "受理审查：办理期限至2026-12-07" in pages["my credit records"]


@moments
def test_after_a_one_time_notice_my_applications_asks_for_the_materials_by_the_notices_date(client, people, moment):
    case = noticed_application(client, people, moment)
    with time_machine.travel(moment, tick=False):
        texts = {
            "my applications": page(client, people["entity"], "/my/applications/"),
            "my credit records": page(client, people["entity"], "/my/records/"),
            "the applicant's application page": page(client, people["entity"], f"/repair/{case.number}/"),
        }
    day = f"{CORRECT_BY[moment]:%Y-%m-%d}"
    assert f"请于{day}前补正一次性告知书所列材料" in texts["my applications"]
    assert f"请于{day}前补正一次性告知书所列材料" in texts["my credit records"]
    assert not_showing(texts, CORRECT_BY[moment]) == []


def test_my_complaints_asks_the_complainant_to_confirm_the_answer_by_its_date(client, people):
    people["worker"] = StaffFactory(username="czj", department__code="czj")
    complaint = answered_complaint(receive_own_complaint(people, AFTER_MIDNIGHT), clerk=people["clerk"],
                                   worker=people["worker"])  # fmt: skip
    confirm = complaint.case.deadlines.get(step="complaint.confirm", closed_at__isnull=True)
    text = page(client, people["entity"], "/my/complaints/")
    assert f"请于{confirm.due_on:%Y-%m-%d}前告知是否满意答复" in text


def test_a_draft_asks_for_its_materials_and_owes_no_date(client, people):
    record = register_penalty(people["worker"], decided_on=date(2026, 3, 2))
    repair.start_application(actor=people["entity"], record_id=record.pk)
    text = page(client, people["entity"], "/my/applications/")
    assert "补齐材料并提交申请" in text and "2026-12" not in text


def test_a_closed_case_asks_nothing_and_owes_no_date(client, people):
    case = submit_application(people, AFTER_MIDNIGHT)
    repair.withdraw(actor=people["entity"], application_id=case.repair.pk)
    text = page(client, people["entity"], "/my/applications/")
    assert "目前无需办理" in text and f"{ACCEPT_BY[AFTER_MIDNIGHT]:%Y-%m-%d}" not in text
