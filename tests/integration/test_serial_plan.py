"""A task page is read without a parallel plan on PostgreSQL (cases.infra.pagination.serial_plan):
starting parallel workers for a page of 26 rows cost ten times the query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.core.models import Case
from cases.infra.pagination import Page
from tests.factories import CaseFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def parallel_workers() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


def test_a_serial_page_reads_its_rows_with_parallel_workers_off_and_leaves_the_setting_as_it_was():
    CaseFactory.create_batch(3)
    before = parallel_workers()
    assert before != "0"
    with CaptureQueriesContext(connection) as queries:
        page = Page(Case.objects.order_by("pk"), 1, 2, serial=True)
    assert len(page) == 2 and page.has_next
    sql = [query["sql"] for query in queries if "SAVEPOINT" not in query["sql"]]
    assert sql[0] == "SET LOCAL max_parallel_workers_per_gather = 0" and "cases_case" in sql[1]
    assert parallel_workers() == before


def test_a_page_is_read_as_the_database_plans_it_unless_asked():
    CaseFactory.create_batch(2)
    with CaptureQueriesContext(connection) as queries:
        Page(Case.objects.order_by("pk"), 1, 1)
    assert not any("max_parallel_workers_per_gather" in query["sql"] for query in queries)
