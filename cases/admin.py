from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.exceptions import DomainError
from cases.login_throttle import ThrottledAdminAuthenticationForm
from cases.models import (
    AuditEvent,
    Case,
    Channel,
    ChannelCallback,
    Complaint,
    CreditRecord,
    Deadline,
    Department,
    Holiday,
    Party,
    Policy,
    SupervisionOrder,
    User,
    WorkOrder,
)

admin.site.site_header = _("Chengxin administration")
admin.site.site_title = _("Chengxin")
admin.site.index_title = _("Reference data and users")
admin.site.login_form = ThrottledAdminAuthenticationForm  # says why a throttled sign-in is refused


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the system: inspected here, changed only through the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "is_supervising_unit", "active"]
    list_filter = ["is_supervising_unit", "active"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "department", "entity_kind", "is_active", "is_staff"]
    list_filter = ["groups", "department", "entity_kind", "is_active"]
    search_fields = ["username", "full_name", "entity_name", "phone"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Chengxin"), {"fields": ("full_name", "phone", "department", "entity_kind", "entity_name", "id_number")}),
    )


class ServiceBackedAdmin(admin.ModelAdmin):
    """Saves through cases.services so that every admin edit is checked and audited."""

    def run_service(self, request, call):
        try:
            call()
        except DomainError as exc:
            details = "; ".join(f"{msg}" for msgs in exc.details.values() for msg in msgs)
            self.message_user(request, f"{exc.message} {details}".strip(), level=messages.ERROR)


@admin.register(Policy)
class PolicyAdmin(ServiceBackedAdmin):
    list_display = ["label", "case_type", "key", "kind", "value", "basis", "updated_at"]
    list_filter = ["case_type", "kind"]
    search_fields = ["key", "label"]
    readonly_fields = ["case_type", "key", "kind", "label", "basis", "updated_at"]
    fields = ["case_type", "key", "kind", "label", "value", "basis", "updated_at"]

    def has_add_permission(self, request):
        return False  # the keys are the ones code reads; only their values change

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        self.run_service(request, lambda: services.change_policy(policy_id=obj.pk, actor=request.user, value=obj.value))


@admin.register(Holiday)
class HolidayAdmin(ServiceBackedAdmin):
    list_display = ["date", "name", "is_working_day"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj else []

    def save_model(self, request, obj, form, change):
        self.run_service(
            request,
            lambda: services.save_holiday(
                actor=request.user, day=obj.date, is_working_day=obj.is_working_day, name=obj.name
            ),
        )

    def delete_model(self, request, obj):
        self.run_service(request, lambda: services.remove_holiday(actor=request.user, holiday_id=obj.pk))

    def delete_queryset(self, request, queryset):
        for holiday in queryset:
            self.delete_model(request, holiday)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reference", "event_type", "actor", "from_state", "to_state"]
    list_filter = ["event_type", "subject_type"]
    search_fields = ["reference", "event_type"]
    date_hierarchy = "created_at"


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "title", "state", "department", "assignee", "created_at", "closed_at"]
    list_filter = ["kind", "state", "department"]
    search_fields = ["number", "title"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["case", "label", "department", "due_on", "stage", "paused_at", "closed_at"]
    list_filter = ["stage", "department"]
    search_fields = ["case__number"]


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = ["issued_at", "case", "department", "level", "issued_by", "respond_by", "responded_at"]
    list_filter = ["level", "department"]
    search_fields = ["case__number", "reason", "response"]


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "id_number", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "id_number"]


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ["decision_number", "party", "record_type", "severity", "department", "repairable_from", "status"]
    list_filter = ["record_type", "severity", "status", "department"]
    search_fields = ["decision_number", "party__name", "party__id_number"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active", "expires_at", "accepts_legacy_signatures", "legacy_signatures_until",
                    "callback_url"]  # fmt: skip
    list_filter = ["active", "accepts_legacy_signatures"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["case", "channel", "channel_reference", "respondent", "subject", "received_at"]
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
class ChannelCallbackAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "complaint", "sent_at", "attempts", "last_error"]
