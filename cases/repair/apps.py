from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairConfig(AppConfig):
    name = "cases.repair"
    label = "repair"
    verbose_name = _("Credit repair")

    def ready(self):
        from cases.infra import outbox
        from cases.repair.services import OUTBOX_KIND

        outbox.register(OUTBOX_KIND)

        from cases.core import retention
        from cases.repair import retention as repair_retention

        retention.register("repair", repair_retention.anonymise_applications)
        retention.register("objection", repair_retention.anonymise_objections)

        from cases.core.signals import display_ended
        from cases.repair.services import end_for_records

        display_ended.connect(
            lambda sender, record_ids, **kwargs: end_for_records(record_ids), weak=False, dispatch_uid="repair-end"
        )
