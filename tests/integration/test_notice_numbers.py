"""Document numbers (发文字号) given at the same moment on PostgreSQL's row locks: never twice."""

from datetime import date

import pytest

from cases.core import documents
from cases.core.models import Department, NoticeKind, NoticeSequence
from tests.integration.test_concurrency import at_once

pytestmark = pytest.mark.integration


@pytest.mark.django_db(transaction=True)
def test_numbers_taken_at_once_are_all_different():
    unit = Department.objects.get(code="scjg")
    Department.objects.filter(pk=unit.pk).update(document_prefix="甘州市监")
    unit.refresh_from_db()
    numbers = at_once(*[lambda: documents.next_number(unit, NoticeKind.REPAIR_DECISION, date(2026, 12, 2))] * 4)
    assert sorted(numbers) == [f"甘州市监信修〔2026〕{n}号" for n in range(1, 5)]
    assert NoticeSequence.objects.get(department=unit, year=2026, family="信修").last == 4
