"""Departments of the district and the people who use Chengxin."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.core import access, identifiers
from cases.core.storage import private_storage
from cases.infra.sealed import SealedCharField


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True, default="", db_default="")
    is_supervising_unit = models.BooleanField(
        _("supervising unit"),
        default=False,
        help_text=_("The lead unit that supervises every department."),
        db_default=False,
    )
    active = models.BooleanField(_("active"), default=True, db_default=True)
    # What its notices carry (GB/T 9704-2012): the issuing unit's abbreviation in the document
    # number (发文机关代字, 甘州市监 in 甘州市监信修〔2026〕3号), the reconsideration body of the
    # remedy clause and the contact line (each falls back to a policy row when empty), the seal
    # image placed over the date, and the key that signs each PDF (PAdES).
    document_prefix = models.CharField(
        _("document number prefix"), max_length=20, blank=True, default="", db_default="",
        help_text=_("The unit's abbreviation in its document numbers, e.g. 甘州市监. Empty: the full name is used."),
    )  # fmt: skip
    reconsideration_body = models.CharField(
        _("administrative reconsideration body"), max_length=100, blank=True, default="", db_default="",
        help_text=_("Named in the decisions' remedy clause. Empty: the policy's default body."),
    )  # fmt: skip
    contact_line = models.CharField(
        _("contact line on notices"), max_length=200, blank=True, default="", db_default="",
        help_text=_("Contact person, telephone and address printed on notices. Empty: the policy's default."),
    )  # fmt: skip
    seal_image = models.FileField(
        _("seal image"), upload_to="seals/", storage=private_storage, blank=True, default="", db_default="",
        help_text=_("The unit's electronic seal (PNG with a transparent background), placed over "
                    "the date of each notice."),
    )  # fmt: skip
    signing_key = models.FileField(
        _("signing key (PKCS#12)"), upload_to="signing/", storage=private_storage, blank=True, default="",
        db_default="", help_text=_("The certificate and private key that digitally sign the unit's notices."),
    )  # fmt: skip
    signing_passphrase = SealedCharField(
        _("signing key passphrase"), max_length=200, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_prefix"], condition=~models.Q(document_prefix=""), name="department_unique_prefix"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_in_language(self.name_zh, self.name_en)

    @staticmethod
    def name_in_language(name_zh: str, name_en: str) -> str:
        """The name the page's language shows (for names read as plain values, not instances)."""
        if (get_language() or "zh-hans").startswith("zh") or not name_en:
            return name_zh
        return name_en


class EntityKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    PERSON = "person", _("Person")


class User(AbstractUser):
    """A person signing in: staff of a department, or an applicant acting for an entity."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True, default="", db_default="")
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, default="", db_default="")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    entity_kind = models.CharField(
        _("applicant type"), max_length=20, choices=EntityKind.choices, blank=True, default="", db_default=""
    )
    entity_name = models.CharField(_("entity name"), max_length=200, blank=True, default="", db_default="")
    id_number = models.CharField(
        _("identifier"),
        max_length=18,
        blank=True,
        help_text=_("Unified social credit code for an enterprise, resident ID number for a person."),
        default="",
        db_default="",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("file_cases", _("File credit-repair applications and complaints")),
            ("register_complaints", _("Register and route complaints")),
            ("work_department_cases", _("Work the department's case queue")),
            ("approve_department_decisions", _("Approve the department's decisions")),
            ("supervise_all_cases", _("See every case and issue supervision orders")),
            ("manage_reference_data", _("Manage departments, policies and the holiday calendar")),
            ("manage_account_security", _("Assign roles, lock and unlock accounts, reset second factors")),
            ("verify_identities", _("Confirm identity bindings at the counter")),
        ]

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.id_number and not self.entity_kind:
            raise ValidationError({"entity_kind": _("Choose whether the applicant is an enterprise or a person.")})
        if self.entity_kind and self.id_number:
            validate = (
                identifiers.validate_uscc
                if self.entity_kind == EntityKind.ENTERPRISE
                else identifiers.validate_resident_id
            )
            try:
                self.id_number = validate(self.id_number)
            except ValidationError as exc:
                raise ValidationError({"id_number": exc.messages}) from exc

    @property
    def role_names(self) -> set[str]:
        # Read once per instance, from the shared cache (cases.core.access).
        if not hasattr(self, "_role_names"):
            self._role_names = set(access.of(self)[1]) if self.pk is not None else set()
        return self._role_names

    def has_perm(self, perm, obj=None) -> bool:
        """As Django's, with the permissions from the shared cache (cases.core.access): only the
        model backend grants permissions here, and it answers from the same rows."""
        if self.is_active and self.is_superuser:
            return True
        if obj is None and self.pk is not None:
            return self.is_active and perm in access.of(self)[0]
        return super().has_perm(perm, obj)

    def has_role(self, role: str) -> bool:
        return role in self.role_names
