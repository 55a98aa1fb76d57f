"""Roles are Django groups; this module is the one place that says what each role may do."""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.core import access


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    INTAKE_CLERK = "intake_clerk", _("Intake clerk")
    CASEWORKER = "caseworker", _("Caseworker")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    SUPERVISOR = "supervisor", _("Supervisor")
    # The three administrators of GB/T 22239 (三员分立): one person holds at most one of them.
    ADMIN = "admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# Each of these is a whole job: held alone, never with a business role or another of them.
ADMINISTRATOR_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Staff sign in with a second factor (cases/second_factor.py); applicants may choose to.
STAFF_ROLES = frozenset(Role) - {Role.APPLICANT}
# What the security administrator may give or take away. Not its own role: a security
# administrator is appointed from the command line (manage.py grant_role), so that one cannot
# make more of itself.
ROLES_THE_SECURITY_ADMIN_ASSIGNS = frozenset(Role) - {Role.SECURITY_ADMIN}

ROLES_NEEDING_DEPARTMENT = {Role.INTAKE_CLERK, Role.CASEWORKER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR}

_REFERENCE_DATA = [
    f"cases.{action}_{model}"
    for model in ("department", "holiday", "policy", "respondentbody", "user")
    for action in ("add", "change", "view")
] + ["cases.delete_holiday", "django_celery_beat.view_periodictask"]

# Roles and access, not business data: the user list (to find the person), sign-in lock-outs and
# second-factor devices (cases/staff_accounts.py changes roles, locks and devices).
_ACCOUNT_SECURITY = [
    "cases.manage_account_security",
    "cases.view_user",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",  # lifts a sign-in lock-out
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.APPLICANT: ["cases.file_cases"],
    Role.INTAKE_CLERK: ["cases.register_complaints", "cases.verify_identities"],
    Role.CASEWORKER: ["cases.work_department_cases"],
    Role.DEPARTMENT_HEAD: ["cases.work_department_cases", "cases.approve_department_decisions"],
    Role.SUPERVISOR: ["cases.supervise_all_cases", "cases.view_auditevent"],
    Role.ADMIN: ["cases.manage_reference_data", *_REFERENCE_DATA],
    Role.SECURITY_ADMIN: _ACCOUNT_SECURITY,
    Role.AUDIT_ADMIN: ["cases.view_auditevent", "axes.view_accesslog"],  # the trail and the sign-in record
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
    """Give a role outright (seed data, the command line); pages go through cases.accounts.staff_accounts."""
    user.groups.add(Group.objects.get(name=role))
    access.forget(user)
    if role in ADMINISTRATOR_ROLES and not user.is_staff:
        user.is_staff = True  # the admin site's door; what each may do there is its role's
        user.save(update_fields=["is_staff"])


def is_staff_member(user) -> bool:
    """Anyone who works cases or administers: they sign in with a second factor."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser or user.role_names & STAFF_ROLES))
