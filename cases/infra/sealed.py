"""Channel secrets sealed at rest: a copy of the database (a backup, a dump handed to a vendor)
does not give away the keys that sign the channels' work orders.

An HMAC key cannot be hashed like a password: the server needs the secret itself to check a
signature. So it is encrypted (Fernet, from the cryptography package) with a key derived from
Django's SECRET_KEY, and SECRET_KEY_FALLBACKS still open what older keys sealed: the secret key
is rotated the way Django's own signing is. The field gives and takes the plain secret; only the
column holds the sealed one.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.functions import Cast

PREFIX = "sealed:"


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"chengxin channel secrets\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    return MultiFernet([_fernet(key) for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)])


def seal(text: str) -> str:
    return PREFIX + _keys().encrypt(text.encode()).decode()


def unseal(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # kept before secrets were sealed; sealed when next saved
    try:
        return _keys().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A sealed secret (a channel's signing secret, a key passphrase) was sealed with a SECRET_KEY "
            "that is neither SECRET_KEY nor in SECRET_KEY_FALLBACKS."
        ) from exc


class SealedCharField(models.CharField):
    """A CharField whose value is sealed in the column (a text column: the sealed form is longer)."""

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def from_db_value(self, value, expression, connection):
        return value if value is None else unseal(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else seal(value)


def sealed_with_current_key(stored: str) -> bool:
    """Whether `stored` is sealed, and with SECRET_KEY itself (not a fallback)."""
    if not stored.startswith(PREFIX):
        return False
    try:
        _fernet(settings.SECRET_KEY).decrypt(stored.removeprefix(PREFIX).encode())
    except InvalidToken:
        return False
    return True


def sealed_columns():
    """Every (model, field) that keeps sealed values."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, SealedCharField):
                yield model, field


def stored_values(model, field):
    """(pk, the column's value as stored) of every row with a value in `field`."""
    raw = Cast(field.attname, models.TextField())
    return model._default_manager.exclude(**{field.attname: ""}).annotate(stored=raw).values_list("pk", "stored")


def reseal(model, field, pk, stored: str) -> None:
    """The row's value sealed again, under SECRET_KEY (opened with whichever key sealed it)."""
    model._default_manager.filter(pk=pk).update(**{field.attname: unseal(stored)})
