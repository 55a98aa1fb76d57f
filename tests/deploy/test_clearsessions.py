"""Expired sessions leave the database every night."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from cases.infra.tasks import clear_sessions

pytestmark = pytest.mark.django_db


def test_beat_runs_clearsessions_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["clear-sessions"]
    assert entry["task"] == clear_sessions.name
    assert isinstance(entry["schedule"], crontab) and entry["schedule"].hour == {3}


def test_the_task_removes_expired_sessions_and_keeps_live_ones():
    now = timezone.now()
    Session.objects.create(session_key="expired" + "x" * 25, session_data="", expire_date=now - timedelta(minutes=1))
    Session.objects.create(session_key="live" + "y" * 28, session_data="", expire_date=now + timedelta(hours=1))
    clear_sessions.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live" + "y" * 28]
