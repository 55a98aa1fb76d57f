"""The monthly partitions are made ahead every day; off PostgreSQL (SQLite) there is nothing to make."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from cases.infra import partitions
from cases.infra.tasks import ensure_partitions

pytestmark = pytest.mark.django_db


def test_beat_makes_the_partitions_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["ensure-partitions"]
    assert entry["task"] == ensure_partitions.name
    assert isinstance(entry["schedule"], crontab) and len(entry["schedule"].hour) == 1


def test_off_postgresql_the_task_makes_nothing():
    assert ensure_partitions.delay().get() == []


def test_off_postgresql_the_command_says_every_partition_is_there():
    out = StringIO()
    call_command("ensure_partitions", stdout=out)
    assert out.getvalue() == "every partition is there\n"


def test_a_month_starts_at_midnight_utc_whatever_the_offset():
    just_after_midnight_in_beijing = datetime(2026, 12, 1, 3, tzinfo=timezone.get_fixed_timezone(480))
    assert partitions.month_start(just_after_midnight_in_beijing) == datetime(2026, 11, 1, tzinfo=UTC)


def test_partitions_are_named_by_year_and_month():
    assert (
        partitions.partition_name("cases_auditevent", datetime(2027, 3, 1, tzinfo=UTC)) == "cases_auditevent_y2027m03"
    )
