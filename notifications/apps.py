from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from cases.infra import outbox
        from notifications.delivery import OUTBOX_KIND
        from notifications.socket_sessions import connect_signals

        connect_signals()
        outbox.register(OUTBOX_KIND)
