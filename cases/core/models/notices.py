"""Formal notices (受理通知书, 一次性告知书, …): issued with the step that causes them, kept with the
case, rendered to PDF from the facts frozen at issue time."""

from django.db import models
from django.db.models import JSONField, Value
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeKind(models.TextChoices):
    REPAIR_ADVICE = "repair_advice", _("Credit-repair notice")
    ACCEPTANCE = "acceptance", _("Notice of acceptance")
    CORRECTION = "correction", pgettext_lazy("notice", "One-time notice of materials to complete")
    NON_ACCEPTANCE = "non_acceptance", _("Notice of non-acceptance")
    REPAIR_DECISION = "repair_decision", _("Credit-repair decision")
    REFUSAL_DECISION = "refusal_decision", pgettext_lazy("notice", "Decision not to repair")
    REVOCATION_DECISION = "revocation_decision", _("Decision revoking the credit repair")
    OBJECTION_CORRECTED = "objection_corrected", _("Objection outcome: record corrected")
    OBJECTION_CONFIRMED = "objection_confirmed", _("Objection outcome: record confirmed")
    OBJECTION_WITHDRAWN = "objection_withdrawn", _("Objection outcome: publication withdrawn")


LIST_ENTRY_TITLES = {
    NoticeKind.REPAIR_DECISION: _("Decision to remove from the serious-dishonesty list"),
    NoticeKind.REFUSAL_DECISION: _("Decision not to remove from the serious-dishonesty list"),
}


class Notice(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    number = models.CharField(_("notice number"), max_length=150, unique=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="notices", verbose_name=_("case")
    )
    record = models.ForeignKey(
        "cases.CreditRecord", on_delete=models.CASCADE, related_name="notices", verbose_name=_("record")
    )
    facts = models.JSONField(_("contents"), default=dict, db_default=Value({}, JSONField()))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True, db_default=Now())
    pdf = models.FileField(_("PDF"), upload_to="notices/", blank=True, default="", db_default="")
    signed = models.BooleanField(
        _("digitally signed"), default=False, db_default=False,
        help_text=_("Whether the kept PDF carries the deciding unit's digital signature."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["issued_at", "id"]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    @property
    def title(self) -> str:
        """The document's name as its PDF gives it: a decision on a serious-dishonesty list entry
        is about removal from the list (移出), not about a penalty's display."""
        if self.facts.get("record_type_code") == "serious_list" and self.kind in LIST_ENTRY_TITLES:
            return str(LIST_ENTRY_TITLES[self.kind])
        return self.get_kind_display()


class NoticeSequence(models.Model):
    """The last serial number given in a department's document numbers, per year and per family of
    notices (〔2026〕3号): rows are locked while a number is taken, so no number is given twice."""

    department = models.ForeignKey("cases.Department", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    family = models.CharField(_("kind family"), max_length=10)
    last = models.PositiveIntegerField(_("last number"), default=0, db_default=0)

    class Meta:
        verbose_name = _("document number sequence")
        verbose_name_plural = _("document number sequences")
        constraints = [models.UniqueConstraint(fields=["department", "year", "family"], name="notice_sequence_unique")]

    def __str__(self):
        return f"{self.department_id}〔{self.year}〕{self.family} {self.last}"
