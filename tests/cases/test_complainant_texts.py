"""A complainant with no account here (12345, the counter) is told by text message, at the number
they gave, what the portal would have told them, with the way to read the case on /track/."""

import pytest
from django.conf import settings
from django.db import IntegrityError

from cases.complaints import intake as complaint_intake
from cases.complaints.models import Channel
from cases.core.roles import Role
from notifications import delivery
from notifications.models import Notification, SmsMessage
from tests.factories import ApplicantFactory, StaffFactory, answered_complaint, work_order_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "worker": StaffFactory(username="worker", department__code="czj"),
    }


def answered(people, **who):
    channel = Channel.objects.create(code="counter", name="窗口", secret="s")
    complaint, _created = complaint_intake.receive(channel=channel, data=work_order_data("C-1", **who))
    return answered_complaint(complaint, clerk=people["clerk"], worker=people["worker"])


def test_a_complainant_without_an_account_gets_the_answer_by_text(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = answered(people, complainant_phone="13912345678")
    text = SmsMessage.objects.get(phone="13912345678").text
    case = complaint.case
    where = f"{settings.SITE_URL}/track/"
    assert text == f"【诚信】投诉 {case.number} 已答复。可凭查询码 {case.verification_code} 在 {where} 查看。"
    note = Notification.objects.get(phone="13912345678")
    assert note.recipient_id is None and note.sms_delivered_at and not note.pending


def test_a_complainant_with_an_account_is_told_there_not_by_text(people, django_capture_on_commit_callbacks):
    firm = ApplicantFactory(username="firm", entity_kind="enterprise", id_number=work_order_data()["enterprise_uscc"])
    with django_capture_on_commit_callbacks(execute=True):
        answered(people, complainant_phone="13912345678")
    assert Notification.objects.filter(recipient=firm, kind="complaint.progress").exists()
    assert not Notification.objects.filter(recipient__isnull=True).exists()


def test_without_an_account_or_a_number_nobody_is_texted(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answered(people)
    assert not Notification.objects.filter(recipient__isnull=True).exists()
    assert not SmsMessage.objects.exists()


def test_a_text_the_gateway_refuses_stays_pending_and_goes_later(people, monkeypatch):
    def refused(self, phone, text, notification=None):
        raise ConnectionError("gateway unreachable")

    monkeypatch.setattr("notifications.sms.DatabaseSmsBackend.send", refused)
    answered(people, complainant_phone="13912345678")
    note = Notification.objects.get(phone="13912345678")
    delivery.deliver(note.pk)
    note.refresh_from_db()
    assert note.pending and "gateway unreachable" in note.last_error
    monkeypatch.undo()
    delivery.deliver(note.pk)
    assert SmsMessage.objects.filter(phone="13912345678").count() == 1


def test_a_notification_needs_an_account_or_a_number():
    with pytest.raises(IntegrityError):
        Notification.objects.create(kind="complaint.progress", title="x", body="y")
