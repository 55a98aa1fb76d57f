from django.contrib import admin

from cases.infra.admin import ReadOnlyAdmin
from notifications.models import Notification, SmsMessage


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "phone", "kind", "title", "pending", "read_at", "last_error"]
    list_filter = ["kind", "pending", "via_email", "via_sms"]
    search_fields = ["title", "recipient__username", "case__number"]
    date_hierarchy = "created_at"


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "phone", "text"]
    search_fields = ["phone", "text"]
