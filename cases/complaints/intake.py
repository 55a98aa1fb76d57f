"""Complaints arriving from the channels' systems: signed requests, kept once per reference as
work orders whose cases the intake worker opens (complaint_building)."""

import datetime
import hashlib
import hmac
import json
import re
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.complaints import building as complaint_building
from cases.complaints import channel_nonces
from cases.complaints import services as complaint_services
from cases.complaints.models import Channel, Complaint, WorkOrder
from cases.core.exceptions import InvalidInput, Unauthenticated

REPLAY_WINDOW_SECONDS = 300
FIELDS = ("reference", "complainant_name", "complainant_phone", "enterprise_name", "enterprise_uscc", "respondent",
          "subject", "facts")  # fmt: skip

# What each header may be: anything else is refused (401) before it reaches a comparison, a number
# or the database. All ASCII: \d and \w would take other scripts' digits and letters.
_CHANNEL_CODE = re.compile(r"[-a-zA-Z0-9_]{1,30}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
NONCE_MAX_LENGTH = 64
MAX_JSON_DEPTH = 20


def signing_string(*, timestamp: str, nonce: str, method: str, path: str, body: bytes) -> bytes:
    """What signature version 2 signs: five lines, the last the SHA-256 of the raw body."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([timestamp, nonce, method.upper(), path, digest]).encode()


def signature(secret: str, *, timestamp: str, nonce: str, method: str, path: str, body: bytes) -> str:
    """Signature version 2, what a channel sends in X-Signature with X-Nonce: hex HMAC-SHA256 of
    "<timestamp>\\n<nonce>\\n<METHOD>\\n<path with query>\\n<sha256 hex of body>". It binds the request
    to its method and path (a signed feedback cannot be replayed on another complaint's URL) and,
    through the nonce, to one use."""
    message = signing_string(timestamp=timestamp, nonce=nonce, method=method, path=path, body=body)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def legacy_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Signature version 1: hex HMAC-SHA256 over "<timestamp>.<body>". Taken only from a channel
    whose legacy switch is on, until its end date (Channel.accepts_legacy)."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(secret: str, *, code: str, method: str, path: str, query_string: str = "", body: bytes = b"",
                   timestamp: str | None = None, nonce: str | None = None) -> dict[str, str]:  # fmt: skip
    """The headers that sign a request with version 2 (X-Channel, X-Timestamp, X-Nonce, X-Signature),
    with a new nonce and the current time unless given: how a channel's system signs (see the README),
    and how we sign our callbacks to it. `path` percent-decoded, as in signed_path."""
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    nonce = uuid.uuid4().hex if nonce is None else nonce
    sign = signature(secret, timestamp=timestamp, nonce=nonce, method=method, path=signed_path(path, query_string),
                     body=body)  # fmt: skip
    return {"X-Channel": code, "X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": sign}


def signed_path(path: str, query_string: str = "") -> str:
    """The path a signature covers: the request's path, percent-decoded once (`path` is given so:
    what Django and the ASGI scope hold, and what the URL routes on), then "?" and the query
    string exactly as sent, if there is one."""
    return f"{path}?{query_string}" if query_string else path


@dataclass(frozen=True)
class SignedRequest:
    """What the signature check reads of a request, from Django's request or an ASGI scope."""

    channel: str
    timestamp: str
    nonce: str | None  # None: no X-Nonce header, a version-1 signature
    signature: str
    method: str
    path: str
    body: bytes

    @classmethod
    def of(cls, request) -> "SignedRequest":
        headers = request.headers
        return cls(channel=headers.get("X-Channel", ""), timestamp=headers.get("X-Timestamp", ""),
                   nonce=headers.get("X-Nonce"), signature=headers.get("X-Signature", ""), method=request.method,
                   path=signed_path(request.path, request.META.get("QUERY_STRING", "")),
                   body=request.body)  # fmt: skip

    @classmethod
    def of_scope(cls, scope, headers: dict[str, str], body: bytes) -> "SignedRequest":
        """`headers`: the scope's headers as text, names in lower case."""
        query = scope.get("query_string", b"").decode("latin1")
        return cls(channel=headers.get("x-channel", ""), timestamp=headers.get("x-timestamp", ""),
                   nonce=headers.get("x-nonce"), signature=headers.get("x-signature", ""), method=scope["method"],
                   path=signed_path(scope["path"], query), body=body)  # fmt: skip


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


def authenticate(signed: SignedRequest, now=None) -> Channel:
    """The channel that signed the request; Unauthenticated (401) for anything else, a nonce used
    before included. A version-2 nonce is spent here, once the signature is found good."""
    channel = _channel_named(signed.channel) if _CHANNEL_CODE.fullmatch(signed.channel) else None
    nonce = verify(channel, signed, now=now)
    if nonce is not None and not channel_nonces.claim(channel, nonce, seconds=nonce_lifetime(signed, now)):
        raise Unauthenticated(_("This X-Nonce was used before: sign each request with a new one."))
    return channel


def nonce_lifetime(signed: SignedRequest, now=None) -> int:
    """Seconds a nonce must be kept: until its request falls out of the replay window."""
    return max(1, int(int(signed.timestamp) + REPLAY_WINDOW_SECONDS - (now or time.time())) + 1)


def verify(channel: Channel | None, signed: SignedRequest, now=None) -> str | None:
    """Raise Unauthenticated unless `channel` is active, the request is recent and its signature
    is the channel's; return the nonce to spend (None for a version-1 signature). Reads nothing
    but its arguments: the quick way runs it on the event loop."""
    if channel is None or not channel.active:
        raise Unauthenticated(_("Unknown or inactive channel."))
    if not _TIMESTAMP.fullmatch(signed.timestamp):
        raise Unauthenticated(_("X-Timestamp must be the Unix time in seconds."))
    if abs((now or time.time()) - int(signed.timestamp)) > REPLAY_WINDOW_SECONDS:
        raise Unauthenticated(_("The request is older than 5 minutes (or from the future): refused as a replay."))
    if not _SIGNATURE.fullmatch(signed.signature):
        raise Unauthenticated(_("X-Signature must be 64 hexadecimal digits (HMAC-SHA256)."))
    if signed.nonce is None:
        _verify_legacy(channel, signed, now)
    else:
        _verify_v2(channel, signed)
    if not channel.usable():  # said only to whoever holds the secret
        raise Unauthenticated(
            _("This channel's key expired at %(when)s. Ask the office for a new key.")
            % {"when": timezone.localtime(channel.expires_at).strftime("%Y-%m-%d %H:%M")}
        )
    return signed.nonce


def _verify_v2(channel: Channel, signed: SignedRequest) -> None:
    nonce = signed.nonce
    if not nonce:
        raise Unauthenticated(_("X-Nonce is empty: sign each request with a new random nonce."))
    if len(nonce) > NONCE_MAX_LENGTH:
        raise Unauthenticated(_("X-Nonce is too long: at most 64 characters."))
    if not _NONCE.fullmatch(nonce):
        raise Unauthenticated(_("X-Nonce must be 16 to 64 letters, digits, '-' or '_'."))
    given = signed.signature.lower()
    if not any(
        hmac.compare_digest(given, signature(secret, timestamp=signed.timestamp, nonce=nonce, method=signed.method,
                                             path=signed.path, body=signed.body))
        for secret in channel.secrets()
    ):  # fmt: skip
        raise Unauthenticated(_("The signature does not match the request."))


def _verify_legacy(channel: Channel, signed: SignedRequest, now) -> None:
    if not channel.accepts_legacy_signatures:
        raise Unauthenticated(_("X-Nonce is missing: this channel signs its requests with signature version 2."))
    given = signed.signature.lower()
    if not any(hmac.compare_digest(given, legacy_signature(secret, signed.timestamp, signed.body))
               for secret in channel.secrets()):  # fmt: skip
        raise Unauthenticated(_("The signature does not match the request."))
    at = timezone.now() if now is None else datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
    if not channel.accepts_legacy(at):  # said only to whoever holds the secret
        raise Unauthenticated(
            _("Signature version 1 is refused from this channel since %(when)s: sign with version 2 (X-Nonce).")
            % {"when": timezone.localtime(channel.legacy_signatures_until).strftime("%Y-%m-%d %H:%M")}
        )


def read_json(body: bytes):
    """A request body as JSON (an empty body as {}); InvalidInput (400) if it is not JSON in UTF-8,
    or nested deeper than MAX_JSON_DEPTH (no work order or feedback needs more than 2)."""
    try:
        data = json.loads(body.decode("utf-8") if body else "{}")
    except UnicodeDecodeError as exc:
        raise InvalidInput(details={"body": [_("The body must be JSON encoded in UTF-8.")]}) from exc
    except RecursionError as exc:
        raise InvalidInput(details={"body": [_("The JSON is nested too deeply.")]}) from exc
    except ValueError as exc:
        raise InvalidInput(details={"body": ["not JSON"]}) from exc
    if not _nested_at_most(data, MAX_JSON_DEPTH):
        raise InvalidInput(details={"body": [_("The JSON is nested too deeply.")]})
    return data


def _nested_at_most(data, depth: int) -> bool:
    waiting = [(data, 1)]
    while waiting:
        value, level = waiting.pop()
        if isinstance(value, dict | list):
            if level > depth:
                return False
            waiting.extend((item, level + 1) for item in (value.values() if isinstance(value, dict) else value))
    return True


def payload_of(data: dict) -> dict:
    """The validated fields as JSON: amounts as strings, the filing portal user as an id."""
    payload = {key: data.get(key, "") for key in FIELDS}
    if data.get("complainant_email"):  # given on the portal's form only
        payload["complainant_email"] = data["complainant_email"]
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


def accept_with_evidence(*, channel: Channel, data: dict, evidence: list) -> tuple[WorkOrder, bool]:
    """A work order sent with evidence files (checked: complaint_services.evidence_checked): its case
    is opened at once and the files kept with it, all in one transaction. Sent before, the first
    work order is returned and the files are not kept again."""
    kept = []
    try:
        with transaction.atomic():
            complaint, created = receive(channel=channel, data=data)
            if created:
                kept = complaint_services.attach_sent_evidence(complaint_id=complaint.pk, checked=evidence,
                                                               channel_code=channel.code)  # fmt: skip
    except Exception:
        complaint_services.forget_files(kept)  # their rows are rolled back: the files go too
        raise
    return work_order(channel, data["reference"]), created


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
