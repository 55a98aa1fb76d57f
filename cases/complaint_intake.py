"""Complaints arriving from the channels' systems: signed requests, received once per reference."""

import hashlib
import hmac
import time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events, policies, services
from cases.exceptions import Unauthenticated
from cases.models import Case, Channel, Complaint, Department, User
from cases.roles import Role
from cases.states import ComplaintStatus
from notifications import services as notification_services

REPLAY_WINDOW_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over "<timestamp>.<body>" — what a channel sends in X-Signature."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def authenticate(*, channel_code: str, timestamp: str, given_signature: str, body: bytes, now=None) -> Channel:
    channel = Channel.objects.filter(code=channel_code).first()
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
    return channel


def receive(*, channel: Channel, data: dict) -> tuple[Complaint, bool]:
    """Register a validated work order; the same (channel, reference) again returns the first one."""
    existing = _existing(channel, data["reference"])
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return _create(channel, data), True
    except IntegrityError:  # the same work order at the same moment: the other request made it
        return _existing(channel, data["reference"]), False


def _existing(channel: Channel, reference: str) -> Complaint | None:
    return Complaint.objects.select_related("case").filter(channel=channel, channel_reference=reference).first()


def _portal_user(uscc: str):
    """The enterprise's own portal account, if it has one: it follows and confirms the complaint."""
    return User.objects.filter(entity_kind="enterprise", id_number=uscc, is_active=True).order_by("pk").first()


def _title(text: str) -> str:
    """The case's title, cut to the column (a respondent may take all of its own 200 characters)."""
    limit = Case._meta.get_field("title").max_length
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _create(channel: Channel, data: dict) -> Complaint:
    data = {**data, "complainant": data.get("complainant") or _portal_user(data["enterprise_uscc"])}
    subjects = {item["code"]: item["name"] for item in policies.choices("complaint", "subjects")}
    intake_unit = Department.objects.filter(is_supervising_unit=True).first()
    case = services.open_case(
        kind="complaint",
        title=_title(f"{subjects.get(data['subject'], data['subject'])}：{data['respondent']}"),
        actor=data.get("complainant"),
        applicant=data.get("complainant"),
        department=intake_unit,
        state=ComplaintStatus.RECEIVED,
    )
    complaint = Complaint.objects.create(
        case=case,
        channel=channel,
        channel_reference=data["reference"],
        complainant=data.get("complainant"),
        complainant_name=data["complainant_name"],
        complainant_phone=data.get("complainant_phone", ""),
        enterprise_name=data["enterprise_name"],
        enterprise_uscc=data["enterprise_uscc"],
        respondent=data["respondent"],
        subject=data["subject"],
        facts=data["facts"],
        amount_claimed=data.get("amount_claimed"),
    )
    services.copy_complaint_facts(complaint)
    events.record(subject=case, event_type="complaint.received", channel=channel.code,
                  channel_reference=data["reference"])  # fmt: skip
    if intake_unit is not None:
        services.start_deadline(case=case, step="complaint.register", label=_("Registration"),
                                policy_key="register_within", department=intake_unit)  # fmt: skip
    clerks = User.objects.filter(groups__name=Role.INTAKE_CLERK, is_active=True).values_list("pk", flat=True)
    notification_services.notify(
        list(clerks),
        kind="complaint.received",
        title=_("New complaint %(number)s from %(channel)s") % {"number": case.number, "channel": channel.name},
        body=case.title,
        case=case,
    )
    return complaint
