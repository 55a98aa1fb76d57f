from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        from cases.core.events import case_event, cases_opened
        from workflows import engine

        case_event.connect(engine.on_case_event, dispatch_uid="workflows.engine")
        cases_opened.connect(engine.on_cases_opened, dispatch_uid="workflows.engine.bulk")
