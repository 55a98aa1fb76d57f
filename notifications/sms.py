"""The SMS gateway interface. The provider is outside this network: the default backend records
each message in the database (visible in the admin), the console backend logs it.

To plug in a real provider, write a class with `send(phone, text, notification=None) -> None`
that raises on failure (the outbox retries), and name it in the SMS_BACKEND setting.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DatabaseSmsBackend:
    def send(self, phone: str, text: str, notification=None) -> None:
        from notifications.models import SmsMessage

        SmsMessage.objects.create(phone=phone, text=text, notification=notification)


class ConsoleSmsBackend:
    def send(self, phone: str, text: str, notification=None) -> None:
        logger.info("SMS to %s: %s", phone, text)


def get_backend():
    return import_string(getattr(settings, "SMS_BACKEND", "notifications.sms.DatabaseSmsBackend"))()
