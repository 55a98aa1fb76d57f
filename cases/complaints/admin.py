"""The admin of complaints: the channels (their secrets and callback addresses), and what came in
through them and went back to them, shown read-only."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.complaints.models import (
    CallBack,
    Channel,
    ChannelCallback,
    Complaint,
    IntegrityEntry,
    RespondentBody,
    WorkOrder,
)
from cases.core.outbox_admin import OutboxAdmin
from cases.infra.admin import ReadOnlyAdmin

# How long before a channel's key ends its list in the admin starts warning.
KEY_EXPIRY_WARNING_DAYS = 30
# How long a replaced secret is still taken unless the admin says otherwise.
SECRET_OVERLAP_DAYS = 7


class ChannelForm(forms.ModelForm):
    """The signing secret is never shown again once saved: the field stays empty, and empty keeps it."""

    secret = forms.CharField(
        label=_("signing secret"), required=False, strip=True, widget=forms.PasswordInput(render_value=False),
        help_text=_("Never shown once saved. Leave empty to keep the current secret; type a new one to replace it."),
    )  # fmt: skip

    overlap_days = forms.IntegerField(
        label=_("days the previous secret is still taken"), min_value=0, max_value=90, initial=SECRET_OVERLAP_DAYS,
        required=False,
        help_text=_("When a new secret is typed in: requests signed with the one it replaces are taken for this "
                    "many days more, so that the channel may switch at any moment of them. 0: refused at once."),
    )  # fmt: skip

    class Meta:
        model = Channel
        fields = "__all__"  # noqa: DJ007 (the admin shows them all, as without this form)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_secret = self.instance.secret if self.instance.pk else ""

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if secret:
            return secret
        if self.instance.pk:
            return self.instance.secret
        raise ValidationError(_("Give the channel its signing secret."))

    def save(self, commit=True):
        channel = super().save(commit=False)
        if self.current_secret and channel.secret != self.current_secret:
            days = self.cleaned_data.get("overlap_days")
            days = SECRET_OVERLAP_DAYS if days is None else days
            channel.previous_secret = self.current_secret if days else ""
            channel.previous_secret_until = timezone.now() + timedelta(days=days) if days else None
        if commit:
            channel.save()
            self._save_m2m()
        return channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    readonly_fields = ["previous_secret_until"]
    list_display = ["code", "name", "name_en", "active", "expires_at", "accepts_legacy_signatures",
                    "legacy_signatures_until", "callback_required", "callback_url",
                    "pushes_repair_applications"]  # fmt: skip
    list_filter = ["active", "accepts_legacy_signatures", "callback_required", "pushes_repair_applications"]

    def changelist_view(self, request, extra_context=None):
        """A warning above the list for each active channel whose key has ended or ends within
        KEY_EXPIRY_WARNING_DAYS: a new secret is agreed with the channel before then."""
        if request.method == "GET":
            now = timezone.now()
            ending = Channel.objects.filter(active=True, expires_at__lte=now + timedelta(days=KEY_EXPIRY_WARNING_DAYS))
            for channel in ending.order_by("expires_at"):
                when = timezone.localtime(channel.expires_at).strftime("%Y-%m-%d %H:%M")
                if channel.expires_at <= now:
                    text = gettext("The key of %(channel)s ended at %(when)s: its requests are refused.")
                else:
                    text = gettext("The key of %(channel)s ends at %(when)s: agree on a new secret with it first.")
                messages.warning(request, text % {"channel": channel.label, "when": when})
        return super().changelist_view(request, extra_context)


class CallBackInline(admin.TabularInline):
    """The clerks' call-backs (回访), recorded on the complaint page only."""

    model = CallBack
    fields = ["made_at", "made_by", "reached", "opinion", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["case", "channel", "channel_reference", "respondent", "respondent_body", "subject", "received_at",
                    "outcome"]  # fmt: skip
    list_filter = ["channel", "subject", "outcome", "satisfaction_source"]
    search_fields = ["case__number", "channel_reference", "respondent", "enterprise_name"]
    inlines = [CallBackInline]


@admin.register(IntegrityEntry)
class IntegrityEntryAdmin(ReadOnlyAdmin):
    """The government-integrity record, read-only: a breach entry is written only when a breach is
    confirmed on its complaint, a cured one when the complaint closes cured, and a breach is marked
    repaired on the integrity record page (never added or changed by hand here)."""

    list_display = ["recorded_at", "body", "complaint", "kind", "repaired_at"]
    list_filter = ["kind", ("repaired_at", admin.EmptyFieldListFilter)]
    search_fields = ["body__name", "complaint__case__number"]
    list_select_related = ["body", "complaint__case"]
    fields = ["body", "complaint", "kind", "summary", "finding", "confirmed_by", "recorded_at", "repaired_at",
              "repaired_by", "repair_note", "history"]  # fmt: skip
    readonly_fields = fields


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    """What the channels sent; one with a failure had no case opened and needs the office."""

    list_display = ["received_at", "channel", "reference", "complaint", "failure"]
    list_filter = ["channel", ("failure", admin.EmptyFieldListFilter)]
    search_fields = ["reference", "complaint__case__number"]
    list_select_related = ["channel", "complaint__case"]


@admin.register(ChannelCallback)
class ChannelCallbackAdmin(OutboxAdmin):
    list_display = ["created_at", "complaint", "sent_at", "attempts", "last_error"]


@admin.register(RespondentBody)
class RespondentBodyAdmin(admin.ModelAdmin):
    """The registry of respondent bodies with their supervising body (主管部门), which routing
    proposes; a body no longer complained about is made inactive, not deleted."""

    list_display = ["name", "kind", "supervising_department", "active"]
    list_filter = ["supervising_department", "kind", "active"]
    search_fields = ["name", "supervising_department__name_zh"]
    autocomplete_fields = ["supervising_department"]
    list_select_related = ["supervising_department"]

    def has_delete_permission(self, request, obj=None):
        return False
