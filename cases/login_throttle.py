"""Sign-in throttling: after LOGIN_FAILURE_LIMIT failed attempts for one user name, or
LOGIN_FAILURE_LIMIT_PER_ADDRESS from one address, within LOGIN_FAILURE_WINDOW_MINUTES, every
further attempt is refused — even with the right password — until the window ends.

It sits in front of every way in (the sign-in page, the admin's): `LoginThrottle` is the first
authentication backend and refuses before any password is checked; failures are counted from
Django's `user_login_failed` signal (connected in CasesConfig.ready). The forms and the sign-in
page say why an attempt was refused.
"""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from cases import throttle

GROUP_USERNAME = "login-failures-username"
GROUP_ADDRESS = "login-failures-address"


def _username_key(username: str):
    normalised = (username or "").strip().lower()
    return lambda group, request: normalised


def _limits(username: str) -> list[dict]:
    minutes = settings.LOGIN_FAILURE_WINDOW_MINUTES
    return [
        {"group": GROUP_USERNAME, "key": _username_key(username), "limit": settings.LOGIN_FAILURE_LIMIT,
         "minutes": minutes},
        {"group": GROUP_ADDRESS, "key": "ip", "limit": settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS, "minutes": minutes},
    ]  # fmt: skip


def minutes_blocked(request, username: str) -> int:
    return max(throttle.blocked_for(request, **limit) for limit in _limits(username))


class LoginThrottle:
    """An authentication backend that authenticates nobody: it refuses the attempt outright while
    the user name or the address is throttled (Django then stops asking the other backends)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        minutes = minutes_blocked(request, username or kwargs.get("email", ""))
        if minutes:
            request.login_throttled_minutes = minutes
            raise PermissionDenied
        return None


def count_failed_login(sender, credentials, request=None, **kwargs):
    if request is None or getattr(request, "login_throttled_minutes", 0):
        return
    for limit in _limits(credentials.get("username", "")):
        throttle.count_failure(request, **limit)


def throttled_message(minutes: int) -> str:
    return _("Too many failed sign-in attempts. Sign-in is paused for %(minutes)d minutes; try again then.") % {
        "minutes": minutes
    }


class ThrottleAwareMixin:
    def get_invalid_login_error(self):
        minutes = getattr(self.request, "login_throttled_minutes", 0)
        if minutes:
            return ValidationError(throttled_message(minutes), code="throttled")
        return super().get_invalid_login_error()


class ThrottledAuthenticationForm(ThrottleAwareMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottleAwareMixin, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    """Django's sign-in page, answering 429 with the reason while attempts are refused."""

    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form):
        minutes = getattr(self.request, "login_throttled_minutes", 0)
        if not minutes:
            return super().form_invalid(form)
        context = self.get_context_data(form=form, throttled=throttled_message(minutes))
        return self.render_to_response(context, status=429)
