from django.contrib import admin

from cases.core.outbox_admin import OutboxAdmin
from cases.repair.models import NationalSync


@admin.register(NationalSync)
class NationalSyncAdmin(OutboxAdmin):
    list_display = ["created_at", "application", "action", "sent_at", "receipt", "attempts"]
    list_filter = ["action"]
    list_select_related = ["application__case", "application__record"]
