"""The figures (cases.reporting.metrics) over a small known half-year, and the figures page."""

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict

from cases.complaints.models import Complaint, IntegrityEntry, Outcome, SatisfactionSource
from cases.core.event_types import DeadlineStep
from cases.core.exceptions import InvalidInput
from cases.core.models import Deadline, Department
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


# --- the rates ---------------------------------------------------------------------------------


def test_the_response_rate_counts_an_overdue_registration_against_it(half_year):
    figures = whole()
    assert (figures.registered_on_time, figures.register_due, figures.response_rate) == (10, 11, 90.9)


def test_answered_on_time_counts_a_late_answer_as_overdue(half_year):
    figures = whole()
    assert (figures.answered_on_time, figures.answer_due, figures.overdue) == (7, 8, 1)
    assert figures.answered_on_time_rate == 87.5


def test_closed_on_time_counts_cured_and_unsubstantiated_closings_within_the_offices_deadlines(half_year):
    figures = whole()
    # C1, C5 cured and C6, C10 unsubstantiated, on time; C7's breach, and C2 and C4 still open with a
    # deadline missed, count against it; C9 (rectifying in time) and C11 (only the complainant's own
    # window past due) are not due yet.
    assert (figures.closed_on_time, figures.close_due, figures.closed_on_time_rate) == (4, 7, 57.1)


def test_a_cured_complaint_whose_rectification_was_reported_late_is_not_closed_on_time(half_year):
    rectify = Deadline.objects.get(case=half_year["C5"].case, step=DeadlineStep.COMPLAINT_RECTIFY)
    rectify.closed_at = rectify.due_at + timedelta(hours=1)
    rectify.save(update_fields=["closed_at"])
    figures = whole()
    assert (figures.closed_on_time, figures.close_due) == (3, 7)


def test_the_complainants_own_window_past_due_is_never_late_against_the_department(half_year):
    only_c11 = metrics.complaint_figures(Period.days("2026-08-03", "2026-08-03"), now=NOW)[None]
    assert Deadline.objects.get(case=half_year["C11"].case, step=DeadlineStep.COMPLAINT_CONFIRM).due_at < NOW
    assert (only_c11.received, only_c11.answered_on_time, only_c11.overdue) == (1, 1, 0)
    assert (only_c11.close_due, only_c11.closed_on_time_rate) == (0, None)


def test_the_resolution_rate_counts_only_cured_or_accepted_unsubstantiated_closings(half_year):
    figures = whole()
    # Concluded: C1, C5 (cured), C6, C10 (unsubstantiated), C7 (breach); C3 rejected and C8 withdrawn
    # are left out. Resolved: C1, C5, and C6 (satisfied on a call-back); not C10 (no opinion), not C7.
    assert (figures.received, figures.rejected, figures.withdrawn, figures.concluded) == (11, 1, 1, 5)
    assert (figures.resolved, figures.resolution_rate) == (3, 60.0)


def test_a_closing_after_the_supervisors_review_is_not_resolved(half_year):
    Complaint.objects.filter(pk=half_year["C6"].pk).update(outcome=Outcome.CLOSED_AFTER_REVIEW)
    figures = whole()
    assert (figures.resolved, figures.concluded, figures.closed_on_time) == (2, 5, 3)


def test_an_unsubstantiated_complaint_deemed_satisfied_is_resolved(half_year):
    deemed = {"satisfied": True, "satisfaction_source": SatisfactionSource.DEEMED, "confirmed_by_default": True}
    Complaint.objects.filter(pk=half_year["C10"].pk).update(**deemed)
    assert whole().resolved == 4


def test_the_satisfaction_rate_counts_call_backs_and_complainants_apart_from_the_deemed(half_year):
    figures = whole()
    # C1 (the complainant) and C6 (a call-back) satisfied, C2 not; C5 deemed; C10 no opinion: neither.
    assert (figures.satisfied, figures.rated, figures.satisfaction_rate) == (2, 3, 66.7)
    assert (figures.deemed_satisfied, figures.deemed_share) == (1, 25.0)


def test_rectification_breach_and_call_backs_are_counted(half_year):
    figures = whole()
    assert (figures.in_rectification, figures.cured, figures.breach, figures.breach_repaired) == (1, 2, 1, 1)
    assert figures.callbacks == 3


def test_a_cured_entry_is_never_counted_as_a_repaired_breach(half_year):
    IntegrityEntry.objects.filter(complaint=half_year["C1"]).update(repaired_at=NOW)
    assert whole().breach_repaired == 1


def test_a_rate_with_nothing_to_count_is_none_not_zero(db):
    figures = whole()
    assert figures.received == 0
    assert figures.response_rate is None and figures.satisfaction_rate is None
    assert (figures.answered_on_time_rate, figures.closed_on_time_rate, figures.resolution_rate) == (None, None, None)
    assert figures.deemed_share is None


def test_a_complaint_received_outside_the_period_is_not_counted(half_year):
    assert metrics.complaint_figures(Period.from_code("2026-H1"), now=NOW)[None].received == 0
    assert metrics.complaint_figures(Period.months("2026-08", "2026-08"), now=NOW)[None].received == 3


# --- by department, subject and month ----------------------------------------------------------


def test_figures_by_department_put_each_complaint_with_its_department(half_year):
    rows = metrics.complaint_figures(H2, by=metrics.DEPARTMENT, now=NOW)
    czj, yshj = rows[dept("czj").pk], rows[dept("yshj").pk]
    assert (czj.received, czj.answered_on_time, czj.answer_due, czj.concluded, czj.breach) == (9, 7, 8, 5, 1)
    assert (yshj.received, yshj.rejected, yshj.registered_on_time, yshj.register_due) == (2, 1, 1, 2)


def test_figures_by_subject(half_year):
    rows = metrics.complaint_figures(H2, by=metrics.SUBJECT, now=NOW)
    assert {code: row.received for code, row in rows.items()} == {
        "arrears": 1, "other_breach": 4, "procurement": 2, "investment": 2, "government_debt": 2}  # fmt: skip


def test_figures_by_month_cover_every_month_of_the_period(half_year):
    months = metrics.figures(H2, now=NOW).complaints_by_month
    assert [(month.month, row.received) for month, row in months] == [(7, 8), (8, 3), (9, 0), (10, 0), (11, 0),
                                                                       (12, 0)]  # fmt: skip


def test_the_subjects_are_named_from_the_policy_in_its_order(half_year):
    names = [name for _code, name, _row in metrics.figures(H2, now=NOW).complaints_by_subject]
    assert names == ["政府采购", "招商引资", "政府债务", "拖欠账款（清欠）", "其他违约失信"]


def test_one_departments_figures_leave_the_others_out(half_year):
    figures = metrics.figures(H2, department=dept("czj"), now=NOW)
    assert figures.complaints.received == 9
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
    assert "90.9%" in page and "87.5%" in page and "57.1%" in page and "60.0%" in page and "66.7%" in page
    assert "25.0%" in page  # deemed satisfied, apart
    assert dept("czj").name_zh in page and dept("yshj").name_zh in page
    assert 'id="figures-data"' in page and "chart.umd.min.js" in page


def test_the_page_names_the_two_on_time_rates_apart_and_says_how_each_figure_is_counted(client, p, half_year):
    client.force_login(p["supervisor"])
    with at(NOW.date()):
        page = html.unescape(client.get("/figures/", {"period": "2026-H2"}).content.decode())
    assert "按时答复率" in page and "按时办结率" in page and "满意率（回访及投诉人确认）" in page and "视为满意" in page
    assert "不含撤回、不予受理和合并的投诉" in page  # the resolution rate's definition
    assert "投诉人确认期限不是本机关的办理时限" in page  # the closing rate's
    assert "整改中 1 件；已整改 2 件；确认违约失信 1 件，其中失信记录已修复 1 件；回访 3 次。" in page


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
    # the demo's history: one rejected, one closed cured, one breach
    assert (figures.complaints.received, figures.complaints.rejected, figures.complaints.concluded) == (7, 1, 2)
    assert figures.complaints.overdue == 1 and figures.complaints.satisfaction_rate == 50.0
    assert (figures.complaints.cured, figures.complaints.in_rectification, figures.complaints.resolved) == (1, 1, 1)
    assert (figures.repairs.submitted, figures.repairs.repaired) == (2, 1)
    assert figures.arrears.paid > 0 and figures.arrears.owed > 0
