"""Real Celery workers open the cases of work orders on PostgreSQL: each exactly once."""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Count

from cases.complaints import building as complaint_building
from cases.complaints import intake as complaint_intake
from cases.complaints.models import Channel, Complaint, WorkOrder
from cases.complaints.tasks import open_work_orders
from tests.factories import work_order_data
from workflows.models import CaseProcess

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ORDERS = 600


def test_two_workers_open_a_burst_of_work_orders_each_once(two_celery_workers):
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="s")
    for n in range(ORDERS):
        complaint_intake.accept(channel=channel, open_later=False, data=work_order_data(f"12345-{n}"))
    results = [open_work_orders.apply_async(queue=worker.queue) for worker in two_celery_workers]
    opened = [result.get(timeout=120) for result in results]
    assert sum(opened) == ORDERS  # between them, each order once
    assert Complaint.objects.count() == ORDERS
    assert not WorkOrder.objects.filter(complaint__isnull=True).exists()
    assert CaseProcess.objects.count() == ORDERS
    assert not Complaint.objects.values("channel_reference").annotate(n=Count("id")).filter(n__gt=1).exists()
    numbers = Complaint.objects.values_list("case__number", flat=True)
    assert len(set(numbers)) == ORDERS


def test_new_work_orders_are_kept_while_a_batch_is_being_opened(monkeypatch):
    """The worker locks the orders it takes, not their channel's row: a lock there would hold up
    every new order's INSERT (its foreign-key check) until the whole batch committed."""
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="s")
    complaint_intake.accept(channel=channel, open_later=False, data=work_order_data("12345-0"))
    opening, release = threading.Event(), threading.Event()
    really_open = complaint_building.open_complaints

    def open_slowly(orders):
        opening.set()
        release.wait(timeout=30)
        return really_open(orders)

    monkeypatch.setattr(complaint_building, "open_complaints", open_slowly)
    worker = threading.Thread(target=_in_own_connection(complaint_building.open_waiting))
    worker.start()
    try:
        assert opening.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting for the batch would fail here
        order, created = complaint_intake.accept(channel=channel, open_later=False, data=work_order_data("12345-1"))
        assert created and order.waiting
    finally:
        release.set()
        worker.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert WorkOrder.objects.get(reference="12345-0").complaint_id is not None


def _in_own_connection(function):
    def run():
        try:
            function()
        finally:
            connections.close_all()

    return run
