"""The admin of complaints: the channels (their secrets and callback addresses), and what came in
through them and went back to them, shown read-only."""

from django.contrib import admin

from cases.complaints.models import Channel, ChannelCallback, Complaint, RespondentBody, WorkOrder
from cases.core.outbox_admin import OutboxAdmin
from cases.infra.admin import ReadOnlyAdmin


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active", "expires_at", "accepts_legacy_signatures", "legacy_signatures_until",
                    "callback_url"]  # fmt: skip
    list_filter = ["active", "accepts_legacy_signatures"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["case", "channel", "channel_reference", "respondent", "respondent_body", "subject", "received_at"]
    list_filter = ["channel", "subject"]
    search_fields = ["case__number", "channel_reference", "respondent", "enterprise_name"]


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
