"""The figures (cases.reporting.metrics) over a small known half-year, and the figures page."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import QueryDict

from cases.core.exceptions import InvalidInput
from cases.core.models import Department
from cases.reporting import metrics
from cases.reporting.metrics import Period
from tests.cases.figures_data import NOW, at, complaints_of_the_half_year, people, repairs_of_the_half_year
from tests.factories import DepartmentFactory, StaffFactory

pytestmark = pytest.mark.django_db

H2 = Period.half_year(2026, 2)


@pytest.fixture
def p(db):
    return people()


@pytest.fixture
def half_year(p):
    return complaints_of_the_half_year(p)


@pytest.fixture
def repairs(p):
    return repairs_of_the_half_year(p)


def whole(**kwargs):
    return metrics.complaint_figures(H2, now=NOW, **kwargs)[None]


def dept(code):
    return Department.objects.get(code=code)


# --- periods -----------------------------------------------------------------------------------


def test_the_half_years_run_january_to_june_and_july_to_december():
    assert (Period.from_code("2026-H1").start, Period.from_code("2026-H1").end) == (date(2026, 1, 1), date(2026, 6, 30))
    assert (Period.from_code("2026-h2").start, Period.from_code("2026-h2").end) == (
        date(2026, 7, 1),
        date(2026, 12, 31),
    )


def test_a_month_range_covers_whole_months():
    period = Period.from_params(QueryDict("from=2026-02&to=2026-03"))
    assert (period.start, period.end) == (date(2026, 2, 1), date(2026, 3, 31))
    assert period.month_starts() == [date(2026, 2, 1), date(2026, 3, 1)]


def test_a_date_range_is_taken_as_given():
    period = Period.from_params(QueryDict("start=2026-07-15&end=2026-08-14"))
    assert (period.start, period.end, period.query()) == (date(2026, 7, 15), date(2026, 8, 14),
                                                           "start=2026-07-15&end=2026-08-14")  # fmt: skip


def test_without_a_period_the_current_half_year_is_shown():
    assert Period.from_params(QueryDict(""), today=date(2026, 11, 25)).code == "2026-H2"


@pytest.mark.parametrize("query", ["period=2026-H3", "period=x", "from=2026-09&to=2026-07", "start=2026-13-01&end=x",
                                   "from=2020-01&to=2026-12"])  # fmt: skip
def test_a_bad_period_is_refused(query):
    with pytest.raises(InvalidInput):
        Period.from_params(QueryDict(query))


def test_the_period_counts_in_the_offices_time_zone():
    start, end = H2.bounds()
    assert (start.isoformat(), end.isoformat()) == ("2026-07-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")


# --- the four rates ----------------------------------------------------------------------------


def test_the_response_rate_counts_an_overdue_registration_against_it(half_year):
    figures = whole()
    assert (figures.registered_on_time, figures.register_due, figures.response_rate) == (4, 5, 80.0)


def test_the_on_time_rate_counts_a_late_answer_as_overdue(half_year):
    figures = whole()
    assert (figures.answered_on_time, figures.answer_due, figures.overdue) == (2, 3, 1)
    assert figures.on_time_rate == 66.7


def test_the_resolution_rate_is_over_the_complaints_accepted(half_year):
    figures = whole()
    assert (figures.received, figures.rejected, figures.accepted, figures.closed) == (5, 1, 4, 2)
    assert figures.resolution_rate == 50.0


def test_the_satisfaction_rate_counts_no_answer_as_satisfied_and_says_how_many(half_year):
    figures = whole()
    assert (figures.satisfied, figures.rated, figures.satisfied_by_default) == (2, 3, 1)
    assert figures.satisfaction_rate == 66.7


def test_a_rate_with_nothing_to_count_is_none_not_zero(db):
    figures = whole()
    assert figures.received == 0
    assert figures.response_rate is None and figures.satisfaction_rate is None


def test_a_complaint_received_outside_the_period_is_not_counted(half_year):
    assert metrics.complaint_figures(Period.from_code("2026-H1"), now=NOW)[None].received == 0
    assert metrics.complaint_figures(Period.months("2026-08", "2026-08"), now=NOW)[None].received == 1


# --- by department, subject and month ----------------------------------------------------------


def test_figures_by_department_put_each_complaint_with_its_department(half_year):
    rows = metrics.complaint_figures(H2, by=metrics.DEPARTMENT, now=NOW)
    czj, yshj = rows[dept("czj").pk], rows[dept("yshj").pk]
    assert (czj.received, czj.answered_on_time, czj.answer_due, czj.closed) == (3, 2, 3, 2)
    assert (yshj.received, yshj.rejected, yshj.registered_on_time, yshj.register_due) == (2, 1, 1, 2)


def test_figures_by_subject(half_year):
    rows = metrics.complaint_figures(H2, by=metrics.SUBJECT, now=NOW)
    assert {code: row.received for code, row in rows.items()} == {
        "arrears": 1, "other_breach": 1, "procurement": 1, "investment": 1, "government_debt": 1}  # fmt: skip


def test_figures_by_month_cover_every_month_of_the_period(half_year):
    months = metrics.figures(H2, now=NOW).complaints_by_month
    assert [(month.month, row.received) for month, row in months] == [(7, 4), (8, 1), (9, 0), (10, 0), (11, 0),
                                                                       (12, 0)]  # fmt: skip


def test_the_subjects_are_named_from_the_policy_in_its_order(half_year):
    names = [name for _code, name, _row in metrics.figures(H2, now=NOW).complaints_by_subject]
    assert names == ["政府采购", "招商引资", "政府债务", "拖欠账款（清欠）", "其他违约失信"]


def test_one_departments_figures_leave_the_others_out(half_year):
    figures = metrics.figures(H2, department=dept("czj"), now=NOW)
    assert figures.complaints.received == 3
    assert [d.code for d, _row in figures.complaints_by_department] == ["czj"]


def test_the_figures_are_a_fixed_number_of_queries(half_year, repairs, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        metrics.figures(H2, now=NOW)


# --- repairs and arrears -----------------------------------------------------------------------


def test_repairs_are_counted_by_outcome(repairs):
    figures = metrics.repair_figures(H2, now=NOW)[None]
    assert (figures.submitted, figures.in_progress, figures.not_accepted, figures.repaired) == (4, 1, 1, 2)


def test_the_median_repair_takes_working_days_from_submission_to_decision(repairs):
    figures = metrics.repair_figures(H2, now=NOW)[None]
    assert sorted(figures.durations) == [4, 9]
    assert figures.median_working_days == 6.5


def test_an_application_never_accepted_is_overdue(repairs):
    figures = metrics.repair_figures(H2, now=NOW)[None]
    assert (figures.decided_on_time, figures.decision_due, figures.on_time_rate) == (3, 4, 75.0)


def test_repairs_by_department_and_month(repairs):
    scjg = dept("scjg").pk
    assert metrics.repair_figures(H2, by=metrics.DEPARTMENT, now=NOW)[scjg].submitted == 4
    assert metrics.repair_figures(H2, by=metrics.MONTH, now=NOW)[date(2026, 7, 1)].median_working_days == 6.5


def test_arrears_show_what_is_owed_and_what_was_paid(half_year):
    figures = metrics.arrears_figures(H2)[None]
    assert (figures.complaints, figures.claimed, figures.confirmed) == (1, Decimal("1000.00"), Decimal("1000.00"))
    assert (figures.paid, figures.owed, figures.planned) == (Decimal("400.00"), Decimal("600.00"), 1)


def test_an_unconfirmed_claim_counts_as_owed(p):
    from tests.cases.figures_data import receive

    with at(date(2026, 7, 6)):
        receive("X1", "arrears", amount_claimed="2500.50")
    assert metrics.arrears_figures(H2)[None].owed == Decimal("2500.50")


def test_payments_made_in_the_period_are_summed(half_year):
    assert metrics.arrears_paid_in(H2) == Decimal("400.00")
    assert metrics.arrears_paid_in(Period.months("2026-08", "2026-12")) == Decimal("0.00")


# --- the page ----------------------------------------------------------------------------------


def test_a_supervisor_sees_the_districts_rates(client, p, half_year):
    client.force_login(p["supervisor"])
    with at(NOW.date()):
        page = client.get("/figures/", {"period": "2026-H2"}).content.decode()
    assert "80.0%" in page and "66.7%" in page and "50.0%" in page
    assert dept("czj").name_zh in page and dept("yshj").name_zh in page
    assert 'id="figures-data"' in page and "chart.umd.min.js" in page


def test_the_supervisor_downloads_the_half_year_from_the_page(client, p, half_year):
    client.force_login(p["supervisor"])
    page = client.get("/figures/", {"period": "2026-H2"}).content.decode()
    assert "/figures/report.xlsx?period=2026-H2" in page and "/figures/report.pdf?period=2026-H2" in page


def test_a_department_head_sees_only_their_department(client, p, half_year):
    client.force_login(p["head"])
    with at(NOW.date()):
        page = client.get("/figures/", {"period": "2026-H2", "department": dept("yshj").pk}).content.decode()
    assert dept("czj").name_zh in page
    assert dept("yshj").name_zh not in page
    assert "/figures/report.xlsx" not in page


@pytest.mark.parametrize("who", ["worker", "clerk", "firm"])
def test_caseworkers_clerks_and_applicants_may_not_see_the_figures(client, p, who):
    client.force_login(p[who])
    assert client.get("/figures/").status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get("/figures/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_bad_period_is_a_readable_400(client, p):
    client.force_login(p["supervisor"])
    assert client.get("/figures/", {"period": "2026-H9"}).status_code == 400


def test_markup_in_a_department_name_is_shown_as_text(client, p):
    hostile = DepartmentFactory(code="evil", name_zh="<script>alert(1)</script>局")
    StaffFactory(username="evil-worker", department=hostile)
    from tests.cases.figures_data import receive

    with at(date(2026, 7, 6)):
        complaint = receive("E1", "arrears", amount_claimed="10")
        complaint.case.department = hostile
        complaint.case.save(update_fields=["department"])
    client.force_login(p["supervisor"])
    page = client.get("/figures/", {"period": "2026-H2"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in page  # the tables
    assert "\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E" in page  # the charts' data


def test_the_demo_data_fills_the_current_half_years_figures_once(db):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    figures = metrics.figures(Period.containing(timezone.localdate()))
    assert (figures.complaints.received, figures.complaints.rejected, figures.complaints.closed) == (6, 1, 1)
    assert figures.complaints.overdue == 1 and figures.complaints.satisfaction_rate == 50.0
    assert (figures.repairs.submitted, figures.repairs.repaired) == (2, 1)
    assert figures.arrears.paid > 0 and figures.arrears.owed > 0
