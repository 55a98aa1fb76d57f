"""The reminder to department heads before the half-year report falls due (20 June, 20 December)."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from cases.core.models import AuditEvent
from cases.core.roles import Role
from cases.reporting import reports
from notifications.models import Notification
from tests.cases.figures_data import at, people
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return people()


def reminders():
    return Notification.objects.filter(kind="report.due")


def test_no_reminder_before_the_policys_working_days(p):
    # 20 December 2026 is a Sunday: five working days before it is Monday 14 December.
    with at(date(2026, 12, 11)):
        assert reports.remind_department_heads() == 0
    assert not reminders().exists()


def test_each_department_head_is_reminded_once(p):
    with at(date(2026, 12, 14)):
        assert reports.remind_department_heads() == 2
    with at(date(2026, 12, 15)):
        assert reports.remind_department_heads() == 0
    assert sorted(reminders().values_list("recipient__username", flat=True)) == ["head", "scjg-head"]
    reminder = reminders().get(recipient=p["head"])
    assert "2026-12-20" in reminder.title and reminder.payload["url"] == "/figures/?period=2026-H2"


def test_a_head_appointed_later_in_the_window_is_reminded_too(p):
    with at(date(2026, 12, 14)):
        reports.remind_department_heads()
    StaffFactory(username="new-head", department__code="fgj", role=Role.DEPARTMENT_HEAD)
    with at(date(2026, 12, 18)):
        assert reports.remind_department_heads() == 1


def test_no_reminder_after_the_due_date(p):
    with at(date(2026, 12, 21)):
        assert reports.remind_department_heads() == 0


def test_the_first_half_years_report_is_reminded_before_20_june(p):
    with at(date(2026, 6, 15)):
        assert reports.remind_department_heads() == 2
    assert reminders().first().payload["period"] == "2026-H1"


def test_the_reminder_is_on_the_audit_trail(p):
    with at(date(2026, 12, 14)):
        reports.remind_department_heads()
    assert AuditEvent.objects.filter(event_type="report.reminded", reference="2026-H2").count() == 2


def test_the_beat_task_reminds(p):
    from cases.reporting import tasks

    with at(date(2026, 12, 14)):
        assert tasks.remind_report_due() == 2


def test_the_beat_schedule_runs_the_reminder():
    from django.conf import settings

    assert any(entry["task"] == "cases.tasks.remind_report_due" for entry in settings.CELERY_BEAT_SCHEDULE.values())


def test_the_reminder_email_links_to_the_figures(p):
    with at(date(2026, 12, 14)):
        reports.remind_department_heads()
    reminder = reminders().get(recipient=p["head"])
    context = {"notification": reminder, "recipient": p["head"], "site_url": "https://credit.example"}
    text = render_to_string("notifications/email/report.due.txt", context)
    assert "https://credit.example/figures/?period=2026-H2" in text and reminder.body in text
