"""Parties and the credit records published about them (行政处罚信息, 严重失信主体名单)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from cases.core.models.org import EntityKind


class Party(models.Model):
    """An enterprise (by USCC) or a person (by resident ID) that records are published about."""

    kind = models.CharField(_("type"), max_length=20, choices=EntityKind.choices)
    name = models.CharField(_("name"), max_length=200)
    id_number = models.CharField(_("identifier"), max_length=18)
    # Given by the department that registers a record about the party (or by a clerk): the one
    # number a binding code is sent to, so a stranger cannot choose where the code goes.
    phone = models.CharField(_("mobile number on record"), max_length=20, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_default=Now())

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [models.UniqueConstraint(fields=["kind", "id_number"], name="party_unique_identifier")]

    def __str__(self):
        return self.name


class RecordType(models.TextChoices):
    PENALTY = "penalty", _("Administrative penalty")
    SERIOUS_LIST = "serious_list", _("Serious-dishonesty list entry")
    OTHER = "other", _("Other dishonesty information")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class RecordStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    REPAIRED = "repaired", _("Repaired: no longer displayed")
    EXPIRED = "expired", _("Display period ended")
    WITHDRAWN = "withdrawn", _("Publication withdrawn after an objection")


class CreditRecord(models.Model):
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="records", verbose_name=_("party"))
    record_type = models.CharField(_("record type"), max_length=20, choices=RecordType.choices)
    decision_number = models.CharField(_("decision number"), max_length=100, unique=True)
    department = models.ForeignKey(
        "cases.Department",
        on_delete=models.PROTECT,
        related_name="credit_records",
        verbose_name=_("deciding department"),
    )
    decided_on = models.DateField(_("decision date"))
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    summary = models.TextField(_("facts and decision"))
    published_from = models.DateField(_("published from"))
    repairable_from = models.DateField(_("repairable from"))
    display_until = models.DateField(_("displayed until"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RecordStatus.choices,
        default=RecordStatus.PUBLISHED,
        db_default=RecordStatus.PUBLISHED,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True, db_default=Now())
    documents_delivered_at = models.DateTimeField(
        _("decision and credit-repair notice delivered together at"), null=True, blank=True
    )
    repairable_notified_on = models.DateField(_("told it is repairable on"), null=True, blank=True)
    # An administrative penalty decided by the simple procedure (简易程序) is minor dishonesty.
    simple_procedure = models.BooleanField(_("decided by the simple procedure"), default=False, db_default=False)
    # A law, regulation or policy document says this record cannot be repaired (法律、法规或政策文件
    # 明确不可修复): set by the deciding department with its basis, shown to the entity.
    not_repairable = models.BooleanField(_("not repairable"), default=False, db_default=False)
    not_repairable_basis = models.TextField(_("legal basis for not repairable"), blank=True, default="", db_default="")
    # Kept by cases/repair/objections.py: an objection is being checked (信用信息异议处理中), and
    # whether display pauses meanwhile (policy objection/pauses_display).
    under_objection = models.BooleanField(_("under objection"), default=False, db_default=False)
    display_paused = models.BooleanField(_("display paused"), default=False, db_default=False)

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["department", "-decided_on"], name="record_by_department"),
            models.Index(fields=["display_until"], condition=Q(status="published"), name="record_on_display"),
            models.Index(
                fields=["repairable_from"],
                condition=Q(status="published", repairable_notified_on__isnull=True),
                name="record_repairable_untold",
            ),
        ]

    def __str__(self):
        return f"{self.decision_number} {self.party}"
