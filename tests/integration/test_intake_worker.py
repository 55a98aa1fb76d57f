"""Real Celery workers open the cases of work orders on PostgreSQL: each exactly once."""

import pytest
from django.db.models import Count

from cases import complaint_intake
from cases.models import Channel, Complaint, WorkOrder
from cases.tasks import open_work_orders
from tests.factories import valid_uscc
from workflows.models import CaseProcess

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ORDERS = 600


def test_two_workers_open_a_burst_of_work_orders_each_once(two_celery_workers):
    channel = Channel.objects.create(code="12345", name="12345 热线", secret="s")
    for n in range(ORDERS):
        complaint_intake.accept(channel=channel, open_later=False, data={
            "reference": f"12345-{n}", "complainant_name": "张经理", "enterprise_name": "示范公司",
            "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某街道办事处",
            "subject": "arrears", "facts": "工程款未付。"})  # fmt: skip
    results = [open_work_orders.apply_async(queue=worker.queue) for worker in two_celery_workers]
    opened = [result.get(timeout=120) for result in results]
    assert sum(opened) == ORDERS  # between them, each order once
    assert Complaint.objects.count() == ORDERS
    assert not WorkOrder.objects.filter(complaint__isnull=True).exists()
    assert CaseProcess.objects.count() == ORDERS
    assert not Complaint.objects.values("channel_reference").annotate(n=Count("id")).filter(n__gt=1).exists()
    numbers = Complaint.objects.values_list("case__number", flat=True)
    assert len(set(numbers)) == ORDERS
