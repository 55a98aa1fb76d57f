"""The supervisor board: one row per open case of both kinds, most urgent first, filtered,
paged without counting a million rows, and refreshed live after each change."""

import html
import re
from datetime import date, datetime, time

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel
from cases.core import services
from cases.core.event_types import DeadlineStep
from cases.core.models import Case, Stage
from cases.core.roles import Role
from cases.supervision import sweep as supervision
from cases.supervision.models import SupervisionOrder
from notifications import realtime
from notifications import services as notification_services
from notifications.models import Notification
from tests.factories import CaseFactory, StaffFactory, valid_uscc

pytestmark = pytest.mark.django_db

TODAY = date(2025, 10, 10)  # Friday, just after the National Day holiday (1–8 October 2025)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY), tick=False):
        yield


@pytest.fixture
def other_worker(db):
    return StaffFactory(username="fgj-worker", department__code="fgj")


def open_case(due_on: date | None, department=None, kind="complaint", **fields) -> Case:
    """A case in progress whose one step falls due on `due_on` (no running step when None)."""
    extra = {"department": department} if department else {}
    case = CaseFactory(kind=kind, **extra, **fields)
    if due_on:
        services.start_deadline_on(case=case, step="complaint.answer", label="部门答复", due_on=due_on)
    return case


def numbers(html: str) -> list[str]:
    return re.findall(r'data-case="([^"]+)"', html)


def board(client, user, **params) -> str:
    client.force_login(user)
    response = client.get("/supervision/", params)
    assert response.status_code == 200
    return response.content.decode()


# --- what the board lists, and in which order ---------------------------------------------------


def test_cases_are_sorted_most_overdue_first_then_nearest_due_then_without_a_running_clock(client, supervisor):
    later = open_case(date(2025, 10, 30))
    no_clock = open_case(None)
    most_overdue = open_case(date(2025, 9, 15))
    soon = open_case(date(2025, 10, 14))
    overdue = open_case(date(2025, 9, 30))
    assert numbers(board(client, supervisor)) == [
        most_overdue.number,
        overdue.number,
        soon.number,
        later.number,
        no_clock.number,
    ]


def test_overdue_days_are_working_days_not_counting_the_holiday(client, supervisor):
    # Due Tue 30 Sep; 1–8 Oct are off, so by Fri 10 Oct it is 2 working days overdue, not 10.
    open_case(date(2025, 9, 30))
    assert "逾期 2 个工作日" in board(client, supervisor)


def test_a_row_shows_kind_step_department_assignee_due_date_and_stage(client, supervisor, caseworker):
    case = open_case(date(2025, 9, 30), assignee=caseworker, state="in_progress")
    supervision.sweep(now=at(TODAY))
    row = re.search(rf'<tr[^>]*data-case="{case.number}".*?</tr>', board(client, supervisor), re.S).group(0)
    assert "政府违约失信投诉" in row  # kind
    assert str(case.state_label) in row and "部门答复" in row  # the current step and the clock's step
    assert case.department.name in row
    assert str(caseworker) in row
    assert "2025-09-30" in row
    assert str(Stage.SUPERVISED.label) in row


def test_closed_cases_and_applicants_drafts_are_not_on_the_board(client, supervisor):
    closed = open_case(date(2025, 10, 20), closed_at=timezone.now())
    draft = open_case(None, kind="repair", state="draft")
    shown = open_case(date(2025, 10, 20))
    assert numbers(board(client, supervisor)) == [shown.number]
    assert closed.number and draft.number


def test_a_stopped_clock_does_not_count_as_overdue(client, supervisor):
    case = open_case(date(2025, 9, 30))
    services.pause_deadline(case=case, step="complaint.answer")
    row = re.search(rf'<tr[^>]*data-case="{case.number}".*?</tr>', board(client, supervisor), re.S).group(0)
    assert "逾期" not in row and 'class="overdue"' not in row


# --- who sees what ------------------------------------------------------------------------------


def test_department_staff_see_only_their_department_whatever_they_ask(client, caseworker, other_worker):
    mine = open_case(date(2025, 10, 20), department=caseworker.department)
    theirs = open_case(date(2025, 10, 20), department=other_worker.department)
    assert numbers(board(client, caseworker)) == [mine.number]
    assert numbers(board(client, caseworker, department=other_worker.department_id)) == [mine.number]
    assert numbers(board(client, caseworker, q=theirs.number)) == []


def test_department_staff_cannot_issue_orders_from_their_board(client, caseworker):
    open_case(date(2025, 9, 30), department=caseworker.department)
    assert "supervision/cases/" not in board(client, caseworker)


def test_an_applicant_gets_a_403(client, applicant):
    client.force_login(applicant)
    assert client.get("/supervision/", {"fragment": "1"}).status_code == 403


# --- filters ------------------------------------------------------------------------------------


@pytest.fixture
def complaint_cases(db):
    hotline = Channel.objects.create(code="12345", name="12345热线", secret="s")
    website = Channel.objects.create(code="website", name="网站", secret="s")

    def receive(channel, reference, subject):
        complaint, _created = complaint_intake.receive(channel=channel, data={
            "reference": reference, "complainant_name": "张经理", "enterprise_name": "示范公司",
            "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某局", "subject": subject,
            "facts": "拖欠货款"})  # fmt: skip
        return complaint

    return {
        "arrears_by_phone": receive(hotline, "H-1", "arrears"),
        "procurement_online": receive(website, "W-1", "procurement"),
        "hotline": hotline,
    }


def test_the_board_filters_by_complaint_subject(client, supervisor, complaint_cases):
    page = board(client, supervisor, subject="arrears")
    assert numbers(page) == [complaint_cases["arrears_by_phone"].case.number]


def test_the_subject_the_clerk_registers_is_the_one_the_board_filters_by(client, supervisor, complaint_cases):
    clerk = StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK)
    complaint = complaint_cases["procurement_online"]
    complaints.register(actor=clerk, complaint_id=complaint.pk, subject="arrears", respondent="区某局")
    assert set(numbers(board(client, supervisor, subject="arrears"))) == {
        complaint.case.number,
        complaint_cases["arrears_by_phone"].case.number,
    }
    assert numbers(board(client, supervisor, subject="procurement")) == []


def test_the_board_filters_by_channel(client, supervisor, complaint_cases):
    page = board(client, supervisor, channel=complaint_cases["hotline"].pk)
    assert numbers(page) == [complaint_cases["arrears_by_phone"].case.number]


def test_the_board_filters_by_kind(client, supervisor):
    repair = open_case(date(2025, 10, 20), kind="repair", state="accepted", number="XF2025000001")
    open_case(date(2025, 10, 20))
    assert numbers(board(client, supervisor, kind="repair")) == [repair.number]


def test_the_board_filters_by_supervision_stage(client, supervisor):
    escalated = open_case(date(2025, 9, 15))
    supervised = open_case(date(2025, 9, 30))
    open_case(date(2025, 10, 30))
    supervision.sweep(now=at(TODAY))
    assert numbers(board(client, supervisor, stage=Stage.ESCALATED)) == [escalated.number]
    assert numbers(board(client, supervisor, stage=Stage.SUPERVISED)) == [supervised.number]


def test_the_board_filters_overdue_cases(client, supervisor):
    overdue = open_case(date(2025, 9, 30))
    open_case(date(2025, 10, 30))
    assert numbers(board(client, supervisor, overdue="1")) == [overdue.number]


def test_the_board_filters_by_department(client, supervisor, caseworker, other_worker):
    open_case(date(2025, 10, 20), department=caseworker.department)
    theirs = open_case(date(2025, 10, 20), department=other_worker.department)
    assert numbers(board(client, supervisor, department=other_worker.department_id)) == [theirs.number]


def test_the_department_filter_offers_the_active_departments_and_keeps_the_chosen_one(
    client, supervisor, caseworker, other_worker
):
    other_worker.department.__class__.objects.filter(pk=caseworker.department_id).update(active=False)
    page = board(client, supervisor, department=other_worker.department_id)
    chosen = f'<option value="{other_worker.department_id}" selected>{html.escape(other_worker.department.name_zh)}<'
    assert chosen in page
    assert f'<option value="{caseworker.department_id}"' not in page


def test_the_board_finds_a_case_by_its_number_or_words_of_its_subject(client, supervisor):
    wanted = open_case(date(2025, 10, 20), title="拖欠工程款")
    other = open_case(date(2025, 10, 20), title="政策不兑现")
    assert numbers(board(client, supervisor, q=wanted.number.lower())) == [wanted.number]
    assert numbers(board(client, supervisor, q="工程款")) == [wanted.number]
    assert numbers(board(client, supervisor, q=other.number[-4:])) == [other.number]


# --- the live fragment, paging and the one-click order ------------------------------------------


def test_the_fragment_is_the_table_body_only_with_the_same_filters(client, supervisor):
    overdue = open_case(date(2025, 9, 30))
    open_case(date(2025, 10, 30))
    html = board(client, supervisor, overdue="1", fragment="1")
    assert html.lstrip().startswith("<tbody") and "<html" not in html
    assert numbers(html) == [overdue.number]


def test_orders_issued_from_the_fragment_come_back_to_the_board_not_the_fragment(client, supervisor):
    case = open_case(date(2025, 9, 30))
    html = board(client, supervisor, overdue="1", fragment="1")
    assert f'href="/supervision/cases/{case.pk}/order/?next=/supervision/%3Foverdue%3D1"' in html
    form = client.get(f"/supervision/cases/{case.pk}/order/", {"next": "/supervision/?overdue=1"}).content.decode()
    assert 'name="next" value="/supervision/?overdue=1"' in form


def test_pages_say_there_is_more_without_counting_everything(client, supervisor, settings):
    cases = [open_case(date(2025, 10, 20)) for _ in range(30)]
    first = board(client, supervisor)
    assert len(numbers(first)) == 25 and "page=2" in first
    second = board(client, supervisor, page=2)
    assert numbers(second) == [case.number for case in cases[25:]]
    assert "page=3" not in second


def test_a_board_page_takes_the_same_queries_for_many_rows_as_for_one(client, supervisor):
    open_case(date(2025, 9, 30))
    client.force_login(supervisor)
    client.get("/supervision/")  # warm the per-process caches (holidays, policies)
    with CaptureQueriesContext(connection) as one:
        client.get("/supervision/")
    for day in range(1, 21):
        open_case(date(2025, 9, day), assignee=StaffFactory(username=f"worker{day}"))
    client.get("/supervision/")  # new accounts drop the cached permissions (cases.core.access)
    with CaptureQueriesContext(connection) as many:
        client.get("/supervision/")
    assert len(many) == len(one)


def order_form_text(client, case) -> str:
    """The order's text as the form opened from the board shows it, ready to edit."""
    page = client.get(f"/supervision/cases/{case.pk}/order/").content.decode()
    return html.unescape(re.search(r'<textarea name="reason"[^>]*>(.*?)</textarea>', page, re.S).group(1)).strip()


def test_the_boards_button_opens_the_order_form_with_a_written_text_and_sending_issues_it(client, supervisor):
    case = open_case(date(2025, 9, 30))
    page = board(client, supervisor)
    link = re.search(r'<td class="board-order"><a[^>]*href="([^"?]+)\?', page).group(1)
    assert link == f"/supervision/cases/{case.pk}/order/"
    assert f'href="/cases/{case.number}/"' in page
    reason = order_form_text(client, case)
    assert case.number in reason and "2" in reason  # the case and its 2 working days overdue
    client.post(link, {"reason": reason, "respond_within": "3", "action": "send", "next": "/supervision/"})
    order = SupervisionOrder.objects.get()
    assert order.case == case and order.issued_by == supervisor


# --- the fields the board sorts and filters by stay true ----------------------------------------


def test_the_case_carries_its_next_due_time_through_pause_resume_and_close():
    case = open_case(date(2025, 10, 20))
    deadline = case.deadlines.get()
    case.refresh_from_db()
    assert case.next_due_at == deadline.due_at
    services.pause_deadline(case=case, step="complaint.answer")
    case.refresh_from_db()
    assert case.next_due_at is None
    services.resume_deadline(case=case, step="complaint.answer")
    case.refresh_from_db()
    assert case.next_due_at == case.deadlines.get().due_at
    services.close_deadline(case=case, step="complaint.answer")
    case.refresh_from_db()
    assert case.next_due_at is None and case.supervision_stage == Stage.WATCHED


def test_the_sweep_raises_the_cases_stage():
    case = open_case(date(2025, 9, 15))
    supervision.sweep(now=at(TODAY))
    case.refresh_from_db()
    assert case.supervision_stage == Stage.ESCALATED


def test_the_sweep_leaves_a_case_a_service_holds_for_the_next_sweep(monkeypatch):
    case = open_case(date(2025, 9, 30))
    with monkeypatch.context() as held:  # SQLite locks nothing: the case is held by a service
        held.setattr(supervision, "lock_cases", lambda case_ids: set())
        assert supervision.sweep(now=at(TODAY)).total == 0
    assert supervision.sweep(now=at(TODAY)).total > 0
    case.refresh_from_db()
    assert case.supervision_stage == Stage.SUPERVISED


# --- the complainant's own time is not the department's ---------------------------------------


def waiting_on_the_complainant() -> Case:
    """An answered complaint whose only open deadline is the complainant's confirmation window
    (unsupervised), past due since 22 September."""
    case = CaseFactory(state="answered")
    services.start_deadline(case=case, step=DeadlineStep.COMPLAINT_CONFIRM, label="投诉人确认",
                            policy_key="confirm_within", start=date(2025, 9, 15), supervised=False)  # fmt: skip
    return case


def overdue_rows(page: str) -> list[str]:
    return re.findall(r'<tr class="overdue" data-case="([^"]+)"', page)


def test_the_complainants_window_past_due_produces_no_supervision_order_against_the_department():
    waiting = waiting_on_the_complainant()
    late = open_case(date(2025, 9, 30))  # the department's own answer, overdue
    assert waiting.deadlines.get().due_at < timezone.now()
    report = supervision.sweep(now=at(TODAY))
    assert report.total > 0  # the department's late answer is supervised ...
    assert list(SupervisionOrder.objects.values_list("case_id", flat=True)) == [late.pk]  # ... the window is not
    waiting.refresh_from_db()
    assert (waiting.next_due_at, waiting.supervision_stage) == (None, Stage.WATCHED)
    assert waiting.deadlines.get().stage == Stage.WATCHED
    supervision.sweep(now=at(date(2025, 10, 31)))  # weeks later: still nothing against the department
    assert not SupervisionOrder.objects.filter(case=waiting).exists()
    assert not Notification.objects.filter(case=waiting).exists()


def test_the_board_does_not_count_the_complainants_window_as_overdue(client, supervisor):
    waiting = waiting_on_the_complainant()
    late = open_case(date(2025, 9, 30))
    supervision.sweep(now=at(TODAY))
    page = board(client, supervisor)
    assert waiting.number in numbers(page) and "投诉人确认" in page  # listed, with the step it waits on
    assert overdue_rows(page) == [late.number]
    assert numbers(board(client, supervisor, overdue="1")) == [late.number]
    assert numbers(board(client, supervisor, stage=str(Stage.SUPERVISED))) == [late.number]
    assert numbers(board(client, supervisor, stage=str(Stage.WATCHED))) == [waiting.number]


def test_an_order_on_a_case_waiting_on_the_complainant_is_not_tied_to_the_complainants_window(client, supervisor):
    waiting = waiting_on_the_complainant()
    client.force_login(supervisor)
    reason = order_form_text(client, waiting)
    assert "overdue" not in reason and "逾期" not in reason
    client.post(f"/supervision/cases/{waiting.pk}/order/", {"reason": reason, "respond_within": "3", "action": "send"})
    order = SupervisionOrder.objects.get()
    assert (order.case, order.deadline) == (waiting, None)


# --- live updates -------------------------------------------------------------------------------


@pytest.fixture
def pushes(monkeypatch):
    sent = []
    monkeypatch.setattr(realtime, "push", lambda group, message: sent.append((group, message)))
    return sent


def test_a_state_change_pushes_the_board_and_the_department_after_commit(
    pushes, complaint_cases, django_capture_on_commit_callbacks
):
    clerk = StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK)
    complaint = complaint_cases["procurement_online"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complaints.register(actor=clerk, complaint_id=complaint.pk, subject="procurement", respondent="区某局")
    assert callbacks and pushes == []  # nothing before the commit
    for callback in callbacks:
        callback()
    groups = [group for group, _message in pushes]
    assert groups.count("board") == 1
    assert f"department.{complaint.case.department_id}" in groups
    assert complaint.case.department_id in pushes[0][1]["departments"]


def test_many_changes_in_one_transaction_push_once(pushes, caseworker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        case = open_case(date(2025, 10, 20), department=caseworker.department)
        services.claim_case(case_id=case.pk, actor=caseworker)
        services.close_deadline(case=case, step="complaint.answer")
    assert [group for group, _message in pushes] == ["board", f"department.{caseworker.department_id}"]


def test_nothing_is_pushed_for_a_change_that_rolls_back(pushes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        open_case(date(2025, 10, 20))
        raise RuntimeError
    assert pushes == []


def test_a_rolled_back_transactions_departments_are_not_pushed_with_the_next_commit(
    pushes, django_capture_on_commit_callbacks
):
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_services.board_changed([9001])
        raise RuntimeError
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification_services.board_changed([9002])
    assert pushes == [
        ("board", {"type": "board", "departments": [9002]}),
        ("department.9002", {"type": "board", "departments": [9002]}),
    ]


def test_a_rolled_back_blocks_departments_are_not_pushed_with_the_transaction_around_it(
    pushes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification_services.board_changed([9001])
        with pytest.raises(RuntimeError), transaction.atomic():
            notification_services.board_changed([9002])
            raise RuntimeError
        notification_services.board_changed([9003])
    assert [group for group, _message in pushes] == ["board", "department.9001", "department.9003"]
    assert pushes[0][1]["departments"] == [9001, 9003]


@pytest.mark.django_db(transaction=True)
def test_after_a_real_rollback_the_next_commit_pushes_only_its_own_departments(pushes):
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_services.board_changed([9001])
        raise RuntimeError
    with transaction.atomic():
        notification_services.board_changed([9002])
    assert [group for group, _message in pushes] == ["board", "department.9002"]
    assert pushes[0][1]["departments"] == [9002]


def test_the_sweep_tells_the_boards_which_departments_cases_moved_on(monkeypatch, caseworker, other_worker):
    open_case(date(2025, 9, 30), department=caseworker.department)
    open_case(date(2025, 12, 30), department=other_worker.department)
    told = []
    monkeypatch.setattr(supervision, "board_changed", told.append)
    supervision.sweep(now=at(TODAY))
    assert told == [{caseworker.department_id}]
