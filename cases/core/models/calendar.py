"""The official working-day calendar: statutory holidays and adjusted working days (调休)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """One day that differs from the Monday-to-Friday rule.

    A day not in this table is a working day from Monday to Friday and a rest day on
    Saturday and Sunday.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Ticked for a weekend day declared a working day."),
        db_default=False,
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("holiday or adjusted working day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"
