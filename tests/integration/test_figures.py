"""The figures' GROUP BY queries and the report on PostgreSQL (the unit tests run them on SQLite)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from openpyxl import load_workbook

from cases.core.models import Department
from cases.reporting import metrics, reports
from cases.reporting.metrics import Period
from tests.cases.figures_data import NOW, complaints_of_the_half_year, people, repairs_of_the_half_year

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

H2 = Period.half_year(2026, 2)


@pytest.fixture
def figures():
    p = people()
    complaints_of_the_half_year(p)
    repairs_of_the_half_year(p)
    assert connection.vendor == "postgresql"
    return metrics.figures(H2, now=NOW)


def test_the_rates_on_postgresql(figures):
    rates = figures.complaints
    assert (rates.response_rate, rates.answered_on_time_rate, rates.closed_on_time_rate) == (90.9, 87.5, 57.1)
    assert (rates.resolution_rate, rates.satisfaction_rate, rates.deemed_share) == (60.0, 66.7, 25.0)


def test_outcomes_rectification_and_call_backs_on_postgresql(figures):
    rates = figures.complaints
    assert (rates.concluded, rates.resolved, rates.withdrawn, rates.close_due, rates.closed_on_time) == (5, 3, 1, 7, 4)
    assert (rates.in_rectification, rates.cured, rates.breach, rates.breach_repaired, rates.callbacks) == (
        1, 2, 1, 1, 3)  # fmt: skip


def test_months_are_cut_in_the_offices_time_zone_on_postgresql(figures):
    assert [(month, row.received) for month, row in figures.complaints_by_month[:2]] == [
        (date(2026, 7, 1), 8), (date(2026, 8, 1), 3)]  # fmt: skip


def test_departments_repairs_and_arrears_on_postgresql(figures):
    by_department = {dept.code: row for dept, row in figures.complaints_by_department}
    assert (by_department["czj"].received, by_department["yshj"].received) == (9, 2)
    assert (by_department["czj"].callbacks, by_department["yshj"].callbacks) == (3, 0)
    assert (figures.repairs.submitted, figures.repairs.median_working_days) == (4, 6.5)
    assert (figures.arrears.paid, figures.arrears.owed) == (Decimal("400.00"), Decimal("600.00"))


def test_the_workbook_on_postgresql(figures):
    book = load_workbook(BytesIO(reports.to_xlsx(reports.build(H2, now=NOW))))
    assert len(book.sheetnames) == 10
    czj = Department.objects.get(code="czj").name_zh
    assert next(row for row in book["按部门"].iter_rows(values_only=True) if row[0] == czj)[1] == 9
    assert next(row for row in book["整改与回访"].iter_rows(values_only=True) if row[0] == czj)[1:] == (1, 2, 1, 1, 3)


def test_the_reminder_locks_the_heads_and_tells_each_once_on_postgresql():
    from cases.core.roles import Role
    from notifications.models import Notification
    from tests.cases.figures_data import at
    from tests.factories import StaffFactory

    StaffFactory(username="head", department__code="czj", role=Role.DEPARTMENT_HEAD)
    with at(date(2026, 12, 14)):
        assert (reports.remind_department_heads(), reports.remind_department_heads()) == (1, 0)
    assert Notification.objects.filter(kind="report.due").count() == 1
