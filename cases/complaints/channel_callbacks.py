"""Pushing complaint status changes back to the channel that sent the complaint (its callback URL),
through an outbox row written with the change, sent after commit and retried until it lands.

Each push is signed as the channel signs its own requests to us. Signature version 2 (X-Nonce, and
the signature over the timestamp, nonce, POST, the callback URL's path with its query and the
body's SHA-256) is always sent, in X-Signature-V2. X-Signature carries what the channel's
receiver checks today, version 1 ("<timestamp>.<body>"), for as long as the channel's legacy
switch is on (Channel.accepts_legacy), and version 2 after: a receiver that has moved checks
X-Signature-V2 (or X-Signature once its legacy date has passed), one that has not keeps working
until that date.
"""

import json
import logging
import urllib.request
from urllib.parse import unquote, urlsplit

from django.db import transaction
from django.utils import timezone

from cases.complaints import intake as complaint_intake
from cases.complaints.models import Channel, ChannelCallback, Complaint

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 20


def queue(complaint: Complaint) -> ChannelCallback | None:
    """Called inside the transaction of a status change."""
    if not complaint.channel.callback_url:
        return None
    callback = ChannelCallback.objects.create(
        complaint=complaint,
        payload={
            "reference": complaint.channel_reference,
            "number": complaint.case.number,
            "status": complaint.case.state,
            "status_label": str(complaint.case.state_label),
            "changed_at": timezone.now().isoformat(),
        },
    )
    transaction.on_commit(lambda: _enqueue(callback.pk), robust=True)
    return callback


def _enqueue(callback_id: int) -> None:
    from cases.complaints.tasks import push_channel_callback

    try:
        push_channel_callback.apply_async(args=[callback_id], retry=False)
    except Exception:  # broker down: the periodic retry sends it
        logger.warning("could not queue channel callback %s; the periodic retry will send it", callback_id)


def push(callback_id: int) -> bool:
    with transaction.atomic():
        callback = (
            ChannelCallback.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("complaint__channel")
            .filter(pk=callback_id, sent_at=None)
            .first()
        )
        if callback is None:
            return False
        channel = callback.complaint.channel
        body = json.dumps(callback.payload, ensure_ascii=False).encode()
        request = urllib.request.Request(
            channel.callback_url, data=body, method="POST", headers=signed_headers(channel, body)
        )
        callback.attempts += 1
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                response.read()
        except Exception as exc:  # any failure to deliver is recorded and retried
            callback.last_error = f"{exc.__class__.__name__}: {exc}"[:300]
            callback.save(update_fields=["attempts", "last_error"])
            return False
        callback.sent_at = timezone.now()
        callback.save(update_fields=["attempts", "sent_at"])
        return True


def signed_headers(channel: Channel, body: bytes) -> dict[str, str]:
    """The headers of a push of `body` to the channel's callback URL, signed (see the module)."""
    url = urlsplit(channel.callback_url)
    path = unquote(url.path) or "/"
    headers = complaint_intake.signed_headers(channel.secret, code=channel.code, method="POST", path=path,
                                              query_string=url.query, body=body)  # fmt: skip
    headers["X-Signature-V2"] = headers["X-Signature"]
    if channel.accepts_legacy():
        headers["X-Signature"] = complaint_intake.legacy_signature(channel.secret, headers["X-Timestamp"], body)
    return {"Content-Type": "application/json", **headers}


def retry_pending(limit: int = 500) -> int:
    ids = (
        ChannelCallback.objects.filter(sent_at=None, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(push(pk) for pk in ids)
