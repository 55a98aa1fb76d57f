"""Checks that services run before any write; they raise NotPermitted (403)."""

from cases.core.exceptions import NotPermitted


def require(actor, permission: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(permission):
        raise NotPermitted()


def can_see_calendar_warnings(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.has_perm("cases.manage_reference_data") or user.has_perm("cases.supervise_all_cases")
    )
