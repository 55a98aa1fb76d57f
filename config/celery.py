"""The Celery application: Redis broker when REDIS_URL is set, a filesystem broker otherwise."""

import contextlib
import logging.config

from celery import Celery
from celery.signals import setup_logging, task_postrun

from config.environment import select_settings

select_settings()  # DJANGO_SETTINGS_MODULE from the environment or .env

app = Celery("chengxin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**_signal):
    """The worker and beat log through Django's LOGGING (JSON lines in production), not Celery's own
    format: a receiver of this signal stops Celery from configuring the root logger."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@task_postrun.connect
def note_worker_alive(**_signal):
    """Each finished task tells /healthz the worker is alive (cases/infra/liveness.py)."""
    from cases.infra.liveness import note_worker

    with contextlib.suppress(Exception):  # a cache outage must not fail the task
        note_worker()
