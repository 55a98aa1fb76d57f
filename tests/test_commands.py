"""The management commands that write docs/ pages and load the official holiday schedule."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from cases.core import calendar_seed, statechart
from cases.core.models import Holiday
from workflows import flowchart


@pytest.mark.parametrize(
    ("command", "filename", "document"),
    [("statechart", "repair-states.md", statechart.document), ("flowchart", "flows.md", flowchart.document)],
)
def test_a_docs_command_writes_its_page_in_chinese(command, filename, document, settings, tmp_path):
    (tmp_path / "docs").mkdir()
    settings.BASE_DIR = tmp_path
    out = StringIO()
    call_command(command, stdout=out)
    with translation.override("zh-hans"):
        assert (tmp_path / "docs" / filename).read_text(encoding="utf-8") == document()
    assert str(tmp_path / "docs" / filename) in out.getvalue()


@pytest.mark.django_db
def test_load_holidays_adds_the_missing_days_once_and_keeps_edits():
    Holiday.objects.all().delete()
    day, working, _name = next(iter(calendar_seed.official_schedule()))
    Holiday.objects.create(date=day, is_working_day=not working, name="edited")
    out = StringIO()
    call_command("load_holidays", stdout=out)
    years = calendar_seed.known_years()
    assert f"the package covers {years.start}–{years.stop - 1}" in out.getvalue()
    assert Holiday.objects.get(date=day).name == "edited"
    added = Holiday.objects.count()
    assert added > 1
    out = StringIO()
    call_command("load_holidays", stdout=out)
    assert out.getvalue().startswith("0 days added")
    assert Holiday.objects.count() == added
