"""Helpers for tests that verify an account's identity the way an applicant does."""

import re

from notifications.models import SmsMessage


def last_code_sent_to(phone: str) -> str:
    text = SmsMessage.objects.filter(phone=phone).order_by("-id").values_list("text", flat=True).first()
    assert text, f"no text message to {phone}"
    return re.search(r"\d{6}", text).group()


def verify_by_text_message(client, phone: str):
    """Ask for a code to the number on record, read it from the local gateway, type it in."""
    assert client.post("/identity/code/").status_code == 302
    response = client.post("/identity/verify/", {"code": last_code_sent_to(phone)})
    assert response.status_code == 302 and response["Location"] == "/my/records/", response
    return response
