"""The national credit site (信用中国) is outside this network: repairs and revocations go out
through this interface. The default gateway records what would be sent and returns a local
receipt; a real one is a class with `send(payload: dict) -> str` (the receipt) that raises on
failure, named in the NATIONAL_SITE_GATEWAY setting."""

import logging
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class RecordingGateway:
    def send(self, payload: dict) -> str:
        receipt = f"LOCAL-{uuid.uuid4().hex[:12]}"
        logger.info("national site sync recorded", extra={"receipt": receipt, "payload": payload})
        return receipt


def gateway():
    return import_string(settings.NATIONAL_SITE_GATEWAY)()
