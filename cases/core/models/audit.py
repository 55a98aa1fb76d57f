"""The audit trail: one row for every step taken on a case or on reference data. Append-only."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import JSONField, Value
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditTrailIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventNotChained(AuditTrailIsAppendOnly):
    """Raised on saving an event that was not linked into its chain (cases/audit_chain.py)."""


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
    # Set before the event is hashed (its hash covers the time), not by auto_now_add at save.
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True, db_default=Now())
    # The hash chain (cases/audit_chain.py): every subject's events form one chain; each event
    # carries the hash of the one before it and its own hash over its content and that link.
    # No default: a writer that does not chain its events is refused (by save() and insert_rows).
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)
    hash_algorithm = models.CharField(_("hash algorithm"), max_length=10, editable=False)

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
        if not (self.hash and self.hash_algorithm):
            raise AuditEventNotChained("audit events are written through cases.core.audit_chain")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """The end of one subject's chain: the last event's hash and the number of events. Writers
    lock it (SELECT ... FOR UPDATE through an upsert) while they append, so two writers on one
    chain take turns instead of forking it; verify_audit also checks that no event is missing
    at the end of the chain."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    subject_id = models.PositiveBigIntegerField()
    last_hash = models.CharField(max_length=64)
    length = models.PositiveBigIntegerField()

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id"], name="audit_chain_head_subject")]

    def __str__(self):
        return f"{self.subject_type_id}:{self.subject_id} #{self.length}"
