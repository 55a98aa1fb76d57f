"""Work orders become complaint cases in batches: each as complete as one opened on its own."""

import pytest
from django.core.cache import cache
from viewflow.workflow.status import STATUS

from cases.complaints import building as complaint_building
from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel, WorkOrder
from cases.core.models import AuditEvent, Case, Deadline, Department
from cases.core.roles import Role
from notifications.models import Notification
from tests.channel_signing import signed_headers
from tests.factories import StaffFactory, work_order_data
from workflows import engine
from workflows.models import CaseProcess

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel():
    return Channel.objects.create(code="12345", name="12345 热线", secret="s3cret")


def work_order(channel, reference, **overrides):
    data = work_order_data(reference, **{"amount_claimed": "860000.00", **overrides})
    order, _created = complaint_intake.accept(channel=channel, data=data, open_later=False)
    return order


def trail(case) -> list[tuple]:
    process = CaseProcess.objects.get(case=case)
    tasks = process.task_set.order_by("pk")
    return [(t.flow_task.name, t.flow_task_type, t.status, t.owner_permission, t.previous.count()) for t in tasks]


def test_a_batch_opens_one_complete_case_per_work_order(channel):
    clerk = StaffFactory(department__code="yshj", role=Role.INTAKE_CLERK)
    for n in range(3):
        work_order(channel, f"12345-{n}")
    assert complaint_building.open_waiting() == 3
    cases = list(Case.objects.order_by("number"))
    numbers = [int(case.number[-6:]) for case in cases]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    for case in cases:
        deadline = Deadline.objects.get(case=case)
        assert (deadline.step, case.next_due_at, case.state) == ("complaint.register", deadline.due_at, "received")
        assert [e.event_type for e in AuditEvent.objects.for_subject(case).order_by("pk")] == [
            "case.opened", "complaint.received", "deadline.started"]  # fmt: skip
        assert case.complaint.work_order.reference == case.complaint.channel_reference
    assert Notification.objects.filter(recipient=clerk, kind="complaint.received").count() == 3
    assert not WorkOrder.objects.filter(complaint__isnull=True).exists()


def test_copied_processes_are_what_the_flow_makes_and_run_on(channel):
    clerk = StaffFactory(department__code="yshj", role=Role.INTAKE_CLERK)
    for n in range(3):
        work_order(channel, f"12345-{n}")
    complaint_building.open_waiting()
    first, *copies = Case.objects.order_by("number")
    assert trail(first) == [("start", "START", STATUS.DONE, None, 0), ("route", "SWITCH", STATUS.DONE, None, 1),
                            ("registration", "HUMAN", STATUS.NEW, "cases.register_complaints", 1)]  # fmt: skip
    for case in copies:
        assert trail(case) == trail(first)
    complaints.register(actor=clerk, complaint_id=copies[-1].complaint.pk, subject="arrears", respondent="区某街道")
    assert [task.flow_task.name for task in engine.active_tasks(copies[-1])] == ["routing"]


def test_an_order_that_cannot_be_opened_keeps_its_reason_and_holds_up_no_other(channel, client):
    work_order(channel, "12345-good")
    broken = work_order(channel, "12345-broken")
    WorkOrder.objects.filter(pk=broken.pk).update(payload={"reference": "12345-broken"})
    complaint_building.open_waiting()
    assert WorkOrder.objects.get(reference="12345-good").complaint is not None
    broken.refresh_from_db()
    assert broken.complaint is None and "KeyError" in broken.failure
    path = "/api/v1/complaints/12345-broken/"
    status = client.get(path, headers=signed_headers("GET", path)).json()
    assert status["status"] == "failed" and status["number"] is None


def test_a_burst_queues_one_intake_run(channel, django_capture_on_commit_callbacks):
    cache.add(complaint_building.WORKER_SCHEDULED_KEY, 1, timeout=60)  # a run is already under way
    with django_capture_on_commit_callbacks(execute=True):
        complaint_intake.accept(channel=channel, data=work_order_data("12345-during"))
    assert WorkOrder.objects.get().waiting  # left to the run under way
    complaint_building.open_all_waiting()
    with django_capture_on_commit_callbacks(execute=True):
        complaint_intake.accept(channel=channel, data=work_order_data("12345-after"))
    assert not WorkOrder.objects.filter(complaint__isnull=True).exists()  # a new run opened it


def test_without_an_intake_unit_the_case_opens_without_a_clock(channel):
    Department.objects.filter(is_supervising_unit=True).update(is_supervising_unit=False)
    work_order(channel, "12345-1")
    complaint_building.open_waiting()
    case = Case.objects.get()
    assert case.next_due_at is None and not Deadline.objects.filter(case=case).exists()


def test_the_counter_opens_a_new_order_at_once(channel):
    complaint, created = complaint_intake.receive(channel=channel, data=work_order_data("12345-1"))
    assert created and complaint.case.number.startswith("TS")
    assert WorkOrder.objects.get().complaint_id == complaint.pk


def test_the_counter_opens_an_order_the_worker_has_not_reached(channel):
    waiting = work_order(channel, "12345-1")
    complaint, created = complaint_intake.receive(channel=channel, data=work_order_data("12345-1"))
    assert not created and WorkOrder.objects.get(pk=waiting.pk).complaint_id == complaint.pk
    assert complaint_building.open_waiting() == 0


def test_the_counter_finds_the_case_of_an_opened_order(channel):
    work_order(channel, "12345-1")
    complaint_building.open_waiting()
    complaint, created = complaint_intake.receive(channel=channel, data=work_order_data("12345-1"))
    assert not created and complaint.case == Case.objects.get()
