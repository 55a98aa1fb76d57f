"""Supervision orders (督办单): written by a supervisor or, for an overdue step, by the sweep.

The model keeps the app label "cases" so that its table, content type and migration history stay
where they were before the sub-apps (see docs/architecture.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from cases.core.models import SupervisionLevel


class SupervisionOrder(models.Model):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="supervision_orders", verbose_name=_("case")
    )
    deadline = models.ForeignKey(
        "cases.Deadline",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_orders",
        verbose_name=_("deadline"),
    )
    department = models.ForeignKey(
        "cases.Department", on_delete=models.PROTECT, related_name="supervision_orders", verbose_name=_("department")
    )
    level = models.CharField(_("level"), max_length=20, choices=SupervisionLevel.choices)
    reason = models.TextField(_("reason"))
    escalation_reason = models.TextField(
        _("reason for escalating"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Why a supervisor raised the case to district-level supervision by hand."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never looked up by issuer; the sweep writes these rows in bulk
        verbose_name=_("issued by"),
        help_text=_("Empty when issued automatically for an overdue step."),
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True, db_default=Now())
    respond_by = models.DateField(_("response due"))
    response = models.TextField(_("department's response"), blank=True, default="", db_default="")
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("responded by"),
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        app_label = "cases"
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_at"]
        indexes = [
            models.Index(
                fields=["department", "issued_at"], condition=Q(responded_at__isnull=True), name="supervision_open"
            )
        ]

    def __str__(self):
        return f"{self.case.number} {self.get_level_display()}"

    @property
    def is_answered(self) -> bool:
        return self.responded_at is not None
