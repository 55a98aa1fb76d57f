"""The Celery application: Redis broker when REDIS_URL is set, a filesystem broker otherwise."""

from celery import Celery

from config.environment import select_settings

select_settings()  # DJANGO_SETTINGS_MODULE from the environment or .env

app = Celery("chengxin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
