from django.contrib import admin

from cases.desk.admin import ReadOnlyAdmin
from cases.desk.outbox_admin import OutboxAdmin
from notifications.models import Notification, SmsMessage


@admin.register(Notification)
class NotificationAdmin(OutboxAdmin):
    list_display = ["created_at", "recipient", "phone", "kind", "title", "pending", "read_at", "last_error"]
    list_filter = ["kind", "pending", "via_email", "via_sms"]
    search_fields = ["title", "recipient__username", "case__number"]
    date_hierarchy = "created_at"


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "phone", "text"]
    search_fields = ["phone", "text"]
