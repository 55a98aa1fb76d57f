"""Formal notices (受理通知书, 补正告知书, …): issued with the step that causes them, kept with the
case, rendered to PDF from the facts frozen at issue time."""

from django.db import models
from django.db.models import JSONField, Value
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    REPAIR_ADVICE = "repair_advice", _("Credit-repair notice (信用修复告知书)")
    ACCEPTANCE = "acceptance", _("Notice of acceptance (受理通知书)")
    CORRECTION = "correction", _("One-time notice of materials to complete (补正告知书)")
    NON_ACCEPTANCE = "non_acceptance", _("Notice of non-acceptance (不予受理通知书)")
    REPAIR_DECISION = "repair_decision", _("Credit-repair decision (修复决定书)")
    REFUSAL_DECISION = "refusal_decision", _("Decision not to repair (不予修复决定书)")
    REVOCATION_DECISION = "revocation_decision", _("Decision revoking the credit repair (撤销信用修复决定书)")
    OBJECTION_CORRECTED = "objection_corrected", _("Objection outcome: record corrected")
    OBJECTION_CONFIRMED = "objection_confirmed", _("Objection outcome: record confirmed")
    OBJECTION_WITHDRAWN = "objection_withdrawn", _("Objection outcome: publication withdrawn")


class Notice(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    number = models.CharField(_("notice number"), max_length=60, unique=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="notices", verbose_name=_("case")
    )
    record = models.ForeignKey(
        "cases.CreditRecord", on_delete=models.CASCADE, related_name="notices", verbose_name=_("record")
    )
    facts = models.JSONField(_("contents"), default=dict, db_default=Value({}, JSONField()))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True, db_default=Now())
    pdf = models.FileField(_("PDF"), upload_to="notices/", blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["issued_at", "id"]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"
