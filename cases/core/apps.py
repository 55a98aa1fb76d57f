from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """The shared kernel. Its label stays "cases": every model of the sub-apps is registered under
    it, so tables, content types, permissions (cases.*) and the migration history are those of the
    single app this once was (docs/architecture.md says why)."""

    name = "cases.core"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from . import access, department_options, roles

        access.connect_signals()
        department_options.connect_signals()

        # After every migrate (and test-database flush) the role groups carry exactly
        # the permissions roles.py gives them.
        post_migrate.connect(roles.sync_role_groups_after_migrate, sender=self)
