"""Verified identity (实名认证): which accounts act for which enterprise or person, and how that
was verified. An account sees an entity's data and acts for it only through an active binding;
what the account typed at sign-up is a claim, never a key."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.core.models.org import EntityKind


class BindingRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    AGENT = "agent", _("Agent")
    SELF = "self", _("The person themselves")


class BindingMethod(models.TextChoices):
    PLATFORM = "platform", _("Province's unified identity platform")
    SMS = "sms", _("Code sent to the mobile number on record")
    COUNTER = "counter", _("Confirmed at the counter")


class IdentityBinding(models.Model):
    """A verified binding of an account to an enterprise (USCC) or a person (resident ID).

    Rows are written when the verification succeeds and are never deleted: an unbinding sets
    `revoked_at`, so the trail of who acted for whom stays whole.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="identity_bindings", verbose_name=_("user")
    )
    entity_kind = models.CharField(_("applicant type"), max_length=20, choices=EntityKind.choices)
    id_number = models.CharField(_("identifier"), max_length=18)
    entity_name = models.CharField(_("entity name"), max_length=200, blank=True, default="", db_default="")
    role = models.CharField(_("role"), max_length=30, choices=BindingRole.choices)
    method = models.CharField(_("verified by way of"), max_length=20, choices=BindingMethod.choices)
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now, db_default=Now())
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("verified by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("revoked by"),
    )
    # The platform's own subject ("sub") for bindings it made, so a later sign-in finds the account.
    platform_subject = models.CharField(
        _("platform subject"), max_length=255, blank=True, default="", db_default="", db_index=True
    )

    class Meta:
        verbose_name = _("identity binding")
        verbose_name_plural = _("identity bindings")
        ordering = ["-verified_at", "-id"]
        constraints = [
            # An account acts for one entity at a time: every read asks "which one?" and gets one answer.
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="binding_one_active_per_user"
            ),
        ]
        indexes = [
            models.Index(
                fields=["entity_kind", "id_number"], condition=Q(revoked_at__isnull=True), name="binding_active_entity"
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.entity_name or self.id_number} ({self.get_role_display()})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class BindingCode(models.Model):
    """A one-time code sent to the mobile number on record for an entity. Only its keyed hash is
    kept: a copy of the database gives no code away."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entity_kind = models.CharField(_("applicant type"), max_length=20, choices=EntityKind.choices)
    id_number = models.CharField(_("identifier"), max_length=18)
    phone = models.CharField(_("mobile phone"), max_length=20)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_default=Now())
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, db_default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("binding code")
        verbose_name_plural = _("binding codes")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="binding_code_by_user"),
            models.Index(fields=["entity_kind", "id_number", "-created_at"], name="binding_code_by_entity"),
        ]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class PasswordResetCode(models.Model):
    """A one-time code sent by SMS to an account's own mobile number to set a new password. Only
    its keyed hash is kept; it expires, and a few wrong tries kill it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(_("mobile phone"), max_length=20)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_default=Now())
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, db_default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("password reset code")
        verbose_name_plural = _("password reset codes")
        indexes = [models.Index(fields=["user", "-created_at"], name="reset_code_by_user")]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
