from datetime import date

import pytest
import time_machine

from cases.core import services, workdays
from cases.core.exceptions import NotPermitted
from cases.core.models import AuditEvent, Holiday

pytestmark = pytest.mark.django_db


def test_an_admin_adds_next_years_holiday_and_deadlines_use_it(admin_user, django_capture_on_commit_callbacks):
    assert workdays.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_holiday(actor=admin_user, day=date(2027, 10, 1), is_working_day=False, name="国庆节")
    assert workdays.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 4)


def test_saving_a_day_is_audited_with_the_old_value(admin_user):
    services.save_holiday(actor=admin_user, day=date(2025, 10, 1), is_working_day=True, name="更正")
    event = AuditEvent.objects.get(event_type="calendar.day_saved")
    assert event.payload["old"] == {"is_working_day": False, "name": "国庆节"}
    assert event.payload["new"] == {"is_working_day": True, "name": "更正"}


def test_removing_a_day_is_audited(admin_user):
    holiday = Holiday.objects.get(date=date(2025, 10, 1))
    services.remove_holiday(actor=admin_user, holiday_id=holiday.pk)
    assert not Holiday.objects.filter(date=date(2025, 10, 1)).exists()
    assert AuditEvent.objects.filter(event_type="calendar.day_removed", reference="2025-10-01").exists()


def test_an_applicant_cannot_edit_the_calendar(applicant):
    with pytest.raises(NotPermitted):
        services.save_holiday(actor=applicant, day=date(2027, 1, 1), is_working_day=False, name="元旦")
    assert not Holiday.objects.filter(date=date(2027, 1, 1)).exists()


def test_the_admin_page_adds_a_day_through_the_service(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/cases/holiday/add/", {"date": "2027-01-01", "name": "元旦", "is_working_day": ""}, follow=True
    )
    assert response.status_code == 200
    assert Holiday.objects.filter(date=date(2027, 1, 1), is_working_day=False).exists()
    assert AuditEvent.objects.filter(event_type="calendar.day_saved", actor=admin_user).exists()


@time_machine.travel(date(2026, 11, 25))
def test_the_admin_pages_warn_about_a_missing_year(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/cases/holiday/").content.decode()
    assert "2027 年节假日安排尚未载入" in page


@time_machine.travel(date(2026, 11, 25))
def test_the_warning_goes_once_the_year_is_loaded(client, admin_user):
    Holiday.objects.create(date=date(2027, 1, 1), name="元旦")
    client.force_login(admin_user)
    assert "节假日安排尚未载入" not in client.get("/admin/cases/holiday/").content.decode()
