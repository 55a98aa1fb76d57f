"""The admin base of every outbox's rows: each kind's list filters by delivery state, so its dead
letters are one click away, and the system administrator may re-send them (cases/infra/outbox.py).
In the kernel rather than in infra because a re-send writes an audit event."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases.core import events
from cases.core.event_types import EventType
from cases.infra import outbox
from cases.infra.admin import ReadOnlyAdmin

RESEND_PERMISSION = "cases.manage_reference_data"
RESENT_EVENT = EventType.OUTBOX_RESENT


class OutboxAdmin(ReadOnlyAdmin):
    outbox_list_display = ["state", "next_attempt_at", "dead_lettered_at", "last_error"]
    actions = ["resend"]

    def get_list_display(self, request):
        return [*self.list_display, *(name for name in self.outbox_list_display if name not in self.list_display)]

    def get_list_filter(self, request):
        return ["state", *(name for name in self.list_filter if name != "state")]

    @admin.action(description=_("Re-send the selected dead letters"), permissions=["resend"])
    def resend(self, request, queryset):
        with transaction.atomic():
            rows = list(queryset.select_for_update().filter(state=outbox.OutboxState.DEAD))
            for row in rows:
                events.record(subject=row, event_type=RESENT_EVENT, actor=request.user,
                              outbox=outbox.kind_of(row).name, attempts=row.attempts_made(),
                              last_error=row.last_error)  # fmt: skip
            count = outbox.resend(queryset.model.objects.filter(pk__in=[row.pk for row in rows]))
        self.message_user(
            request,
            ngettext(
                "%(count)d dead letter put back in the queue.", "%(count)d dead letters put back in the queue.", count
            )
            % {"count": count},
        )

    def has_resend_permission(self, request):
        return request.user.has_perm(RESEND_PERMISSION)

    # The system administrator sees the lists to re-send from them (as the security administrator
    # sees the user list: cases/accounts/admin.py), without a view permission per kind.
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self.has_resend_permission(request)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self.has_resend_permission(request)
