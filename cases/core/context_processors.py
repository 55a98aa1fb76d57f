from django.conf import settings
from django.utils.functional import SimpleLazyObject

from cases.core import permissions, workdays


def platform_login(request):
    """Whether the sign-in pages offer the province's unified identity platform."""
    return {"platform_login_enabled": settings.OIDC_ENABLED}


def calendar_warnings(request):
    """Years whose official holiday schedule is missing, for admins and supervisors only.

    Lazy, so pages that never show the banner never run the query.
    """
    user = getattr(request, "user", None)
    if user is None or not permissions.can_see_calendar_warnings(user):
        return {"calendar_missing_years": []}
    return {"calendar_missing_years": SimpleLazyObject(workdays.missing_calendar_years)}
