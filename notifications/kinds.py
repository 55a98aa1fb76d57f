"""Every kind of notification, who may turn which channel off, and the defaults.

Urgent kinds (supervision orders, escalation) always go live and by e-mail, whatever the
recipient's preferences say.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

LIVE, EMAIL, SMS = "live", "email", "sms"
CHANNELS = (LIVE, EMAIL, SMS)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    default_channels: tuple[str, ...]
    urgent: bool = False


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in [
        Kind("deadline.reminder", _("Reminder before a deadline"), (LIVE, EMAIL)),
        Kind("deadline.overdue", _("Supervision order for an overdue step"), (LIVE, EMAIL), urgent=True),
        Kind("deadline.escalated", _("District-level supervision"), (LIVE, EMAIL, SMS), urgent=True),
        Kind("supervision.issued", _("Supervision order issued by a supervisor"), (LIVE, EMAIL), urgent=True),
        Kind("supervision.answered", _("A department answered a supervision order"), (LIVE,)),
        Kind("record.registered", _("A credit record about you was published"), (LIVE, SMS)),
        Kind("record.repairable", _("A record about you can now be repaired"), (LIVE, SMS)),
        Kind("record.expired", _("A record about you is no longer displayed"), (LIVE, SMS)),
        Kind("complaint.received", _("A complaint arrived from a channel"), (LIVE,)),
        Kind("complaint.progress", _("A complaint moved on"), (LIVE, SMS)),
        Kind("repair.submitted", _("A credit-repair application arrived"), (LIVE, EMAIL)),
        Kind("repair.resubmitted", _("The applicant resubmitted materials after a one-time notice"), (LIVE, EMAIL)),
        Kind("repair.progress", _("Your credit-repair application moved on"), (LIVE, SMS)),
        Kind("repair.decision_proposed", _("A credit-repair decision awaits approval"), (LIVE, EMAIL)),
        Kind("repair.head_decided", _("The department head sent back your proposal or extension"), (LIVE, EMAIL)),
        Kind("objection.raised", _("A credit information objection arrived"), (LIVE, EMAIL)),
        Kind("objection.progress", _("Your credit information objection was decided"), (LIVE, SMS)),
        Kind("report.due", _("The half-year progress report falls due"), (LIVE, EMAIL)),
    ]
}


def register(kind: Kind) -> None:
    """Workflows add their own kinds (e.g. repair.accepted) at import time."""
    KINDS[kind.code] = kind


def channels_for(kind_code: str, preference=None) -> set[str]:
    kind = KINDS[kind_code]
    chosen = set(kind.default_channels) if preference is None else preference.channels()
    if kind.urgent:
        chosen |= {LIVE, EMAIL}
    return chosen
