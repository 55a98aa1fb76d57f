"""`field__any` on PostgreSQL: one array parameter instead of one placeholder per value."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.core.models import Case, Deadline
from tests.factories import CaseFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_any_is_one_array_parameter():
    cases = CaseFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        found = set(Case.objects.filter(pk__any=[case.pk for case in cases[:2]]))
    assert found == set(cases[:2])
    assert "= ANY(" in queries[0]["sql"] and "IN (" not in queries[0]["sql"]


def test_any_on_a_foreign_key_and_in_an_update():
    cases = CaseFactory.create_batch(2)
    assert (
        Case.objects.filter(pk__any={case.pk for case in cases}, supervision_stage__lt=2).update(supervision_stage=2)
        == 2
    )
    assert not Deadline.objects.filter(case_id__any=[cases[0].pk]).exists()
    assert Case.objects.exclude(pk__any=[]).count() == 2
