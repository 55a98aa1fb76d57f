"""Pushing complaint status changes back to the channel that sent the complaint (its callback URL),
through an outbox row written with the change, sent after commit and retried on the shared outbox's
schedule (cases/infra/outbox.py) until it lands or becomes a dead letter.

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

from django.utils import timezone

from cases.complaints import intake as complaint_intake
from cases.complaints.models import Channel, ChannelCallback, Complaint
from cases.infra import outbox

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5
# The task keeps its name from before the sub-apps: a message already queued names it.
PUSH_TASK = "cases.tasks.push_channel_callback"


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
    outbox.queue_task_on_commit(PUSH_TASK, callback.pk)
    return callback


def _send(callback: ChannelCallback) -> None:
    channel = callback.complaint.channel
    body = json.dumps(callback.payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        channel.callback_url, data=body, method="POST", headers=signed_headers(channel, body)
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        response.read()
    callback.sent_at = timezone.now()


OUTBOX_KIND = outbox.OutboxKind(
    name="channel_callback",
    model=ChannelCallback,
    send=_send,
    sent_fields=("sent_at",),
    select_related=("complaint__channel",),
)


def push(callback_id: int) -> bool:
    """Send one callback now. True if the channel took it."""
    return outbox.deliver(OUTBOX_KIND.name, callback_id) == outbox.SENT


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


def retry_pending(limit: int | None = None) -> int:
    """The callbacks due again. Returns how many were tried."""
    return outbox.redeliver(OUTBOX_KIND.name, limit)
