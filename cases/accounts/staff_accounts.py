"""Who holds which role, and whether an account may sign in: the security administrator's work
(三员分立, GB/T 22239). Every change goes through here, is checked and is audited.

The rules, each refused with NotPermitted (403):
- only a holder of `cases.manage_account_security` changes roles or locks an account;
- nobody changes their own roles, lock or second factor;
- only the roles in ROLES_THE_SECURITY_ADMIN_ASSIGNS are given or taken away (the security
  administrator role itself comes from the command line, `manage.py grant_role`);
- an administrator role is held alone;
- a superuser's account is not changed from a page.
`is_superuser` and per-user permissions are set by no page at all (cases/admin.py refuses them).
"""

from axes.utils import reset as reset_sign_in_failures
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from cases.accounts import second_factor
from cases.core import access, events, permissions
from cases.core.exceptions import NotPermitted
from cases.core.models import User
from cases.core.roles import ADMINISTRATOR_ROLES, ROLES_THE_SECURITY_ADMIN_ASSIGNS

PERMISSION = "cases.manage_account_security"


def _target(actor, user_id: int) -> User:
    permissions.require(actor, PERMISSION)
    user = User.objects.select_for_update().get(pk=user_id)
    if user.pk == actor.pk:
        raise NotPermitted(
            _("Nobody changes their own roles, lock or second factor; ask another security administrator.")
        )
    if user.is_superuser:
        raise NotPermitted(_("A superuser's account is not changed from a page."))
    return user


def check_roles(roles: set[str]) -> None:
    administrator = roles & ADMINISTRATOR_ROLES
    if administrator and len(roles) > 1:
        raise NotPermitted(_("An administrator role is held alone: not with another role."))


@transaction.atomic
def change_roles(*, actor, user_id: int, roles) -> User:
    """Give the user exactly `roles` among the assignable ones; the others it holds stay."""
    user = _target(actor, user_id)
    wanted = set(roles)
    held = set(user.groups.values_list("name", flat=True))
    changing = wanted ^ held
    if changing - ROLES_THE_SECURITY_ADMIN_ASSIGNS:
        raise NotPermitted(_("This role is not given or taken away from a page."))
    check_roles(wanted)
    user.groups.set(Group.objects.filter(name__in=wanted))
    access.forget(user)
    is_staff = bool(wanted & ADMINISTRATOR_ROLES)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    for role in sorted(wanted - held):
        events.role_granted_event(user=user, actor=actor, role=role)
    for role in sorted(held - wanted):
        events.role_revoked_event(user=user, actor=actor, role=role)
    return user


@transaction.atomic
def set_active(*, actor, user_id: int, active: bool) -> User:
    """Lock an account (it cannot sign in at all) or open it again."""
    user = _target(actor, user_id)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        events.account_lock_event(user=user, actor=actor, active=active)
    return user


@transaction.atomic
def unlock_sign_in(*, actor, user_id: int) -> User:
    """Lift a sign-in lock-out on the user's name (cases/sign_in_lockout.py) before its window ends."""
    user = _target(actor, user_id)
    reset_sign_in_failures(username=user.username.lower())
    events.sign_in_unlocked_event(user=user, actor=actor)
    return user


@transaction.atomic
def reset_second_factor(*, actor, user_id: int) -> User:
    """Remove the user's authenticator app and recovery codes (a lost phone): staff enrol again at
    their next sign-in."""
    user = _target(actor, user_id)
    second_factor.remove_devices(user)
    events.second_factor_reset_event(user=user, actor=actor)
    return user
