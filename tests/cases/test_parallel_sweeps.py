"""SWEEP_PARALLEL: beat's once-a-minute sweep starts that many sweeps of one moment, which share the
due deadlines (on the embedded default and in this suite, Celery runs each at once, in turn)."""

from datetime import date, datetime, time

import pytest
from celery.signals import task_prerun
from django.utils import timezone

from cases.core import services
from cases.core.models import AuditEvent, Deadline
from cases.supervision.models import SupervisionOrder
from cases.supervision.tasks import sweep_deadlines
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

# Due 23 October 2025: supervised the next working day, escalated at five working days overdue.
ESCALATION_DAY = timezone.make_aware(datetime.combine(date(2025, 10, 30), time(9)))


@pytest.fixture
def overdue_deadlines(caseworker):
    for _ in range(5):
        services.start_deadline(
            case=CaseFactory(assignee=caseworker), step="complaint.answer", label="部门答复",
            policy_key="answer_within", start=date(2025, 9, 26),
        )  # fmt: skip


@pytest.fixture
def sweeps_run():
    """The moments of the sweeps Celery ran, one entry a sweep."""
    moments = []

    def note(sender=None, kwargs=None, **_):
        if getattr(sender, "name", None) == sweep_deadlines.name:
            moments.append((kwargs or {}).get("now"))

    task_prerun.connect(note, weak=False)
    yield moments
    task_prerun.disconnect(note)


def test_beats_sweep_starts_as_many_sweeps_of_one_moment_as_configured(settings, sweeps_run):
    settings.SWEEP_PARALLEL = 3
    sweep_deadlines.delay(now=ESCALATION_DAY.isoformat())
    assert sweeps_run == [ESCALATION_DAY.isoformat()] * 3


def test_by_default_one_sweep_runs(sweeps_run):
    sweep_deadlines.delay(now=ESCALATION_DAY.isoformat())
    assert len(sweeps_run) == 1


def test_the_sweeps_it_started_start_no_more(settings, sweeps_run):
    settings.SWEEP_PARALLEL = 3
    sweep_deadlines.delay(now=ESCALATION_DAY.isoformat(), fan_out=False)
    assert len(sweeps_run) == 1


def test_sweeps_of_one_moment_fire_each_stage_once(settings, overdue_deadlines):
    settings.SWEEP_PARALLEL = 3
    sweep_deadlines.delay(now=ESCALATION_DAY.isoformat(), batch_size=2)
    for event in ("deadline.reminded", "deadline.supervised", "deadline.escalated"):
        assert AuditEvent.objects.filter(event_type=event).count() == 5
    assert SupervisionOrder.objects.filter(level="escalation").count() == 5
    assert not Deadline.objects.filter(next_action_at__isnull=False).exists()
