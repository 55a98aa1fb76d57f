"""/healthz reports the Celery worker and beat (production): 200 while both live, 503 when either is down."""

import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from cases.infra import liveness

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe(settings, monkeypatch):
    settings.HEALTH_CHECK_WORKERS = True
    cache.delete_many([liveness.BEAT_KEY, liveness.WORKER_KEY])
    state = SimpleNamespace(answers=0, pings=[])

    def ping_workers(timeout):
        state.pings.append(timeout)
        return state.answers

    monkeypatch.setattr(liveness, "ping_workers", ping_workers)
    yield state
    cache.delete_many([liveness.BEAT_KEY, liveness.WORKER_KEY])


def seen(key, seconds_ago):
    cache.set(key, time.time() - seconds_ago, timeout=None)


def test_healthz_is_200_when_beat_ticked_and_the_worker_finished_a_task_lately(client, probe):
    seen(liveness.BEAT_KEY, 3)
    seen(liveness.WORKER_KEY, 30)
    response = client.get("/healthz")
    checks = response.json()["checks"]
    assert response.status_code == 200
    assert checks["beat"]["ok"] and checks["worker"]["ok"]
    assert probe.pings == []  # a recent task is enough: no ping, no wait


def test_an_idle_worker_that_answers_a_ping_is_alive(client, probe, settings):
    seen(liveness.BEAT_KEY, 3)
    probe.answers = 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == {"ok": True, "seconds_since_task": None, "answered_ping": True}
    assert probe.pings == [settings.WORKER_PING_SECONDS]


def test_healthz_is_503_when_no_worker_answers(client, probe):
    seen(liveness.BEAT_KEY, 3)
    seen(liveness.WORKER_KEY, 600)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False
    assert response.json()["checks"]["beat"]["ok"] is True


def test_healthz_is_503_when_beat_has_not_ticked_lately(client, probe):
    seen(liveness.BEAT_KEY, 300)
    seen(liveness.WORKER_KEY, 3)
    response = client.get("/healthz")
    assert response.status_code == 503
    beat = response.json()["checks"]["beat"]
    assert beat["ok"] is False
    # The age is read when the request runs: a slow test run adds its own seconds to the 300.
    assert 300.0 <= beat["seconds_since_tick"] < 310.0


def test_healthz_is_503_when_beat_never_ran(client, probe):
    seen(liveness.WORKER_KEY, 3)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {"ok": False, "seconds_since_tick": None}


def test_a_ping_that_fails_is_a_dead_worker_not_an_error(client, probe, monkeypatch):
    seen(liveness.BEAT_KEY, 3)

    def broker_down(timeout):
        raise ConnectionError("broker down")

    monkeypatch.setattr(liveness, "ping_workers", broker_down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "error": "ConnectionError"}


def test_the_embedded_stack_does_not_check_them(client, settings):
    settings.HEALTH_CHECK_WORKERS = False
    body = client.get("/healthz").json()
    assert "worker" not in body["checks"] and "beat" not in body["checks"]


def test_beats_scheduler_notes_each_tick(monkeypatch):
    cache.delete(liveness.BEAT_KEY)
    monkeypatch.setattr(liveness.DatabaseScheduler, "tick", lambda self, *args, **kwargs: 5.0)
    scheduler = liveness.LivenessScheduler.__new__(liveness.LivenessScheduler)
    assert scheduler.tick() == 5.0
    assert time.time() - cache.get(liveness.BEAT_KEY) < 5


def test_a_finished_task_notes_the_worker_alive():
    from config.celery import note_worker_alive

    cache.delete(liveness.WORKER_KEY)
    note_worker_alive(sender=None)
    assert time.time() - cache.get(liveness.WORKER_KEY) < 5


def test_healthz_is_answered_over_plain_http_when_every_other_page_is_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # config/settings/production.py's
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
