"""The one outbox (cases/infra/outbox.py): one retry schedule, one attempt limit, dead letters, and
the administrator's re-send, for notifications, national-site syncs and channel callbacks."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cases.complaints import channel_callbacks
from cases.complaints.models import Channel, ChannelCallback
from cases.core.models import AuditEvent
from cases.core.roles import Role
from cases.infra import outbox
from cases.infra.outbox import OutboxState
from cases.repair import services as repair
from cases.repair.models import NationalSync
from notifications import delivery, services
from notifications.models import Notification, SmsMessage
from tests.cases.test_channel_callbacks import ChannelSystem, receive
from tests.cases.test_repair import DownGateway, approved, draft, people  # noqa: F401 (fixtures)
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.OUTBOX_MAX_ATTEMPTS = LIMIT


class BrokenSms:
    def send(self, phone, text, notification=None):
        raise ConnectionError("gateway down")


def test_the_wait_doubles_from_thirty_seconds_to_an_hour():
    waits = [outbox.backoff(failed).total_seconds() for failed in range(1, 11)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_a_long_failing_row_waits_an_hour_at_most():
    assert outbox.backoff(500) == timedelta(hours=1)


def test_one_limit_for_every_kind_from_the_settings(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 7
    assert outbox.max_attempts() == 7


def test_every_kind_is_registered():
    assert {kind.name for kind in outbox.kinds()} == {"notification", "national_sync", "channel_callback"}


def _due_now(model):
    model.objects.update(next_attempt_at=timezone.now())  # the backoff's wait is over


def _text(phone="13800000000"):
    return services.text_phone(phone, kind="complaint.progress", title="答复", body="…")


def test_a_failed_attempt_is_due_again_after_the_first_wait(settings):
    settings.SMS_BACKEND = "tests.cases.test_outbox.BrokenSms"
    note = _text()
    before = timezone.now()
    assert delivery.deliver(note.pk)
    note.refresh_from_db()
    assert note.state == OutboxState.PENDING and note.pending
    assert before + timedelta(seconds=29) < note.next_attempt_at < timezone.now() + timedelta(seconds=31)
    assert delivery.redeliver_pending() == 0  # not due yet


def test_a_notification_failing_every_time_becomes_a_dead_letter(settings):
    settings.SMS_BACKEND = "tests.cases.test_outbox.BrokenSms"
    note = _text()
    delivery.deliver(note.pk)
    for _attempt in range(LIMIT - 1):
        _due_now(Notification)
        assert delivery.redeliver_pending() == 1
    note.refresh_from_db()
    assert (note.state, note.pending, note.attempts) == (OutboxState.DEAD, False, {"sms": LIMIT})
    assert note.dead_lettered_at is not None and "gateway down" in note.last_error
    assert note.via_sms  # the channel is kept, for a re-send
    _due_now(Notification)
    assert delivery.redeliver_pending() == 0


def test_a_notification_keeps_the_channels_that_went_through(settings):
    settings.SMS_BACKEND = "tests.cases.test_outbox.BrokenSms"
    user = StaffFactory(email="a@example.org", phone="13800000000")
    [note] = services.notify([user], kind="deadline.escalated", title="挂牌督办", body="…")
    for _attempt in range(LIMIT):
        _due_now(Notification)
        delivery.deliver(note.pk)
    note.refresh_from_db()
    assert note.state == OutboxState.DEAD
    assert note.email_delivered_at is not None and note.sms_delivered_at is None
    assert len(mail.outbox) == 1  # e-mail went once, not with every retry


def test_a_re_sent_notification_is_delivered(settings):
    settings.SMS_BACKEND = "tests.cases.test_outbox.BrokenSms"
    note = _text()
    for _attempt in range(LIMIT):
        _due_now(Notification)
        delivery.deliver(note.pk)
    settings.SMS_BACKEND = "notifications.sms.DatabaseSmsBackend"
    assert outbox.resend(Notification.objects.all()) == 1
    note.refresh_from_db()
    assert (note.state, note.pending, note.attempts, note.dead_lettered_at) == (OutboxState.PENDING, True, {}, None)
    assert delivery.redeliver_pending() == 1
    note.refresh_from_db()
    assert note.state == OutboxState.SENT and SmsMessage.objects.get().phone == "13800000000"


def test_a_sync_failing_every_time_becomes_a_dead_letter_and_a_re_send_lands(people, draft, settings):  # noqa: F811
    approved(people, draft)
    settings.NATIONAL_SITE_GATEWAY = "tests.cases.test_repair.DownGateway"
    sync = NationalSync.objects.get(application=draft, action="repair")
    for _attempt in range(LIMIT):
        _due_now(NationalSync)
        assert not repair.push_sync(sync.pk)
    sync.refresh_from_db()
    assert (sync.state, sync.attempts) == (OutboxState.DEAD, LIMIT) and "unreachable" in sync.last_error
    assert not repair.push_sync(sync.pk)  # a dead letter is not sent until re-sent
    settings.NATIONAL_SITE_GATEWAY = "cases.repair.national_site.RecordingGateway"
    outbox.resend(NationalSync.objects.all())
    assert repair.retry_pending_syncs() == 2  # the repair, and the acceptance queued before it
    sync.refresh_from_db()
    assert sync.state == OutboxState.SENT and sync.receipt.startswith("LOCAL-")
    draft.case.refresh_from_db()
    assert draft.case.state == "synced"


def test_a_callback_failing_every_time_becomes_a_dead_letter_and_a_re_send_lands(django_capture_on_commit_callbacks):
    from cases.complaints import services as complaints

    system = ChannelSystem(fail_first=LIMIT)
    try:
        channel = Channel.objects.create(code="12345", name="12345", secret="s", callback_url=system.url)
        complaint = receive(channel)
        clerk = StaffFactory(department__code="yshj", role=Role.INTAKE_CLERK)
        with django_capture_on_commit_callbacks(execute=True):
            complaints.register(actor=clerk, complaint_id=complaint.pk, subject="arrears", respondent="乙")
        for _attempt in range(LIMIT - 1):
            _due_now(ChannelCallback)
            channel_callbacks.retry_pending()
        callback = ChannelCallback.objects.get()
        assert (callback.state, callback.attempts, callback.sent_at) == (OutboxState.DEAD, LIMIT, None)
        outbox.resend(ChannelCallback.objects.all())
        assert channel_callbacks.retry_pending() == 1
        callback.refresh_from_db()
        assert callback.state == OutboxState.SENT and callback.sent_at is not None
        assert len(system.received) == 1
    finally:
        system.close()


def test_the_one_periodic_task_redelivers_every_kind(settings):
    from cases.infra.tasks import redeliver_outbox

    settings.SMS_BACKEND = "tests.cases.test_outbox.BrokenSms"
    note = _text()
    delivery.deliver(note.pk)
    settings.SMS_BACKEND = "notifications.sms.DatabaseSmsBackend"
    _due_now(Notification)
    assert redeliver_outbox() == {"notification": 1, "national_sync": 0, "channel_callback": 0}
    note.refresh_from_db()
    assert note.state == OutboxState.SENT


def _dead_text(settings):
    settings.SMS_BACKEND = "tests.cases.test_outbox.BrokenSms"
    note = _text()
    for _attempt in range(LIMIT):
        _due_now(Notification)
        delivery.deliver(note.pk)
    settings.SMS_BACKEND = "notifications.sms.DatabaseSmsBackend"
    return note


def _resend_page(client, user, note):
    client.force_login(user)
    return client.post(
        "/admin/notifications/notification/", {"action": "resend", "_selected_action": [note.pk]}, follow=True
    )


def test_the_administrator_lists_the_dead_letters(client, settings):
    note = _dead_text(settings)
    client.force_login(UserFactory(role=Role.ADMIN))
    response = client.get("/admin/notifications/notification/", {"state__exact": "dead"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [note]
    assert "重新发送所选死信" in response.text


def test_the_administrator_re_sends_a_dead_letter_and_it_is_audited(client, settings):
    note = _dead_text(settings)
    admin = UserFactory(role=Role.ADMIN)
    response = _resend_page(client, admin, note)
    assert response.status_code == 200
    note.refresh_from_db()
    assert (note.state, note.attempts, note.dead_lettered_at) == (OutboxState.PENDING, {}, None)
    event = AuditEvent.objects.get(event_type="outbox.resent")
    assert event.actor == admin and event.payload["outbox"] == "notification"
    assert event.payload["attempts"] == LIMIT


@pytest.mark.parametrize("role", [Role.AUDIT_ADMIN, Role.SUPERVISOR])
def test_a_user_without_the_permission_cannot_re_send(client, settings, role):
    note = _dead_text(settings)
    user = UserFactory(role=role, is_staff=True)
    _resend_page(client, user, note)
    note.refresh_from_db()
    assert note.state == OutboxState.DEAD
    assert not AuditEvent.objects.filter(event_type="outbox.resent").exists()
