from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "cases.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from cases.infra import metrics
        from cases.supervision import sweep

        metrics.register(
            metrics.Figure(
                "sweep_lag_seconds",
                "Seconds since the oldest supervision stage that has come was due, not yet fired (0: none).",
                sweep.lag_seconds,
            )
        )
