"""Government-default complaints (政府违约失信投诉): the channels they arrive through, and the
complaint side of a Case."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import JSONField, Value
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.core.models.files import UploadedFile
from cases.core.storage import complaint_evidence_path, private_storage
from cases.infra.outbox import OutboxRow
from cases.infra.sealed import SealedCharField

# A complaint filed on the website, or entered by a clerk, has the form's one-time token as its reference.
WEB_REFERENCE = re.compile(r"(WEB|CTR)-[0-9a-f]{32}")


class Channel(models.Model):
    """A system that sends complaints (12345 hotline, 张企服 mini-program, 直通车, the website).

    It signs each request with its secret (HMAC-SHA256); the admin issues and rotates secrets.
    Signature version 2 binds the method, path, body and a one-time nonce (cases/complaint_intake);
    version 1 ("legacy", the timestamp and body only) is taken while the channel moves over: only
    while `accepts_legacy_signatures` is on and `legacy_signatures_until` has not passed.
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True, default="", db_default="")
    secret = SealedCharField(
        _("signing secret"), max_length=128, help_text=_("Shared with the channel; it signs each request with it.")
    )
    # The secret before the last change, still taken until previous_secret_until: the channel may
    # switch to the new one at any moment of that overlap (the admin sets both when a secret changes).
    previous_secret = SealedCharField(
        _("previous signing secret"), max_length=128, blank=True, default="", db_default="", editable=False
    )
    previous_secret_until = models.DateTimeField(_("previous secret taken until"), null=True, blank=True,
                                                 editable=False)  # fmt: skip
    callback_url = models.URLField(_("callback URL"), blank=True, default="", db_default="")
    active = models.BooleanField(_("active"), default=True, db_default=True)
    expires_at = models.DateTimeField(_("key expires at"), null=True, blank=True)
    accepts_legacy_signatures = models.BooleanField(
        _("accepts legacy signatures"), default=False, db_default=False,
        help_text=_("Signature version 1 (timestamp and body only, no nonce), while the channel moves to version 2."),
    )  # fmt: skip
    callback_required = models.BooleanField(
        _("call-back required"), default=False, db_default=False,
        help_text=_("Complainants of this channel (telephone, counter, hotline) are called back before a "
                    "complaint may be deemed satisfied."),
    )  # fmt: skip
    pushes_repair_applications = models.BooleanField(
        _("pushes credit-repair applications"), default=False, db_default=False,
        help_text=_('The national single window or the province\'s platform: it may push '
                    "credit-repair applications to the deciding units and read their status."),
    )  # fmt: skip
    legacy_signatures_until = models.DateTimeField(
        _("legacy signatures refused after"), null=True, blank=True,
        help_text=_("Required while legacy signatures are accepted: from then on only version 2 is."),
    )  # fmt: skip

    class Meta:
        app_label = "cases"
        verbose_name = _("complaint channel")
        verbose_name_plural = _("complaint channels")
        ordering = ["code"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The channel's name in the page's language (the Chinese name when it has no English one)."""
        if (get_language() or "zh-hans").startswith("zh") or not self.name_en:
            return self.name
        return self.name_en

    def secrets(self, now=None) -> list[str]:
        """The secrets a request may be signed with: the current one, and the previous one while
        its overlap lasts."""
        if self.previous_secret and self.previous_secret_until and (now or timezone.now()) < self.previous_secret_until:
            return [self.secret, self.previous_secret]
        return [self.secret]

    def usable(self) -> bool:
        return self.active and (self.expires_at is None or self.expires_at > timezone.now())

    def accepts_legacy(self, now=None) -> bool:
        """Whether a version-1 signature is still taken from this channel."""
        return (
            self.accepts_legacy_signatures
            and self.legacy_signatures_until is not None
            and (now or timezone.now()) < self.legacy_signatures_until
        )

    def clean(self):
        if self.accepts_legacy_signatures and self.legacy_signatures_until is None:
            raise ValidationError(
                {"legacy_signatures_until": _("Give the date after which legacy signatures are refused.")}
            )


class ChannelNonce(models.Model):
    """A nonce a channel has signed a request with, kept until the request could no longer be
    replayed: the store on the embedded stack, and whenever Redis cannot be reached (with Redis,
    each nonce is a key that expires on its own; cases/channel_nonces.py)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+", db_index=False)
    nonce = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "cases"
        constraints = [models.UniqueConstraint(fields=["channel", "nonce"], name="channel_nonce_once")]

    def __str__(self):
        return self.nonce


class Finding(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated: the body must rectify")
    UNSUBSTANTIATED = "unsubstantiated", _("Unsubstantiated: explained to the complainant")


class Remedy(models.TextChoices):
    """What a substantiated answer orders the body to do (整改内容)."""

    PAY = "pay", _("Pay what is owed")
    PERFORM = "perform", _("Perform the contract")
    HONOUR_POLICY = "honour_policy", _("Honour the policy")
    OTHER = "other", _("Other rectification")


class Outcome(models.TextChoices):
    """How a closed complaint ended: what the figures count (docs/domain.md, "Figures and reports")."""

    CURED = "cured", _("Default cured")
    UNSUBSTANTIATED = "unsubstantiated", _("Unsubstantiated, explained")
    BREACH = "breach", _("Breach confirmed")
    CLOSED_AFTER_REVIEW = "closed_after_review", _("Closed by the supervisors after review")
    WITHDRAWN = "withdrawn", _("Withdrawn by the complainant")
    REJECTED = "rejected", _("Not registered")
    MERGED = "merged", _("Merged into another complaint")


class SatisfactionSource(models.TextChoices):
    """Who said the complainant was satisfied: the satisfaction rate counts the call-backs and the
    complainants' own word apart from the deemed ones."""

    COMPLAINANT = "complainant", _("The complainant")
    CHANNEL = "channel", _("The channel, relaying the complainant")
    CALLBACK = "callback", _("A staff call-back")
    DEEMED = "deemed", _("Deemed satisfied (no answer in time)")


class Complaint(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="complaint")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("channel"))
    channel_reference = models.CharField(_("channel's reference"), max_length=100)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    complainant_name = models.CharField(_("complainant"), max_length=100)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=20, blank=True, default="", db_default="")
    complainant_email = models.EmailField(_("complainant's e-mail"), blank=True, default="", db_default="")
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    enterprise_uscc = models.CharField(_("enterprise's unified social credit code"), max_length=18)
    respondent = models.CharField(_("respondent body"), max_length=200)
    # The body of the registry the clerk identified at registration; `respondent` keeps its name
    # (or what the complainant wrote, when the body is not in the registry).
    respondent_body = models.ForeignKey(
        "cases.RespondentBody", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints",
        verbose_name=_("registered respondent body"),
    )  # fmt: skip
    subject = models.CharField(_("subject"), max_length=40)
    facts = models.TextField(_("facts"))
    amount_claimed = models.DecimalField(_("amount claimed (yuan)"), max_digits=14, decimal_places=2, null=True,
                                         blank=True)  # fmt: skip
    # When the channel's work order arrived, which may be a moment before its case was opened.
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_default=Now())
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0, db_default=0)
    extension_days = models.PositiveSmallIntegerField(_("extension asked (working days)"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True, default="", db_default="")
    extensions_granted = models.PositiveSmallIntegerField(_("extensions granted"), default=0, db_default=0)
    finding = models.CharField(
        _("finding"), max_length=20, choices=Finding.choices, blank=True, default="", db_default=""
    )
    answer = models.TextField(_("department's answer"), blank=True, default="", db_default="")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    satisfied = models.BooleanField(_("complainant satisfied"), null=True, blank=True)
    confirmed_by_default = models.BooleanField(
        _("confirmed by default (no answer in time)"), default=False, db_default=False
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, default="", db_default="")
    amount_confirmed = models.DecimalField(_("amount confirmed by the respondent (yuan)"), max_digits=14,
                                           decimal_places=2, null=True, blank=True)  # fmt: skip
    plan_agreed_at = models.DateTimeField(_("repayment plan agreed at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged", verbose_name=_("merged into")
    )
    typical = models.BooleanField(_("typical case for public reporting"), default=False, db_default=False)
    remedy = models.CharField(_("rectification ordered"), max_length=20, choices=Remedy.choices, blank=True,
                              default="", db_default="")  # fmt: skip
    rectification_evidence = models.TextField(_("evidence of rectification"), blank=True, default="", db_default="")
    rectification_reported_at = models.DateTimeField(_("rectification reported at"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("rectification verified at"), null=True, blank=True)
    refusal_statement = models.TextField(_("the body's refusal"), blank=True, default="", db_default="")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, default="",
                               db_default="")  # fmt: skip
    satisfaction_source = models.CharField(_("satisfaction recorded by"), max_length=20,
                                           choices=SatisfactionSource.choices, blank=True, default="",
                                           db_default="")  # fmt: skip
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True, default="", db_default="")
    return_reason = models.TextField(_("reason for the return"), blank=True, default="", db_default="")

    class Meta:
        app_label = "cases"
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            # The same work order sent twice, even at the same moment, is one complaint.
            models.UniqueConstraint(fields=["channel", "channel_reference"], name="complaint_channel_reference")
        ]

    def __str__(self):
        return f"{self.case.number} {self.channel_reference}"

    @property
    def short_reference(self) -> str:
        """The channel's reference as a person reads it: a form's one-time token (WEB- or CTR- and
        32 hex digits) by its first eight digits; other channels' references as sent."""
        reference = self.channel_reference
        if WEB_REFERENCE.fullmatch(reference):
            return f"{reference[:4]}{reference[4:12].upper()}"
        return reference


class WorkOrder(models.Model):
    """A work order as a channel's system sent it, kept the moment it arrives; the intake worker
    opens its complaint case moments later, many orders in one transaction (complaint_building).

    One row per (channel, reference): the same work order sent again, even at the same moment,
    finds this row and answers with its status."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="work_orders",
                                verbose_name=_("channel"))  # fmt: skip
    reference = models.CharField(_("channel's reference"), max_length=100)
    # The validated fields (amounts as strings), exactly what the complaint is opened from.
    payload = models.JSONField(_("work order"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_default=Now())
    complaint = models.OneToOneField(Complaint, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="work_order", verbose_name=_("complaint"))  # fmt: skip
    failure = models.TextField(_("why no case could be opened"), blank=True, default="", db_default="")

    class Meta:
        app_label = "cases"
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [models.UniqueConstraint(fields=["channel", "reference"], name="work_order_channel_reference")]
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(complaint__isnull=True, failure=""), name="work_order_waiting"
            )
        ]

    def __str__(self):
        return f"{self.channel.code} {self.reference}"

    @property
    def waiting(self) -> bool:
        return self.complaint_id is None and not self.failure


class ChannelCallback(OutboxRow):
    """The outbox towards a channel's callback URL: each status change of its complaints, pushed
    with retries (cases/infra/outbox.py), signed like the channel's own requests."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="callbacks")
    payload = models.JSONField(default=dict, db_default=Value({}, JSONField()))
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "cases"
        verbose_name = _("channel callback")
        verbose_name_plural = _("channel callbacks")
        indexes = [models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"), name="callback_due")]

    def __str__(self):
        return f"{self.complaint} {self.payload.get('status', '')}"


class ArrearsPayment(models.Model):
    """Money the respondent paid on an arrears complaint (清欠)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    proof = models.CharField(_("proof (voucher number)"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    db_index=False)  # fmt: skip
    recorded_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        app_label = "cases"
        verbose_name = _("arrears payment")
        verbose_name_plural = _("arrears payments")
        ordering = ["paid_on", "id"]

    def __str__(self):
        return f"{self.complaint} {self.amount}"


class Instalment(models.Model):
    """One instalment of an agreed repayment plan; its due date is watched like any deadline."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("instalment"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)

    class Meta:
        app_label = "cases"
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["complaint", "number"], name="instalment_unique_number")]

    def __str__(self):
        return f"{self.complaint} #{self.number}"


class BodyKind(models.TextChoices):
    GOVERNMENT_DEPARTMENT = "government_department", _("Government department")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    STATE_OWNED_ENTERPRISE = "state_owned_enterprise", _("State-owned enterprise")
    TOWNSHIP_GOVERNMENT = "township_government", _("Township government")
    OTHER = "other", _("Other")


class RespondentBody(models.Model):
    """A government body, public institution or state-owned enterprise complained about, in the
    registry with its supervising body (主管部门), which routing proposes."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    supervising_department = models.ForeignKey(
        "cases.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="supervised_bodies",
        verbose_name=_("supervising body"),
    )  # fmt: skip
    kind = models.CharField(_("kind of body"), max_length=30, choices=BodyKind.choices, default=BodyKind.OTHER,
                            db_default=BodyKind.OTHER)  # fmt: skip
    active = models.BooleanField(_("active"), default=True, db_default=True)

    class Meta:
        app_label = "cases"
        verbose_name = _("respondent body")
        verbose_name_plural = _("respondent bodies")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CallBack(models.Model):
    """A clerk's call-back to the complainant (回访): reached or not, and what they said."""

    class Opinion(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        NOT_SATISFIED = "not_satisfied", _("Not satisfied")
        NO_OPINION = "no_opinion", _("No opinion")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="callbacks_made")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                db_index=False)  # fmt: skip
    made_at = models.DateTimeField(_("called at"), auto_now_add=True, db_default=Now())
    reached = models.BooleanField(_("reached"))
    opinion = models.CharField(_("opinion"), max_length=20, choices=Opinion.choices, blank=True, default="",
                               db_default="")  # fmt: skip
    note = models.TextField(_("note"), blank=True, default="", db_default="")

    class Meta:
        app_label = "cases"
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        ordering = ["made_at", "id"]

    def __str__(self):
        return f"{self.complaint} {self.made_at:%Y-%m-%d}"


class EntryKind(models.TextChoices):
    BREACH = "breach", _("Confirmed breach")
    CURED = "cured", _("Default cured (not a breach)")


class IntegrityEntry(models.Model):
    """One line of a body's government-integrity record (政务诚信记录): a confirmed breach (拒不整改 /
    逾期未整改), or a default the body cured, shown as cured. Only breach entries count against it;
    a breach entry is marked repaired when the body later performs."""

    body = models.ForeignKey(RespondentBody, on_delete=models.PROTECT, related_name="entries")
    complaint = models.OneToOneField(Complaint, on_delete=models.PROTECT, related_name="integrity_entry")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices, default=EntryKind.BREACH,
                            db_default=EntryKind.BREACH)  # fmt: skip
    summary = models.TextField(_("summary"))
    finding = models.TextField(_("finding"), blank=True, default="", db_default="")
    # What was ordered and what happened, in order: [{"at": iso, "event": label, "detail": text}].
    history = models.JSONField(_("rectification history"), default=list, db_default=Value([], JSONField()))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", db_index=False, verbose_name=_("confirmed by"))  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_default=Now())
    repaired_at = models.DateTimeField(_("marked repaired at"), null=True, blank=True)
    repaired_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", db_index=False, verbose_name=_("marked repaired by"))  # fmt: skip
    repair_note = models.TextField(_("how the body performed"), blank=True, default="", db_default="")

    class Meta:
        app_label = "cases"
        verbose_name = _("government-integrity entry")
        verbose_name_plural = _("government-integrity record")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.body} {self.complaint}"


class ComplaintEvidence(UploadedFile):
    """A file the complainant gives as evidence (contract, invoice, acceptance record), checked like a
    repair material and kept privately: only the complainant and the staff who see the case open it.
    Sent with a channel's work order, it has no uploader (the case's channel sent it)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=complaint_evidence_path, storage=private_storage)

    class Meta(UploadedFile.Meta):
        app_label = "cases"
        verbose_name = _("complaint evidence")
        verbose_name_plural = _("complaint evidence")
