"""The audit trail: one row for every step taken on a case or on reference data. Append-only."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import JSONField, Value
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class AuditTrailIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("audit events cannot be updated")

    def delete(self):
        raise AuditTrailIsAppendOnly("audit events cannot be deleted")

    def for_subject(self, subject):
        return self.filter(
            subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=False), subject_id=subject.pk
        )


class AuditEvent(models.Model):
    subject_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        verbose_name=_("subject type"),
        db_index=False,  # audit_subject_time leads with it
    )
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject = GenericForeignKey("subject_type", "subject_id")
    reference = models.CharField(
        _("reference"),
        max_length=200,
        blank=True,
        help_text=_("Case number, decision number or user name: what the event is about."),
        default="",
        db_default="",
    )
    event_type = models.CharField(_("event"), max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty for the system itself (timers, sweeps)."),
    )
    from_state = models.CharField(_("from state"), max_length=40, blank=True, default="", db_default="")
    to_state = models.CharField(_("to state"), max_length=40, blank=True, default="", db_default="")
    payload = models.JSONField(_("details"), default=dict, blank=True, db_default=Value({}, JSONField()))
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True, db_default=Now())

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "created_at"], name="audit_subject_time")]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.reference or self.subject_id} {self.event_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditTrailIsAppendOnly("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("audit events cannot be deleted")
