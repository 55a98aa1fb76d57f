"""Credit-repair applications (信用修复申请) and the materials that come with them."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import JSONField, Value
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from cases.core.models.files import UploadedFile
from cases.infra.outbox import OutboxRow


class Source(models.TextChoices):
    PORTAL = "portal", _("This portal")
    NATIONAL_WINDOW = "national_window", _('The "Credit China" website (single window)')


class Basis(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary application")
    BANKRUPTCY_REORGANISATION = "bankruptcy_reorganisation", _("Bankruptcy reorganisation")


class RepairApplication(models.Model):
    """The credit-repair side of a Case (case.kind == "repair"); the case carries number and state."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="repair", verbose_name=_("case"))
    record = models.ForeignKey(
        "cases.CreditRecord", on_delete=models.PROTECT, related_name="repair_applications", verbose_name=_("record")
    )
    statement = models.TextField(_("applicant's statement"), blank=True, default="", db_default="")
    obligations_fulfilled = models.BooleanField(
        _("obligations fulfilled (fine paid, correction made)"), default=False, db_default=False
    )
    commitment_signed = models.BooleanField(_("credit commitment signed"), default=False, db_default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    notice_issued_at = models.DateTimeField(_("one-time notice issued at"), null=True, blank=True)
    missing_items = models.JSONField(_("missing items"), default=list, blank=True, db_default=Value([], JSONField()))
    refusal_reason = models.TextField(_("reason for not accepting"), blank=True, default="", db_default="")
    proposed_approval = models.BooleanField(_("proposed decision: repair"), null=True, blank=True)
    proposed_reason = models.TextField(_("reason for the proposed decision"), blank=True, default="", db_default="")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, default="", db_default="")
    revocation_reason = models.TextField(_("reason for revocation"), blank=True, default="", db_default="")
    extension_reason = models.TextField(_("reason for the extension"), blank=True, default="", db_default="")
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    # An extension the caseworker proposed and the department head has not yet decided on.
    extension_requested_at = models.DateTimeField(_("extension proposed at"), null=True, blank=True)
    extension_refusal_reason = models.TextField(
        _("reason the extension was refused"), blank=True, default="", db_default=""
    )
    sent_back_reason = models.TextField(_("reason for re-review"), blank=True, default="", db_default="")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    end_reason = models.TextField(_("why handling ended"), blank=True, default="", db_default="")
    basis = models.CharField(_("basis of the application"), max_length=30, choices=Basis.choices,
                             default=Basis.ORDINARY, db_default=Basis.ORDINARY)  # fmt: skip
    # Where the application came in: this portal, or pushed by the national single window (or the
    # province's platform) through a channel, with that platform's own application number.
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.PORTAL,
                              db_default=Source.PORTAL)  # fmt: skip
    channel = models.ForeignKey("cases.Channel", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                db_index=False, verbose_name=_("pushed by"))  # fmt: skip
    platform_number = models.CharField(_("platform application number"), max_length=64, blank=True, default="",
                                       db_default="")  # fmt: skip
    applicant_name = models.CharField(_("applicant (as pushed)"), max_length=200, blank=True, default="",
                                      db_default="")  # fmt: skip
    applicant_contact = models.CharField(_("applicant's contact (as pushed)"), max_length=100, blank=True,
                                         default="", db_default="")  # fmt: skip

    class Meta:
        app_label = "cases"
        verbose_name = _("credit-repair application")
        verbose_name_plural = _("credit-repair applications")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "platform_number"],
                condition=~models.Q(platform_number=""),
                name="repair_platform_number_once",
            )
        ]

    def __str__(self):
        return f"{self.case.number} {self.record.decision_number}"


def material_path(instance, filename: str) -> str:
    # Stored under a random name: the user's file name is kept only as data, never as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"materials/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class MaterialQuerySet(models.QuerySet):
    def current(self):
        """The files that count: a replaced file stays in the history only."""
        return self.filter(replaced_at__isnull=True)

    def replaced(self):
        return self.filter(replaced_at__isnull=False)


class Material(UploadedFile):
    application = models.ForeignKey(RepairApplication, on_delete=models.CASCADE, related_name="materials")
    code = models.SlugField(_("material"), max_length=60)
    file = models.FileField(_("file"), upload_to=material_path)
    # Set when the applicant uploads another file for the same item: kept in the history, no longer current.
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    objects = MaterialQuerySet.as_manager()

    class Meta(UploadedFile.Meta):
        app_label = "cases"
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return f"{self.code}: {self.original_name}"


class NationalSync(OutboxRow):
    """The outbox towards the national credit site: every status of an application it must learn
    (accepted, one-time notice, not accepted, refused) and a repair or its revocation, pushed with
    retries (cases/infra/outbox.py)."""

    class Action(models.TextChoices):
        REPAIR = "repair", _("Repair")
        REVOKE = "revoke", _("Revocation")
        ACCEPTED = "accepted", _("Accepted")
        NOTICE = "notice", _("One-time notice")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")
        REFUSED = "refused", _("Decision not to repair")
        ENDED = "ended", _("Handling ended (lapsed or terminated)")

    application = models.ForeignKey(RepairApplication, on_delete=models.CASCADE, related_name="syncs")
    action = models.CharField(max_length=20, choices=Action.choices)
    payload = models.JSONField(default=dict, db_default=Value({}, JSONField()))
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())
    sent_at = models.DateTimeField(null=True, blank=True)
    receipt = models.CharField(max_length=100, blank=True, default="", db_default="")

    class Meta:
        app_label = "cases"
        verbose_name = _("national site sync")
        verbose_name_plural = _("national site syncs")
        indexes = [models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"), name="sync_due")]

    def __str__(self):
        return f"{self.application} {self.action}"


# --- credit information objections (信用信息异议, cases/repair/objections.py) -------------------------


class Objection(models.Model):
    """An entity's objection to a record about it; the case carries number, state and deadline."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="objection", verbose_name=_("case")
    )
    record = models.ForeignKey(
        "cases.CreditRecord", on_delete=models.PROTECT, related_name="objections", verbose_name=_("record")
    )
    reasons = models.TextField(_("reasons for the objection"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_default=Now())
    outcome_reason = models.TextField(_("reasons for the outcome"), blank=True, default="", db_default="")
    # What a correction changed: {field: {"from": old, "to": new}}.
    corrections = models.JSONField(_("corrections"), default=dict, blank=True, db_default=Value({}, JSONField()))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        app_label = "cases"
        verbose_name = _("credit information objection")
        verbose_name_plural = _("credit information objections")

    def __str__(self):
        return f"{self.case.number} {self.record.decision_number}"


def evidence_path(instance, filename: str) -> str:
    # Stored under a random name: the user's file name is kept only as data, never as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"objections/{instance.objection_id}/{uuid.uuid4().hex}{suffix}"


class ObjectionEvidence(UploadedFile):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta(UploadedFile.Meta):
        app_label = "cases"
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
