from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        from cases.core import transitions
        from workflows import engine

        # The case apps cannot import the process layer above them: it registers with their one hook.
        transitions.follow(on_event=engine.on_case_event, on_opened=engine.on_cases_opened)
