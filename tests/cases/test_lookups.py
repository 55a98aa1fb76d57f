"""`field__any`: the same rows as `field__in`, on SQLite here and on PostgreSQL in the integration
suite (tests/integration/test_lookups_on_postgresql.py)."""

import pytest

from cases.core.models import Case
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_any_finds_the_rows_in_the_list():
    first, _second, third = CaseFactory.create_batch(3)
    assert set(Case.objects.filter(pk__any=[first.pk, third.pk])) == {first, third}


def test_any_of_nothing_finds_nothing():
    CaseFactory()
    assert not Case.objects.filter(pk__any=[]).exists()
    assert Case.objects.exclude(pk__any=[]).count() == 1
