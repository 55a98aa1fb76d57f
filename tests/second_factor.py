"""Signing people in for tests. Staff pass a second factor before any page (cases/second_factor.py):
`force_login_verified` signs in and marks the session verified with a test authenticator app, as
the real verification step would. tests/conftest.py makes it what `Client.force_login` does for
the whole suite; tests of the step itself use `force_login_password_only`."""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.accounts import second_factor

_force_login = Client.force_login


def force_login_password_only(client, user, backend=None):
    """Signed in with the password only: the second step still to pass."""
    _force_login(client, user, backend)


def enrolled_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test authenticator app", confirmed=True)


def force_login_verified(client, user, backend=None):
    """Signed in with the password and, where the person needs one, the second factor."""
    _force_login(client, user, backend)
    if second_factor.required_for(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = enrolled_device(user).persistent_id
        session.save()


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now, or the next one if now's was used (each is taken once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step  # within the tolerance of one step
    return f"{totp.token():0{device.digits}d}"
