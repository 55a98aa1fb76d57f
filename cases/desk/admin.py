"""The admin site's own titles; each app registers its models in its own admin module, except
notifications: its rows are an outbox whose re-send writes an audit event (cases.core), and
notifications sits below the kernel (docs/architecture.md), so the desk registers them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.core.outbox_admin import OutboxAdmin
from cases.infra.admin import ReadOnlyAdmin
from notifications.models import Notification, SmsMessage

admin.site.site_header = _("Chengxin administration")
admin.site.site_title = _("Chengxin")
admin.site.index_title = _("Reference data and users")


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
