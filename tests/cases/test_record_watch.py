from datetime import date

import pytest
import time_machine

from cases.core.models import AuditEvent, CreditRecord
from cases.records import watch as record_watch
from notifications.models import Notification
from tests.factories import ApplicantFactory, register_penalty, valid_uscc

pytestmark = pytest.mark.django_db

USCC = valid_uscc("91620702MA71ABCD0")


@pytest.fixture
def record(caseworker):
    with time_machine.travel(date(2026, 3, 5)):
        return register_penalty(caseworker)


@pytest.fixture
def entity(db):
    return ApplicantFactory(username="entity", id_number=USCC)


def test_nobody_is_told_before_the_record_is_repairable(record, entity):
    assert record_watch.tell_repairable(date(2026, 6, 1)) == 0


def test_the_entity_is_told_once_when_the_record_becomes_repairable(record, entity):
    assert record_watch.tell_repairable(date(2026, 6, 2)) == 1
    assert record_watch.tell_repairable(date(2026, 6, 3)) == 0
    note = Notification.objects.get(recipient=entity, kind="record.repairable")
    assert "罚〔2026〕12号" in note.title
    assert AuditEvent.objects.filter(event_type="record.repairable").count() == 1


def test_display_ends_by_itself_at_the_longest_period(record, entity):
    assert record_watch.end_display(date(2027, 3, 1)) == 0
    assert record_watch.end_display(date(2027, 3, 2)) == 1
    assert CreditRecord.objects.get().status == "expired"
    assert Notification.objects.filter(recipient=entity, kind="record.expired").exists()
    assert record_watch.end_display(date(2027, 3, 3)) == 0


def test_a_repaired_record_does_not_expire_again(record):
    CreditRecord.objects.filter(pk=record.pk).update(status="repaired")
    assert record_watch.end_display(date(2028, 1, 1)) == 0
