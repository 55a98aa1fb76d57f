from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from . import lookups, roles  # noqa: F401 (lookups registers field__any)

        # After every migrate (and test-database flush) the role groups carry exactly
        # the permissions roles.py gives them.
        post_migrate.connect(roles.sync_role_groups_after_migrate, sender=self)
