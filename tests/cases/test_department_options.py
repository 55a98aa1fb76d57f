"""The department selects (the board's filter, the complaint queue's assignment) read the
active departments once a minute per process, and at once after a department changes here."""

import pytest
from django.utils import translation

from cases.core import department_options
from cases.core.models import Department

pytestmark = pytest.mark.django_db


def test_the_options_name_every_active_department_in_the_pages_language():
    finance = Department.objects.get(code="czj")
    with translation.override("zh-hans"):
        assert f'<option value="{finance.pk}">{finance.name_zh}</option>' in department_options.options()
    with translation.override("en"):
        assert f'<option value="{finance.pk}">{finance.name_en}</option>' in department_options.options()


def test_the_chosen_department_alone_is_selected():
    finance = Department.objects.get(code="czj")
    html = department_options.options(chosen=str(finance.pk))
    assert html.count(" selected") == 1
    assert f'<option value="{finance.pk}" selected>' in html


def test_a_chosen_value_that_is_no_department_selects_nothing():
    assert " selected" not in department_options.options(chosen='1"><script>')


def test_the_assignment_list_leaves_out_the_supervising_unit():
    intake = Department.objects.get(is_supervising_unit=True)
    assert f'value="{intake.pk}"' in department_options.options()
    assert f'value="{intake.pk}"' not in department_options.options(department_options.ROUTABLE)


def test_a_department_added_or_closed_shows_at_once():
    department_options.options()
    added = Department.objects.create(code="newbureau", name_zh="区新设局", name_en="New Bureau")
    assert "区新设局" in department_options.options()
    added.active = False
    added.save()
    assert "区新设局" not in department_options.options()
