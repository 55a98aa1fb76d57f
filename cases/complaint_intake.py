"""Complaints arriving from the channels' systems: signed requests, kept once per reference as
work orders whose cases the intake worker opens (complaint_building)."""

import hashlib
import hmac
import time
from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import complaint_building
from cases.exceptions import Unauthenticated
from cases.models import Channel, Complaint, WorkOrder

REPLAY_WINDOW_SECONDS = 300
FIELDS = ("reference", "complainant_name", "complainant_phone", "enterprise_name", "enterprise_uscc", "respondent",
          "subject", "facts")  # fmt: skip


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over "<timestamp>.<body>" — what a channel sends in X-Signature."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


# Every signed request looks its channel up, and channels change seldom: each process keeps them
# for CHANNEL_CACHE_SECONDS. A change saved in this process is seen at once, in the others within
# that time (a key revoked in the admin stops working within seconds).
_channels: dict[str, tuple[float, Channel | None]] = {}
_KEPT_CHANNELS_AT_MOST = 1000  # codes sent by strangers must not grow it without end


def _fresh(kept: tuple[float, Channel | None] | None) -> bool:
    return kept is not None and time.monotonic() - kept[0] < settings.CHANNEL_CACHE_SECONDS


def _channel_named(code: str) -> Channel | None:
    if _fresh(kept := _channels.get(code)):
        return kept[1]
    channel = Channel.objects.filter(code=code).first()
    if len(_channels) >= _KEPT_CHANNELS_AT_MOST:
        _channels.clear()
    _channels[code] = (time.monotonic(), channel)
    return channel


@receiver(post_save, sender=Channel)
@receiver(post_delete, sender=Channel)
def _forget_channels(**kwargs) -> None:
    _channels.clear()


def kept_channel(code: str) -> Channel | None:
    """The channel as this process keeps it, without asking the database; None if it is not kept
    (or no longer fresh)."""
    kept = _channels.get(code)
    return kept[1] if _fresh(kept) else None


def authenticate(*, channel_code: str, timestamp: str, given_signature: str, body: bytes, now=None) -> Channel:
    channel = _channel_named(channel_code)
    verify(channel, timestamp=timestamp, given_signature=given_signature, body=body, now=now)
    return channel


def verify(channel: Channel | None, *, timestamp: str, given_signature: str, body: bytes, now=None) -> None:
    """Raise Unauthenticated unless `channel` is active, the request is recent and its signature
    is the channel's."""
    if channel is None or not channel.active:
        raise Unauthenticated(_("Unknown or inactive channel."))
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError) as exc:
        raise Unauthenticated(_("X-Timestamp must be the Unix time in seconds.")) from exc
    if abs((now or time.time()) - sent_at) > REPLAY_WINDOW_SECONDS:
        raise Unauthenticated(_("The request is older than 5 minutes (or from the future): refused as a replay."))
    expected = signature(channel.secret, timestamp, body)
    if not hmac.compare_digest(expected, (given_signature or "").lower()):
        raise Unauthenticated(_("The signature does not match the request."))
    if not channel.usable():  # said only to whoever holds the secret
        raise Unauthenticated(
            _("This channel's key expired at %(when)s. Ask the office for a new key.")
            % {"when": timezone.localtime(channel.expires_at).strftime("%Y-%m-%d %H:%M")}
        )


def payload_of(data: dict) -> dict:
    """The validated fields as JSON: amounts as strings, the filing portal user as an id."""
    payload = {key: data.get(key, "") for key in FIELDS}
    amount = data.get("amount_claimed")
    payload["amount_claimed"] = None if amount in (None, "") else str(amount)
    complainant = data.get("complainant")
    payload["complainant_id"] = getattr(complainant, "pk", complainant)
    return payload


def work_order(channel: Channel, reference: str) -> WorkOrder | None:
    """The channel's work order with this reference, with its complaint and case if opened."""
    return WorkOrder.objects.select_related("complaint__case").filter(channel=channel, reference=reference).first()


def accept(*, channel: Channel, data: dict, open_later: bool = True) -> tuple[WorkOrder, bool]:
    """Keep a validated work order; the same (channel, reference) again returns the first one.
    Its case is opened by the intake worker, scheduled once this commits (unless `open_later`
    is False: the caller opens it in its own transaction)."""
    order = WorkOrder(channel=channel, reference=data["reference"], payload=payload_of(data))
    try:
        # Outside a transaction the INSERT commits on its own: one round trip, not three.
        with transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext():
            order.save(force_insert=True)
    except IntegrityError:  # sent before, or at the same moment: the other request keeps it
        return work_order(channel, data["reference"]), False
    if open_later:
        transaction.on_commit(complaint_building.schedule_worker)
    return order, True


@transaction.atomic
def receive(*, channel: Channel, data: dict) -> tuple[Complaint, bool]:
    """A complaint filed on the portal or entered at the counter: its case is opened at once."""
    order, created = accept(channel=channel, data=data, open_later=False)
    if created:  # no one else sees the order before this commits
        return complaint_building.open_complaints([order])[0], True
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("channel").get(pk=order.pk)
    if order.waiting:  # sent before, its case not opened yet: opened here, the worker skips it
        return complaint_building.open_complaints([order])[0], False
    return Complaint.objects.select_related("case").get(pk=order.complaint_id), False
