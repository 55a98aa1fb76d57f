"""Policy numbers (deadlines, periods, limits, required materials), editable by administrators."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    REPAIR = "repair", _("Credit repair")
    COMPLAINT = "complaint", _("Government-default complaint")
    OBJECTION = "objection", _("Credit information objection")


class PolicyKind(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    MONTHS = "months", _("months")
    COUNT = "count", _("count")
    CHOICES = "choices", _("list of items")
    OPTION = "option", _("one of set options")
    TEXT = "text", _("text")


class Policy(models.Model):
    case_type = models.CharField(_("case type"), max_length=20, choices=CaseType.choices)
    key = models.SlugField(_("key"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=PolicyKind.choices, editable=False)
    value = models.JSONField(_("value"))
    label = models.CharField(_("description"), max_length=200)
    basis = models.CharField(
        _("basis"),
        max_length=200,
        blank=True,
        help_text=_("The rule this number comes from."),
        default="",
        db_default="",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["case_type", "key"]
        constraints = [models.UniqueConstraint(fields=["case_type", "key"], name="policy_unique_key")]

    def __str__(self):
        return f"{self.get_case_type_display()} · {self.label}"

    def clean(self):
        super().clean()
        if self.kind == PolicyKind.CHOICES:
            if not isinstance(self.value, list) or not all(
                isinstance(item, dict) and item.get("code") and item.get("name") for item in self.value
            ):
                raise ValidationError({"value": _('Enter a list of items, each like {"code": "...", "name": "..."}.')})
            codes = [item["code"] for item in self.value]
            if len(codes) != len(set(codes)):
                raise ValidationError({"value": _("Each item needs its own code.")})
        elif self.kind == PolicyKind.OPTION:
            from cases.core.policies import OPTIONS

            allowed = OPTIONS.get((self.case_type, self.key), ())
            if self.value not in allowed:
                raise ValidationError({"value": _("Enter one of: %(options)s.") % {"options": ", ".join(allowed)}})
        elif self.kind == PolicyKind.TEXT:
            if not isinstance(self.value, str) or not self.value.strip():
                raise ValidationError({"value": _('Enter the text in double quotes, e.g. "…".')})
        elif isinstance(self.value, bool) or not isinstance(self.value, int) or self.value < 0:
            raise ValidationError({"value": _("Enter a whole number, zero or more.")})
