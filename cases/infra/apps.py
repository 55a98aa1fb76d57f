from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfraConfig(AppConfig):
    name = "cases.infra"
    label = "infra"
    verbose_name = _("Infrastructure")

    def ready(self):
        from . import lookups  # noqa: F401 (registers field__any)
