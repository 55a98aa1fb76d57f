"""Double clicks that really arrive at the same moment, on PostgreSQL's row locks."""

import threading

import pytest
from django.db import connection

from cases import repair_services
from cases.exceptions import DomainError
from cases.models import CreditRecord, RepairApplication
from tests.factories import ENTITY_USCC, ApplicantFactory, StaffFactory, register_penalty

pytestmark = pytest.mark.integration


def at_once(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the outcome under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_open_one_application():
    worker = StaffFactory()
    record = register_penalty(worker)
    entity = ApplicantFactory(id_number=ENTITY_USCC)
    results = at_once(*[lambda: repair_services.start_application(actor=entity, record_id=record.pk)] * 2)
    assert sum(isinstance(result, RepairApplication) for result in results) == 1
    assert sum(isinstance(result, DomainError) for result in results) == 1
    assert RepairApplication.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_decision_registered_twice_at_once_is_one_record():
    worker = StaffFactory()
    results = at_once(lambda: register_penalty(worker), lambda: register_penalty(worker))
    assert sum(isinstance(result, CreditRecord) for result in results) == 1
    assert sum(isinstance(result, DomainError) for result in results) == 1
    assert CreditRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_work_order_posted_at_once_is_one_complaint():
    from cases import complaint_intake
    from cases.models import Channel, Complaint
    from tests.factories import valid_uscc

    channel = Channel.objects.create(code="12345", name="12345", secret="s")
    data = {"reference": "WO-1", "complainant_name": "张", "enterprise_name": "甲", "respondent": "乙",
            "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "subject": "arrears", "facts": "欠款"}  # fmt: skip
    results = at_once(*[lambda: complaint_intake.receive(channel=channel, data=data)] * 4)
    assert len({complaint.pk for complaint, _created in results}) == 1
    assert sum(created for _complaint, created in results) == 1
    assert Complaint.objects.count() == 1
