"""Sign-in lock-out, on django-axes: after LOGIN_FAILURE_LIMIT failed attempts for one user name,
or LOGIN_FAILURE_LIMIT_PER_ADDRESS from one address (cases.infra.client_address.client_ip), within
LOGIN_FAILURE_WINDOW_MINUTES, every further attempt is refused — even with the right password —
until the window has passed since the last failure, or the security administrator lifts it
(`unlock`, from the user admin; or the sign-in failures list).

axes sits in front of every way in (the sign-in page, the admin's): its backend refuses before any
password is checked and its middleware answers with `lockout_response`. axes has one failure
limit; `LockoutHandler` holds each of its two counters (user name, address) to its own limit.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _


def username(request, credentials=None) -> str:
    """The user name as counted: whatever its case or surrounding blanks."""
    data = credentials if credentials is not None else request.POST
    return (data.get(settings.AXES_USERNAME_FORM_FIELD) or "").strip().lower()


class LockoutHandler(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS is ["username", "ip_address"]: their counts are held to
    LOGIN_FAILURE_LIMIT and LOGIN_FAILURE_LIMIT_PER_ADDRESS. The answer is in units of
    AXES_FAILURE_LIMIT (= LOGIN_FAILURE_LIMIT): that limit when either counter is at its own."""

    def get_failures(self, request, credentials=None) -> int:
        limits = (settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS)
        counts = [
            sum(attempts.values_list("failures_since_start", flat=True))
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if any(count >= limit for count, limit in zip(counts, limits, strict=True)):
            return settings.AXES_FAILURE_LIMIT
        return min(counts[0], settings.AXES_FAILURE_LIMIT - 1)


def locked_message() -> str:
    return _("Too many failed sign-in attempts. Sign-in is paused for %(minutes)d minutes; try again then.") % {
        "minutes": settings.LOGIN_FAILURE_WINDOW_MINUTES
    }


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again (the admin's sign-in too), 429, saying why."""
    context = {"form": AuthenticationForm(request), "throttled": locked_message(), "next": request.GET.get("next", "")}
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
