"""Pushing complaint status changes back to the channel that sent the complaint (its callback URL),
through an outbox row written with the change, sent after commit and retried until it lands."""

import json
import logging
import time
import urllib.request

from django.db import transaction
from django.utils import timezone

from cases.complaint_intake import signature
from cases.models import ChannelCallback, Complaint

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
    from cases.tasks import push_channel_callback

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
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            channel.callback_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "X-Channel": channel.code, "X-Timestamp": timestamp,
                     "X-Signature": signature(channel.secret, timestamp, body)},
        )  # fmt: skip
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


def retry_pending(limit: int = 500) -> int:
    ids = (
        ChannelCallback.objects.filter(sent_at=None, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(push(pk) for pk in ids)
