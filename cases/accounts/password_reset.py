"""A new password by a code sent in a text message to the account's own mobile number (the other
way is Django's e-mail link). Only the code's keyed hash is kept; it expires after
IDENTITY_CODE_MINUTES, dies after IDENTITY_CODE_ATTEMPTS wrong tries, and an account gets at most
IDENTITY_CODE_SENDS_PER_HOUR codes an hour. Whether a user name and number match an account is
never told: the page answers the same either way."""

import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cases.core import events, masking
from cases.core.models import PasswordResetCode, User
from notifications import sms

CODE_SALT = "cases.accounts.password-reset-code"


def _code_hash(code: str) -> str:
    return salted_hmac(CODE_SALT, code, algorithm="sha256").hexdigest()


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def account_for(username: str, phone: str):
    """The active account with this user name whose mobile number is this one, or None."""
    user = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if user is None or not user.phone or _digits(user.phone) != _digits(phone):
        return None
    return user


@transaction.atomic
def send_reset_code(*, username: str, phone: str) -> bool:
    """Text a fresh code when the user name and number match an account; False when nothing was
    sent (no such account, or too many codes in the last hour)."""
    user = account_for(username, phone)
    if user is None:
        return False
    user = User.objects.select_for_update().get(pk=user.pk)  # one send at a time per account
    now = timezone.now()
    sent = PasswordResetCode.objects.filter(user=user, created_at__gte=now - timedelta(hours=1)).count()
    if sent >= settings.IDENTITY_CODE_SENDS_PER_HOUR:
        return False
    PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)  # only the latest counts
    code = f"{secrets.randbelow(10**6):06d}"
    PasswordResetCode.objects.create(
        user=user, phone=user.phone, code_hash=_code_hash(code), created_at=now,
        expires_at=now + timedelta(minutes=settings.IDENTITY_CODE_MINUTES),
    )  # fmt: skip
    sms.get_backend().send(
        user.phone,
        _("Chengxin code %(code)s to set a new password for account %(username)s. Valid for %(minutes)d minutes. "
          "If you did not ask for it, ignore this message.")
        % {"code": code, "username": user.username, "minutes": settings.IDENTITY_CODE_MINUTES},
    )  # fmt: skip
    events.password_code_sent_event(user=user, phone_masked=masking.mask_phone(user.phone))
    return True


@transaction.atomic
def check_reset_code(*, username: str, code: str):
    """The account when the code is right (the code is then used up); otherwise one of
    "expired", "exhausted", "wrong". A wrong try is counted before the answer."""
    user = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    pending = None
    if user is not None:
        pending = (
            PasswordResetCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
    now = timezone.now()
    if pending is None or pending.expires_at <= now:
        return "expired"
    if pending.attempts >= settings.IDENTITY_CODE_ATTEMPTS:
        return "exhausted"
    if not hmac.compare_digest(pending.code_hash, _code_hash((code or "").strip())):
        pending.attempts += 1
        pending.save(update_fields=["attempts"])
        return "exhausted" if pending.attempts >= settings.IDENTITY_CODE_ATTEMPTS else "wrong"
    pending.used_at = now
    pending.save(update_fields=["used_at"])
    return user


@transaction.atomic
def set_new_password(*, form, method: str) -> User:
    """Save the new password of a SetPasswordForm whose user proved the code ("sms") or came by
    the e-mail link ("email"); on the audit trail."""
    form.user = User.objects.select_for_update().get(pk=form.user.pk)
    user = form.save()
    events.password_reset_event(user=user, method=method)
    return user
