from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "cases.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from cases.complaints import building
        from cases.complaints import retention as complaint_retention
        from cases.complaints.channel_callbacks import OUTBOX_KIND
        from cases.core import retention
        from cases.infra import metrics, outbox

        outbox.register(OUTBOX_KIND)
        retention.register("complaint", complaint_retention.anonymise)
        metrics.register(
            metrics.Figure("work_orders_waiting", "Work orders not yet opened as cases.", building.waiting_count)
        )
        metrics.register(
            metrics.Figure(
                "work_order_oldest_waiting_age_seconds",
                "Seconds since the oldest waiting work order arrived (0: none waits).",
                building.oldest_waiting_age,
            )
        )
