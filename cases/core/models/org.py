"""Departments of the district and the people who use Chengxin."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.core import identifiers


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True, default="", db_default="")
    is_supervising_unit = models.BooleanField(
        _("supervising unit"),
        default=False,
        help_text=_("The lead unit that supervises every department (牵头单位)."),
        db_default=False,
    )
    active = models.BooleanField(_("active"), default=True, db_default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "zh-hans").startswith("zh") or not self.name_en:
            return self.name_zh
        return self.name_en


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
        # Prefetched on the request user by the middleware-free path: one query, cached per instance.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, role: str) -> bool:
        return role in self.role_names
