"""Roles are Django groups; this module is the one place that says what each role may do."""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    INTAKE_CLERK = "intake_clerk", _("Intake clerk")
    CASEWORKER = "caseworker", _("Caseworker")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


ROLES_NEEDING_DEPARTMENT = {Role.INTAKE_CLERK, Role.CASEWORKER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR}

_REFERENCE_DATA = [
    f"cases.{action}_{model}"
    for model in ("department", "holiday", "policy", "user")
    for action in ("add", "change", "view")
] + ["cases.delete_holiday", "cases.view_auditevent", "django_celery_beat.view_periodictask"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.APPLICANT: ["cases.file_cases"],
    Role.INTAKE_CLERK: ["cases.register_complaints", "cases.verify_identities"],
    Role.CASEWORKER: ["cases.work_department_cases"],
    Role.DEPARTMENT_HEAD: ["cases.work_department_cases", "cases.approve_department_decisions"],
    Role.SUPERVISOR: ["cases.supervise_all_cases", "cases.view_auditevent"],
    Role.ADMIN: ["cases.manage_reference_data", *_REFERENCE_DATA],
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def sync_role_groups() -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    for role, dotted_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([_permission(name) for name in dotted_names])


def sync_role_groups_after_migrate(**kwargs) -> None:
    sync_role_groups()


def grant_role(user, role: str) -> None:
    user.groups.add(Group.objects.get(name=role))
    user.__dict__.pop("_role_names", None)
    if role == Role.ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
