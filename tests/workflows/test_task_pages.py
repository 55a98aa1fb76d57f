"""The task inbox and queue: who sees which task, claiming and releasing, and refusals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.core.models import Case
from cases.repair import services as repair
from tests.factories import (
    StaffFactory,
    register_penalty,
    repair_office,
    submitted_application,
)
from workflows import engine

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]


@pytest.fixture
def people(db):
    return {
        **repair_office(),
        "colleague": StaffFactory(username="colleague"),
        "outsider": StaffFactory(username="outsider", department__code="fgj"),
    }


@pytest.fixture
def submitted(people):
    return submitted_application(people)


def task_of(application):
    [task] = engine.active_tasks(application.case)
    return task


def test_the_department_sees_the_acceptance_task_in_its_queue(client, people, submitted):
    client.force_login(people["worker"])
    page = client.get("/tasks/?tab=queue").content.decode()
    assert submitted.case.number in page and "受理" in page


def test_another_department_does_not_see_it(client, people, submitted):
    client.force_login(people["outsider"])
    assert submitted.case.number not in client.get("/tasks/?tab=queue").content.decode()


def test_the_applicant_sees_a_draft_in_their_inbox(client, people):
    record = register_penalty(people["worker"])
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    client.force_login(people["entity"])
    assert application.case.number in client.get("/tasks/").content.decode()


def test_claiming_puts_the_task_in_my_hands_and_claims_the_case(client, people, submitted):
    client.force_login(people["worker"])
    task = task_of(submitted)
    response = client.post(f"/tasks/{task.pk}/claim/", follow=True)
    assert "任务“受理、不予受理或一次性告知”已由您办理" in response.content.decode()
    submitted.case.refresh_from_db()
    assert submitted.case.assignee == people["worker"] and task_of(submitted).owner == people["worker"]
    assert submitted.case.number in client.get("/tasks/").content.decode()


def test_a_task_someone_holds_cannot_be_claimed(client, people, submitted):
    task = task_of(submitted)
    client.force_login(people["worker"])
    client.post(f"/tasks/{task.pk}/claim/")
    client.force_login(people["colleague"])
    response = client.post(f"/tasks/{task.pk}/claim/", {"next": "/tasks/?tab=queue"})
    assert response.status_code == 302 and response.url == "/tasks/?tab=queue"  # back to the queue, not a dead end
    page = client.get(response.url).content.decode()
    assert f"{people['worker']} 正在办理此案件" in page and 'role="alert"' in page
    assert task_of(submitted).owner == people["worker"]


def test_another_departments_task_cannot_be_claimed(client, people, submitted):
    client.force_login(people["outsider"])
    assert client.post(f"/tasks/{task_of(submitted).pk}/claim/").status_code == 403
    assert task_of(submitted).owner is None


def test_releasing_gives_the_task_back(client, people, submitted):
    task = task_of(submitted)
    client.force_login(people["worker"])
    client.post(f"/tasks/{task.pk}/claim/")
    client.post(f"/tasks/{task.pk}/release/")
    submitted.case.refresh_from_db()
    assert task_of(submitted).owner is None and submitted.case.assignee is None


def test_only_the_holder_releases(client, people, submitted):
    task = task_of(submitted)
    client.force_login(people["worker"])
    client.post(f"/tasks/{task.pk}/claim/")
    client.force_login(people["colleague"])
    assert client.post(f"/tasks/{task.pk}/release/").status_code == 403


def test_an_unknown_task_is_not_found(client, people):
    client.force_login(people["worker"])
    assert client.post("/tasks/999999/claim/").status_code == 404
    assert client.get("/tasks/999999/").status_code == 404


def test_a_task_opens_its_case_page(client, people, submitted):
    client.force_login(people["worker"])
    response = client.get(f"/tasks/{task_of(submitted).pk}/")
    assert response.status_code == 302 and response["Location"].endswith(f"/repair/{submitted.case.number}/")


def test_the_case_page_says_what_it_waits_on(client, people, submitted):
    client.force_login(people["entity"])
    page = client.get(f"/repair/{submitted.case.number}/").content.decode()
    assert "受理、不予受理或一次性告知" in page


def test_the_head_may_still_take_an_approval_into_their_hands(client, people, submitted):
    repair.accept(actor=people["worker"], application_id=submitted.pk)
    repair.start_review(actor=people["worker"], application_id=submitted.pk)
    repair.propose_decision(actor=people["worker"], application_id=submitted.pk, approve=True, reason="")
    client.force_login(people["head"])
    client.post(f"/tasks/{task_of(submitted).pk}/claim/")
    assert task_of(submitted).owner == people["head"]
    assert submitted.case.number in client.get("/tasks/").content.decode()


def another_submitted(people, due_at: str):
    """A second application in the department's queue, due at `due_at`."""
    record = register_penalty(people["worker"], decision_number="甘市监罚〔2026〕13号")
    later = repair.start_application(actor=people["entity"], record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        upload = SimpleUploadedFile("p.pdf", b"%PDF-1.7 x", content_type="application/pdf")
        repair.add_material(actor=people["entity"], application_id=later.pk, code=code, upload=upload)
    repair.submit(actor=people["entity"], application_id=later.pk, obligations_fulfilled=True, commitment_signed=True)
    Case.objects.filter(pk=later.case_id).update(next_due_at=due_at)
    return later


def test_the_queue_puts_the_most_urgent_case_first_and_marks_it_overdue(client, people, submitted):
    later = another_submitted(people, "2026-11-10T09:00:00+08:00")
    client.force_login(people["worker"])
    page = client.get("/tasks/?tab=queue").content.decode()
    assert page.index(later.case.number) < page.index(submitted.case.number)
    assert page.count('class="overdue"') == 1


def test_the_queue_pages_on_without_counting_the_tasks(client, people, submitted, monkeypatch):
    monkeypatch.setattr("workflows.views.PAGE_SIZE", 1)
    later = another_submitted(people, "2026-11-10T09:00:00+08:00")
    client.force_login(people["worker"])
    first = client.get("/tasks/?tab=queue").content.decode()
    second = client.get("/tasks/?tab=queue&page=2").content.decode()
    assert later.case.number in first and submitted.case.number not in first
    assert 'tab=queue&amp;page=2"' in first and "页，共" not in first
    assert submitted.case.number in second


def test_a_closed_case_waits_on_nobody_even_if_its_task_was_left_open(client, people, submitted):
    Case.objects.filter(pk=submitted.case_id).update(closed_at="2026-11-15T09:00:00+08:00")
    client.force_login(people["worker"])
    assert submitted.case.number not in client.get("/tasks/?tab=queue").content.decode()
