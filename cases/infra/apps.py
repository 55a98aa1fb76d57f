from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfraConfig(AppConfig):
    name = "cases.infra"
    label = "infra"
    verbose_name = _("Infrastructure")

    def ready(self):
        from celery.signals import task_failure

        from . import (
            lookups,  # noqa: F401 (registers field__any)
            metrics,
        )

        # Counted where the task ran (a worker process), read by /metrics (cases/infra/metrics.py).
        task_failure.connect(metrics.record_task_failure, dispatch_uid="metrics-task-failure")
