"""The process instance of a case: viewflow's Process, bound one-to-one to the case it runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class CaseProcess(Process):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="process", verbose_name=_("case"))

    class Meta:
        verbose_name = _("case process")
        verbose_name_plural = _("case processes")
