from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "cases.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from cases.complaints.channel_callbacks import OUTBOX_KIND
        from cases.infra import outbox

        outbox.register(OUTBOX_KIND)

        from cases.complaints import retention as complaint_retention
        from cases.core import retention

        retention.register("complaint", complaint_retention.anonymise)
