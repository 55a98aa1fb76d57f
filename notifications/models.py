"""The notifications' outbox: a Notification row is written in the same transaction as the change
that causes it, and delivered after commit (and again by the periodic re-delivery until every
channel is done or the row is a dead letter: cases/infra/outbox.py)."""

from django.conf import settings
from django.db import models
from django.db.models import JSONField, Q, Value
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.infra.outbox import OutboxRow, OutboxState
from notifications import phrases


class Notification(OutboxRow):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,  # notification_inbox leads with recipient
    )
    # Someone with no account here (a complainant who phoned 12345 or came to the counter) is
    # reached by text message at the number they gave: then there is no recipient.
    phone = models.CharField(_("mobile phone (no account)"), max_length=20, blank=True, default="", db_default="")
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("case"),
    )
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"))
    payload = models.JSONField(_("details"), default=dict, blank=True, db_default=Value({}, JSONField()))
    # The title and body as what to say ({"title": ..., "body": ...}, notifications/phrases.py),
    # rendered in each reader's language; title and body above keep them in the office's language
    # (search, admin). A part written as typed text, and every part of an older row, is not here.
    wording = models.JSONField(_("wording"), default=dict, blank=True, db_default=Value({}, JSONField()))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_default=Now())
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    via_live = models.BooleanField(_("live"), default=True, db_default=True)
    via_email = models.BooleanField(_("e-mail"), default=False, db_default=False)
    via_sms = models.BooleanField(_("SMS"), default=False, db_default=False)
    live_delivered_at = models.DateTimeField(null=True, blank=True)
    email_delivered_at = models.DateTimeField(null=True, blank=True)
    sms_delivered_at = models.DateTimeField(null=True, blank=True)
    # Counted per channel ({"email": 2, "sms": 1}): each channel is tried until it is delivered.
    attempts = models.JSONField(_("delivery attempts"), default=dict, blank=True, db_default=Value({}, JSONField()))
    # The delivery state's mirror, kept because callers filter on it and the bulk writers write
    # it; the check constraint below keeps the two one fact.
    pending = models.BooleanField(_("delivery pending"), default=True, db_default=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="notification_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(recipient__isnull=False) | ~Q(phone=""), name="notification_addressee"),
            models.CheckConstraint(
                condition=Q(pending=True, state="pending") | (Q(pending=False) & ~Q(state="pending")),
                name="notification_pending_is_state",
            ),
        ]

    def __str__(self):
        return f"{self.recipient or self.phone} · {self.title}"

    # The shared schedule counts a delivery pass as one attempt: the channels count their own, and
    # the row has made as many attempts as its most-tried channel.
    def count_attempt(self) -> None:
        pass

    def attempts_made(self) -> int:
        return max(self.attempts.values(), default=0)

    @classmethod
    def fresh_attempts(cls):
        return {}

    @classmethod
    def state_values(cls, state: str) -> dict:
        return {"state": state, "pending": state == OutboxState.PENDING}

    def wanted_channels(self) -> list[str]:
        return [channel for channel in ("live", "email", "sms") if getattr(self, f"via_{channel}")]

    def undelivered_channels(self) -> list[str]:
        return [channel for channel in self.wanted_channels() if getattr(self, f"{channel}_delivered_at") is None]

    @property
    def url(self) -> str:
        """Where the notification leads: the page its sender named (a supervision order, the
        records), else its case's own page (the application, the complaint, the objection)."""
        if self.payload.get("url"):
            return self.payload["url"]
        if self.case_id:
            return self.case.get_absolute_url()
        return reverse("notifications")

    def _said(self, part: str) -> str:
        if part in self.wording:
            return phrases.render(phrases.load(self.wording[part]))
        return getattr(self, part)

    @property
    def display_title(self) -> str:
        """The title in the active language (as stored when it was written as typed text)."""
        return self._said("title")

    @property
    def display_body(self) -> str:
        return self._said("body")

    @property
    def title_as_stored(self) -> bool:
        """The title reads as it was stored, whatever the reader's language."""
        return "title" not in self.wording

    @property
    def body_as_stored(self) -> bool:
        return "body" not in self.wording

    def as_message(self) -> dict:
        """The live toast, in the active language; `wording` lets each socket say it again in its
        own language (in_language)."""
        message = {
            "type": "notification",
            "id": self.pk,
            "kind": self.kind,
            "title": self.display_title,
            "body": self.display_body,
            "case": self.case.number if self.case_id else None,
            "url": self.url,
            "created_at": self.created_at.isoformat(),
        }
        if self.wording:
            message["wording"] = self.wording
        return message


def in_language(message: dict) -> dict:
    """A notification's live message with its title and body rendered in the active language,
    without the stored wording (the browser needs the words only)."""
    message = dict(message)
    wording = message.pop("wording", None) or {}
    for part, stored in wording.items():
        message[part] = phrases.render(phrases.load(stored))
    return message


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=60)
    live = models.BooleanField(_("in the browser"), default=True, db_default=True)
    email = models.BooleanField(_("by e-mail"), default=True, db_default=True)
    sms = models.BooleanField(_("by SMS"), default=False, db_default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self):
        return f"{self.user} · {self.kind}"

    def channels(self) -> set[str]:
        return {channel for channel in ("live", "email", "sms") if getattr(self, channel)}


class SmsMessage(models.Model):
    """Text messages as the local gateway backend records them (the real gateway is outside this network)."""

    phone = models.CharField(_("mobile phone"), max_length=20)
    text = models.TextField(_("text"))
    # No constraint in the database: notifications are partitioned by month on PostgreSQL
    # (cases/infra/partitions.py) and a partitioned table's unique keys include the month, so no
    # foreign key can point at the id alone. SET_NULL is Django's own (the deleting collector), so
    # deleting a notification through the ORM still empties the link.
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_default=Now())

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages (local gateway)")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.phone}: {self.text[:20]}"
