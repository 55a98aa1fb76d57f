"""The outbox: rows written with the change, delivered after commit, re-delivered until done."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import delivery, services
from notifications.models import Notification, NotificationPreference, SmsMessage
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable(db):
    return StaffFactory(username="reach", email="reach@example.org", phone="13800000000")


def test_a_notification_uses_the_kinds_default_channels(reachable):
    [note] = services.notify([reachable], kind="deadline.reminder", title="催办", body="请及时办理")
    assert (note.via_live, note.via_email, note.via_sms) == (True, True, False)


def test_e_mail_is_not_attempted_without_an_address():
    user = StaffFactory(email="")
    [note] = services.notify([user], kind="deadline.reminder", title="催办", body="…")
    assert not note.via_email


def test_a_user_can_turn_a_channel_off(reachable):
    NotificationPreference.objects.create(user=reachable, kind="deadline.reminder", live=True, email=False, sms=True)
    [note] = services.notify([reachable], kind="deadline.reminder", title="催办", body="…")
    assert (note.via_live, note.via_email, note.via_sms) == (True, False, True)


def test_urgent_kinds_go_live_and_by_email_regardless(reachable):
    NotificationPreference.objects.create(user=reachable, kind="deadline.overdue", live=False, email=False, sms=False)
    [note] = services.notify([reachable], kind="deadline.overdue", title="督办", body="…")
    assert note.via_live and note.via_email


def test_an_unknown_kind_is_a_programming_error(reachable):
    with pytest.raises(ValueError):
        services.notify([reachable], kind="no.such.kind", title="x", body="y")


def test_delivery_waits_for_the_commit(reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.notify([reachable], kind="deadline.escalated", title="挂牌督办", body="案件已挂牌督办")
        assert mail.outbox == []
    assert len(callbacks) == 1


def test_after_commit_email_and_sms_are_sent_once(reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [note] = services.notify([reachable], kind="deadline.escalated", title="挂牌督办", body="案件已挂牌督办")
    note.refresh_from_db()
    assert [m.subject for m in mail.outbox] == ["挂牌督办"]
    assert "案件已挂牌督办" in mail.outbox[0].body
    assert SmsMessage.objects.get().phone == "13800000000"
    assert note.email_delivered_at and note.sms_delivered_at and not note.pending


def test_a_rolled_back_change_sends_nothing(reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.notify([reachable], kind="deadline.escalated", title="挂牌督办", body="…")
        raise RuntimeError("the state change failed")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_delivering_twice_sends_once(reachable):
    [note] = services.notify([reachable], kind="deadline.overdue", title="督办", body="…")
    delivery.deliver(note.pk)
    delivery.deliver(note.pk)
    assert len(mail.outbox) == 1


def test_a_failing_channel_stays_pending_and_is_retried(reachable, settings):
    settings.SMS_BACKEND = "tests.notifications.test_outbox.BrokenGateway"
    [note] = services.notify([reachable], kind="deadline.escalated", title="挂牌督办", body="…")
    delivery.deliver(note.pk)
    note.refresh_from_db()
    assert note.pending and note.email_delivered_at and note.sms_delivered_at is None
    assert note.attempts == {"email": 1, "sms": 1}
    assert "gateway down" in note.last_error
    settings.SMS_BACKEND = "notifications.sms.DatabaseSmsBackend"
    Notification.objects.filter(pk=note.pk).update(
        created_at=timezone.now() - timedelta(minutes=5),
        next_attempt_at=timezone.now(),  # the backoff's wait is over
    )
    assert delivery.redeliver_pending() == 1
    note.refresh_from_db()
    assert not note.pending and note.attempts == {"email": 1, "sms": 2}
    assert len(mail.outbox) == 1


def test_redelivery_leaves_fresh_rows_to_the_first_delivery(reachable):
    services.notify([reachable], kind="deadline.overdue", title="督办", body="…")
    assert delivery.redeliver_pending() == 0


def test_live_delivery_in_redis_mode_pushes_to_the_users_group(reachable, settings):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    settings.REDIS_URL = "redis://configured"  # the worker then delivers live itself
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"user.{reachable.pk}", channel)
    [note] = services.notify([reachable], kind="supervision.answered", title="已答复", body="…")
    delivery.deliver(note.pk)
    message = async_to_sync(layer.receive)(channel)
    assert message["message"]["id"] == note.pk
    note.refresh_from_db()
    assert note.live_delivered_at is not None and not note.pending


class BrokenGateway:
    def send(self, phone, text, notification=None):
        raise ConnectionError("gateway down")


def test_in_redis_mode_a_users_action_is_pushed_live_at_commit(reachable, settings, django_capture_on_commit_callbacks):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    settings.REDIS_URL = "redis://configured"
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"user.{reachable.pk}", channel)
    with django_capture_on_commit_callbacks(execute=True):
        [note] = services.notify([reachable], kind="supervision.answered", title="已答复", body="…")
    assert async_to_sync(layer.receive)(channel)["message"]["title"] == "已答复"
    note.refresh_from_db()
    assert note.live_delivered_at is not None and not note.pending


def test_each_kind_has_its_own_email_with_a_link_to_the_case(reachable, settings):
    from tests.factories import CaseFactory

    settings.SITE_URL = "https://credit.example.gov.cn"
    case = CaseFactory()
    [note] = services.notify([reachable], kind="deadline.escalated", title="挂牌督办", body="已逾期", case=case)
    delivery.deliver(note.pk)
    body = mail.outbox[0].body
    assert f"https://credit.example.gov.cn/complaints/{case.number}/" in body  # the complaint itself
    assert "挂牌督办" in body
