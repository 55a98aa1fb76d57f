"""The second factor at sign-in (django-otp): a TOTP authenticator app, with single-use recovery
codes (django-otp's static tokens) for a lost phone.

Staff (every role but the applicant's, cases.core.roles.is_staff_member) must use it: after the
password, `SecondFactorMiddleware` sends them to enrolment (no device yet) or to the verification
step before any other page, the admin included. Applicants may turn it on from their account page;
once they have, their sign-in asks for it too. The security administrator resets a lost device
(cases.accounts.staff_accounts.reset_second_factor); the person enrols again at the next sign-in.
"""

from io import BytesIO
from urllib.parse import urlencode

import django_otp
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.core.roles import is_staff_member

RECOVERY_CODES = 10
APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"


def required_for(user) -> bool:
    """Must this signed-in person pass the second step before seeing pages?"""
    return is_staff_member(user) or user_has_device(user)


def must_enrol(user) -> bool:
    return is_staff_member(user) and not user_has_device(user)


def pending_device(user) -> TOTPDevice:
    """The app being set up: made once, kept unconfirmed until a code from it is typed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=APP_DEVICE_NAME).first()
    return device or TOTPDevice.objects.create(user=user, confirmed=False, name=APP_DEVICE_NAME)


@transaction.atomic
def confirm_enrolment(request, token: str) -> list[str] | None:
    """Confirm the pending app with a code from it: the session is verified and the recovery codes
    are made, returned this once (only they are shown). None if the code is wrong."""
    user = request.user
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False, name=APP_DEVICE_NAME).first()
    if device is None or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one app at a time
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(user)
    passed(request, device)
    return codes


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def verify(request, token: str) -> bool:
    """A code from the app, or one of the recovery codes (used up by this). Each device counts its
    failures and waits longer after each (django-otp's throttling)."""
    token = (token or "").strip().replace(" ", "").lower()
    if not token:
        return False
    with transaction.atomic():  # the devices are read FOR UPDATE: one verification at a time
        for device in devices_for_user(request.user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                passed(request, device)
                return True
    return False


def passed(request, device) -> None:
    """The session is verified; a staff session also ends when the browser closes (a shared office
    computer), within SESSION_COOKIE_AGE in any case."""
    django_otp.login(request, device)
    if is_staff_member(request.user):
        request.session.set_expiry(0)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def remove_devices(user) -> int:
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    return removed


def qr_svg(device: TOTPDevice) -> str:
    from django_otp.qr import write_qrcode_image

    out = BytesIO()
    write_qrcode_image(device.config_url, out)
    return out.getvalue().decode()


def secret_base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


# Pages a signed-in person reaches before the second step: the step itself, signing out, the
# language switch, static files and the health check.
_OPEN_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/", "/healthz")


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware: a signed-in person who needs the second step and has not
    passed it gets only the open pages; every other request is sent to the step (pages) or
    refused (the API: 403 with a JSON body)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PATHS)
            and required_for(user)
        ):
            if request.path.startswith("/api/"):
                message = _("Finish signing in with your second factor first.")
                return JsonResponse({"error": "second_factor_required", "message": message}, status=403)
            step = "two-factor-enrol" if must_enrol(user) else "two-factor-verify"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def session_verified(user, session) -> bool:
    """For a websocket's scope: has this session passed the step the person needs?"""
    if not required_for(user):
        return True
    device_id = session.get(django_otp.DEVICE_ID_SESSION_KEY) if session is not None else None
    device = Device.from_persistent_id(device_id) if device_id else None
    return device is not None and device.confirmed and device.user_id == user.pk


class SecondFactorWebsocketMiddleware:
    """Inside Channels' AuthMiddlewareStack (config/asgi.py): the socket of a person who has not
    passed the second step they need is anonymous, which the consumer closes."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        authenticated = user is not None and user.is_authenticated
        if authenticated and not await database_sync_to_async(session_verified)(user, scope.get("session")):
            scope = dict(scope, user=AnonymousUser())
        return await self.inner(scope, receive, send)
